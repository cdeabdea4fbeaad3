"""sandbox.backends and the backend protocol: both backends offer the same calls, and which one
serves a sandbox follows from its saved state, never from the caller."""

from __future__ import annotations

import inspect
import json

import pytest

from coursecore import home
from coursecore.errors import InvalidName, UsageError
from sandbox import backends, inventory, state
from sandbox.backend import Backend
from sandbox.kind_backend import KindBackend
from sandbox.namespace import records
from sandbox.namespace.backend import NamespaceBackend


@pytest.fixture
def kchome(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path))
    return tmp_path


class NoClusters:
    """kind without clusters, for listings that must not run kind."""

    name = "kind"

    def list(self) -> list[str]:
        return []


def saved(name: str, backend: str, **fields) -> state.SandboxState:
    new = state.SandboxState(name=name, cluster=f"x-{name}", backend=backend, phase="ready", **fields)
    state.save(new)
    return new


@pytest.mark.parametrize("cls", [KindBackend, NamespaceBackend])
def test_both_backends_implement_every_call_of_the_protocol(cls):
    members = [m for m in dir(Backend) if not m.startswith("_")] + list(Backend.__annotations__)
    for member in members:
        assert hasattr(cls, member), f"{cls.__name__} lacks {member}"
        if callable(getattr(Backend, member, None)):
            wanted = inspect.signature(getattr(Backend, member))
            got = inspect.signature(getattr(cls, member))
            assert list(got.parameters) == list(wanted.parameters), member
    assert backends.BACKENDS[cls.name] is cls


def test_the_saved_state_chooses_the_backend(kchome):
    saved("alice", "kind")
    saved("bob", "namespace")
    shared = KindBackend(cli=NoClusters())
    assert backends.for_sandbox("alice", kind=shared) is shared
    assert isinstance(backends.for_sandbox("bob"), NamespaceBackend)
    assert isinstance(backends.for_sandbox("nobody"), KindBackend)  # a new sandbox is kind's
    with pytest.raises(InvalidName):
        backends.for_sandbox("Bad.Name")


def test_unreadable_state_is_kinds_unless_a_namespace_record_says_otherwise(kchome):
    folder = home.sandbox_dir("carol")
    folder.mkdir(parents=True)
    (folder / state.STATE_FILE).write_text("{garbage")
    assert isinstance(backends.for_sandbox("carol"), KindBackend)
    records.save(
        records.NamespaceRecord(
            name="carol", namespace="kc-carol", kubeconfig="/k", context="c", server="https://x", course="kubecourse"
        )
    )
    assert isinstance(backends.for_sandbox("carol"), NamespaceBackend)
    saved("dave", "docker")  # made by a backend this version does not know
    assert isinstance(backends.for_sandbox("dave"), KindBackend)


def test_ls_asks_each_rows_backend(kchome):
    saved("alice", "kind")
    saved("bob", "namespace")
    state.save(state.SandboxState(name="carol", cluster="kc-carol", backend="namespace", phase="creating"))
    saved("dave", "docker")
    rows = {r.name: (r.backend, r.status) for r in inventory.list_sandboxes(backend=NoClusters())}
    assert rows == {
        "alice": ("kind", "missing"),  # kind lists no such cluster
        "bob": ("namespace", "running"),
        "carol": ("namespace", "missing"),  # provisioning never finished
        "dave": ("docker", "unreadable"),
    }


def test_new_configures_by_name_and_refuses_options_of_the_other_backend(tmp_path):
    kind = backends.new("kind", nodes=2, image="img", recreate=True, force=True, kubeconfig=None, settings=None)
    assert (kind.nodes, kind.image, kind.recreate, kind.force) == (2, "img", True, True)
    with pytest.raises(UsageError, match=r"^--kubeconfig, --context apply to the namespace backend only"):
        backends.new("kind", kubeconfig=tmp_path / "k", context="c")
    settings = tmp_path / "s.yaml"
    settings.write_text("quota_cpu: 3\n")
    namespace = backends.new("namespace", nodes=3, context="c", settings=settings)  # kind's options: ignored
    assert (namespace.context, namespace.settings.quota_cpu) == ("c", "3")
    with pytest.raises(UsageError, match="--backend must be one of kind, namespace, not 'docker'"):
        backends.new("docker")


def test_kind_refuses_what_only_the_namespace_backend_does(kchome, tmp_path):
    saved("bob", "namespace")
    saved("alice", "kind")
    with pytest.raises(UsageError, match='sandbox "bob" is a namespace on a shared cluster: use `kubecourse up'):
        backends.for_up("kind", "bob")
    with pytest.raises(
        UsageError, match=r'sandbox "alice" is a kind cluster on this host: use `kubecourse up --backend kind'
    ):
        backends.for_up("namespace", "alice")
    assert isinstance(backends.for_up("namespace", "carol"), NamespaceBackend)
    with pytest.raises(UsageError, match="--offline applies to the kind backend only"):
        NamespaceBackend().class_up(tmp_path / "roster.csv", output=tmp_path / "o", parallel=1, offline=True)
    with pytest.raises(UsageError, match="prepared by the instructor"):
        NamespaceBackend().start("first-pod", "bob")


def test_grading_targets(kchome):
    with pytest.raises(Exception, match="no sandbox alice"):
        KindBackend().grading_target("alice")
    home.kubeconfig_path("alice").parent.mkdir(parents=True)
    home.kubeconfig_path("alice").write_text("x: 1\n")
    target = KindBackend().grading_target("alice")
    assert (target.kubeconfig, target.context, target.namespace) == (home.kubeconfig_path("alice"), None, None)
    records.save(
        records.NamespaceRecord(
            name="bob", namespace="kc-bob", kubeconfig="/admin", context="ctx", server="https://x", course="c"
        )
    )
    target = NamespaceBackend().grading_target("bob")
    assert (str(target.kubeconfig), target.context, target.namespace) == ("/admin", "ctx", "kc-bob")
    with pytest.raises(UsageError, match="no record of its shared cluster"):
        NamespaceBackend().grading_target("carol")
    assert json.loads((home.sandbox_dir("bob") / records.RECORD_FILE).read_text())["namespace"] == "kc-bob"
