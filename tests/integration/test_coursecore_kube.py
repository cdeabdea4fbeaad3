"""coursecore.kube against the fake API server: requests, lists and watches on raw paths, and
every failure turned into an error with its exit code and the caller's hint, through the
``kubernetes`` client and through the light transport alike (``light``: the same answers and the
same messages).

The fake follows the API server's answers (tests/fakekube: 401 for unknown tokens, 403 from RBAC
for a service account's token, 409 on a second create, 410 for a too-old resourceVersion), so
the translations here are those a real cluster gets.
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import yaml
from fakekube.server import CA_FILE

from coursecore import kube
from coursecore.errors import ApiRefused, ClusterUnreachable, UsageError

ADVICE = kube.Advice(reach="try the reach fix", forbidden="try the forbidden fix")
CONFIG_MAPS = "/api/v1/namespaces/default/configmaps"


def config_map(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


@pytest.mark.parametrize("light", [False, True])
def test_request_get_list_and_missing(fake_kube, light):
    with kube.connect(fake_kube.kubeconfig, advice=ADVICE, light=light) as api:
        assert api.light == light
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


@pytest.mark.parametrize("light", [False, True])
def test_watch_follows_changes_and_says_when_the_version_expired(fake_kube, light):
    with kube.connect(fake_kube.kubeconfig, advice=ADVICE, light=light) as api:
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


@pytest.mark.parametrize("light", [False, True])
def test_credentials_errors_carry_the_callers_hint(fake_kube, tmp_path, light):
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
    with kube.connect(robot, advice=ADVICE, light=light) as api:
        assert api.light == light
        with pytest.raises(ClusterUnreachable) as forbidden:
            api.request("DELETE", f"{CONFIG_MAPS}/x")
    assert forbidden.value.message.startswith(f"the credentials may not delete {CONFIG_MAPS}/x (403 Forbidden)")
    assert forbidden.value.hint == "try the forbidden fix" and forbidden.value.exit_code == 3
    wrong = fake_kube.server.write_kubeconfig(tmp_path / "wrong", token="not-a-token")
    with kube.connect(wrong, advice=ADVICE, light=light) as api, pytest.raises(ClusterUnreachable) as rejected:
        api.get("/api")
    assert "rejected the credentials (401 Unauthorized)" in rejected.value.message
    assert rejected.value.hint == "try the reach fix"


@pytest.mark.parametrize("light", [False, True])
def test_refused_connection_and_default_advice(fake_kube, tmp_path, light):
    config = fake_kube.server.write_kubeconfig(tmp_path / "gone")
    fake_kube.server.stop()
    with kube.connect(config, retries=0, light=light) as api, pytest.raises(ClusterUnreachable) as refused:
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


# -- the light transport (coursecore._kubehttp) ---------------------------------------------------


def write_config(path: Path, cluster: dict, user: dict) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": cluster}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


def plain_cluster(fake_kube) -> dict:
    return {"server": fake_kube.url, "certificate-authority-data": base64.b64encode(CA_FILE.read_bytes()).decode()}


def test_a_light_connection_imports_no_client_until_it_watches(fake_kube):
    script = (
        "import sys\n"
        "from coursecore import kube\n"
        "api = kube.connect(sys.argv[1], light=True)\n"
        "start = api.list('/api/v1/namespaces').resource_version\n"
        "assert start and api.light\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'urllib3', 'jsonschema')]\n"
        "assert list(api.watch('/api/v1/namespaces', resource_version=start, seconds=1)) == []\n"
        "assert 'kubernetes.watch' in sys.modules and not api.light\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script, str(fake_kube.kubeconfig)], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "cluster_change, user_change, variable",
    [
        ({"tls-server-name": "localhost"}, {}, None),
        ({"proxy-url": "http://127.0.0.1:9"}, {}, None),
        ({"certificate-authority-data": None}, {}, None),  # the system's trust store: the client's choice
        ({"extensions": [{"name": "x", "extension": {}}]}, {}, None),
        ({}, {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "true"}}, None),
        ({}, {"as": "someone-else"}, None),
        ({}, {"client-certificate-data": base64.b64encode(b"x").decode()}, None),  # a certificate without its key
        ({}, {}, "HTTPS_PROXY"),
    ],
)
def test_kubeconfigs_beyond_the_plain_forms_go_through_the_client(
    fake_kube, tmp_path, monkeypatch, cluster_change, user_change, variable
):
    cluster = {k: v for k, v in {**plain_cluster(fake_kube), **cluster_change}.items() if v is not None}
    user = {"token": fake_kube.token, **user_change}
    if variable:
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    path = write_config(tmp_path / "config", cluster, user)
    with kube.connect(path, light=True) as api:
        assert not api.light


@pytest.mark.parametrize("light", [False, True])
def test_a_ca_file_is_read_beside_the_kubeconfig(fake_kube, tmp_path, light):
    (tmp_path / "ca.crt").write_bytes(CA_FILE.read_bytes())
    path = write_config(
        tmp_path / "config", {"server": fake_kube.url, "certificate-authority": "ca.crt"}, {"token": fake_kube.token}
    )
    with kube.connect(path, light=light) as api:
        assert api.light == light
        assert api.get("/api/v1/namespaces/default")["metadata"]["name"] == "default"
    missing = write_config(tmp_path / "missing", {"server": fake_kube.url, "certificate-authority": "gone.crt"}, {})
    with pytest.raises(UsageError, match="gone.crt"):  # the client's own refusal, light or not
        kube.connect(missing, light=light)


@pytest.mark.parametrize("light", [False, True])
def test_another_clusters_ca_fails_the_tls_handshake(fake_kube, tmp_path, light):
    import certifi

    other = certifi.contents().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    cluster = {"server": fake_kube.url, "certificate-authority-data": base64.b64encode(other.encode()).decode()}
    path = write_config(tmp_path / "config", cluster, {"token": fake_kube.token})
    with kube.connect(path, retries=0, light=light, advice=ADVICE) as api, pytest.raises(ClusterUnreachable) as failed:
        api.get("/api")
    assert api.light == light
    assert failed.value.message.startswith(f"TLS handshake with the cluster at {fake_kube.url[8:]} failed (")
    assert "certificate verify failed" in failed.value.detail and failed.value.hint == "try the reach fix"


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture
def mutual_tls_server(tmp_path):
    """An HTTPS server that, like kind's API server, takes only client certificates signed by the
    cluster's CA (kubeadm's admin.conf: a client certificate for the group system:masters). It
    answers a node list naming the certificate's subject."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make client certificates")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl(
        "req",
        "-x509",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "1",
        "-subj",
        "/CN=kubernetes",
        cwd=tmp_path,
    )
    openssl(
        "req",
        *ec,
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
        "-subj",
        "/O=system:masters/CN=kubernetes-admin",
        cwd=tmp_path,
    )
    (tmp_path / "ext").write_text("extendedKeyUsage=clientAuth\n")
    openssl(
        "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "client.crt", "-days", "1", "-extfile", "ext", cwd=tmp_path,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CA_FILE, CA_FILE.with_name("server.key"))
    context.load_verify_locations(tmp_path / "ca.crt")
    context.verify_mode = ssl.CERT_REQUIRED

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            subject = dict(pair[0] for pair in self.connection.getpeercert()["subject"])
            body = json.dumps({"kind": "NodeList", "metadata": {"resourceVersion": "7"}, "items": [
                {"metadata": {"name": subject["commonName"]}}]}).encode()  # fmt: skip
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("light", [False, True])
def test_client_certificates_as_kind_writes_them(mutual_tls_server, tmp_path, monkeypatch, light):
    url, certs = mutual_tls_server
    data = {name: base64.b64encode((certs / name).read_bytes()).decode() for name in ("client.crt", "client.key")}
    cluster = {"server": url, "certificate-authority-data": base64.b64encode(CA_FILE.read_bytes()).decode()}
    user = {"client-certificate-data": data["client.crt"], "client-key-data": data["client.key"]}
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with kube.connect(write_config(tmp_path / "config", cluster, user), light=light) as api:
        assert api.light == light
        listing = api.list("/api/v1/nodes")
    assert [n["metadata"]["name"] for n in listing.items] == ["kubernetes-admin"] and listing.resource_version == "7"
    if light:
        assert list(scratch.iterdir()) == []  # the key was written for ssl to load, then removed
    files = {"client-certificate": str(certs / "client.crt"), "client-key": str(certs / "client.key")}
    with kube.connect(write_config(tmp_path / "files", cluster, files), light=light) as api:
        assert api.get("/api/v1/nodes")["items"][0]["metadata"]["name"] == "kubernetes-admin"
    with kube.connect(write_config(tmp_path / "none", cluster, {}), retries=0, light=light) as api:
        with pytest.raises(ClusterUnreachable, match="cannot reach the cluster|TLS handshake"):
            api.get("/api/v1/nodes")
