"""coursecore.kube against the fake API server: requests, lists and watches on raw paths, and
every failure turned into an error with its exit code and the caller's hint.

The fake follows the API server's answers (tests/fakekube: 401 for unknown tokens, 403 from RBAC
for a service account's token, 409 on a second create, 410 for a too-old resourceVersion), so
the translations here are those a real cluster gets.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from coursecore import kube
from coursecore.errors import ApiRefused, ClusterUnreachable, UsageError

ADVICE = kube.Advice(reach="try the reach fix", forbidden="try the forbidden fix")
CONFIG_MAPS = "/api/v1/namespaces/default/configmaps"


def config_map(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def test_request_get_list_and_missing(fake_kube):
    with kube.connect(fake_kube.kubeconfig, advice=ADVICE) as api:
        assert api.origin == str(fake_kube.kubeconfig) and api.host == fake_kube.url
        created = api.request("POST", CONFIG_MAPS, body=config_map("one", a="1"))
        assert created["metadata"]["name"] == "one"
        assert api.get(f"{CONFIG_MAPS}/one")["data"] == {"a": "1"}
        assert api.get(f"{CONFIG_MAPS}/nope", missing_ok=True) is None
        listing = api.list(CONFIG_MAPS)
        assert [o["metadata"]["name"] for o in listing.items] == ["one"] and listing.resource_version
        assert api.list("/apis/example.com/v1/widgets").items == []  # a kind the server lacks: nothing
        with pytest.raises(ApiRefused) as conflict:
            api.request("POST", CONFIG_MAPS, body=config_map("one"))
        assert conflict.value.status == 409 and conflict.value.exit_code == 3
        assert "answered 409 to POST" in conflict.value.message
        with pytest.raises(ApiRefused) as missing:
            api.get(f"{CONFIG_MAPS}/nope")
        assert missing.value.status == 404


def test_watch_follows_changes_and_says_when_the_version_expired(fake_kube):
    with kube.connect(fake_kube.kubeconfig, advice=ADVICE) as api:
        start = api.list(CONFIG_MAPS).resource_version

        def change() -> None:
            time.sleep(0.2)
            api.request("POST", CONFIG_MAPS, body=config_map("w", k="v"))
            api.request("DELETE", f"{CONFIG_MAPS}/w")

        threading.Thread(target=change).start()
        seen = []
        for event, obj in api.watch(CONFIG_MAPS, resource_version=start, seconds=5):
            seen.append((event, obj["metadata"]["name"]))
            if event == "DELETED":
                break
        assert seen == [("ADDED", "w"), ("DELETED", "w")]
        quiet = list(api.watch(CONFIG_MAPS, resource_version=api.list(CONFIG_MAPS).resource_version, seconds=1))
        assert quiet == []  # the stream ended at its deadline without an error
        store = fake_kube.server.store
        with store.lock:
            store._first_kept_rv = store.rv  # as after etcd compaction: older versions are gone
        assert list(api.watch(CONFIG_MAPS, resource_version=start, seconds=2)) == [("EXPIRED", None)]


def test_credentials_errors_carry_the_callers_hint(fake_kube, tmp_path):
    with kube.connect(fake_kube.kubeconfig, advice=ADVICE) as admin:
        admin.request(
            "POST",
            "/api/v1/namespaces/default/serviceaccounts",
            body={"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}},
        )
        token = admin.request(
            "POST",
            "/api/v1/namespaces/default/serviceaccounts/robot/token",
            body={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}},
        )["status"]["token"]
    robot = fake_kube.server.write_kubeconfig(tmp_path / "robot", token=token)
    with kube.connect(robot, advice=ADVICE) as api:
        with pytest.raises(ClusterUnreachable) as forbidden:
            api.request("DELETE", f"{CONFIG_MAPS}/x")
    assert forbidden.value.message.startswith(f"the credentials may not delete {CONFIG_MAPS}/x (403 Forbidden)")
    assert forbidden.value.hint == "try the forbidden fix" and forbidden.value.exit_code == 3
    wrong = fake_kube.server.write_kubeconfig(tmp_path / "wrong", token="not-a-token")
    with kube.connect(wrong, advice=ADVICE) as api, pytest.raises(ClusterUnreachable) as rejected:
        api.get("/api")
    assert "rejected the credentials (401 Unauthorized)" in rejected.value.message
    assert rejected.value.hint == "try the reach fix"


def test_refused_connection_and_default_advice(fake_kube, tmp_path):
    config = fake_kube.server.write_kubeconfig(tmp_path / "gone")
    fake_kube.server.stop()
    with kube.connect(config, retries=0) as api, pytest.raises(ClusterUnreachable) as refused:
        api.get("/api")
    assert refused.value.message.endswith(": connection refused")
    assert refused.value.hint == kube.Advice().reach


@pytest.mark.parametrize(
    "text, problem",
    [
        ("apiVersion: v1\nkind: Config\n", "kubeconfig"),
        ("a: &a [*a, *a]\n" + "".join(f"k{i}: *a\n" for i in range(70)), "alias"),
        ("- just\n- a list\n", "one YAML mapping"),
    ],
)
def test_kubeconfig_problems_are_usage_errors(tmp_path, text, problem):
    path = tmp_path / "kubeconfig"
    path.write_text(text)
    with pytest.raises(UsageError, match=problem):
        kube.connect(path)
    with pytest.raises(UsageError, match="not found"):
        kube.connect(tmp_path / "missing")


def test_a_background_import_and_a_connect_never_race():
    """kubernetes imports itself circularly (config -> client.ApiClient -> rest -> kubernetes.utils):
    a preload thread and a first connect importing it at once deadlocked about one run in ten.
    Both go through one lock: while it is held, the preload waits and imports nothing."""
    script = (
        "import sys, time\n"
        "from coursecore import kube\n"
        "with kube._import_lock:\n"
        "    kube.preload()\n"
        "    time.sleep(0.3)\n"
        "    assert 'kubernetes' not in sys.modules, 'the preload imported without the lock'\n"
        "kube._preloading[0].join(120)\n"
        "assert 'kubernetes.watch' in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
