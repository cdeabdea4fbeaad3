"""Every kubectl command a namespace-mode lab's notebook asks learners to run is allowed by the
learner's rights, and the rights hold nothing no lab asks for: an ``auth can-i`` matrix
computed from the rules.

The commands are read from each lab's notebook (``labs/<lab>/<lab>.md``), every line that runs
kubectl (``$ kubectl ...``, ``!kubectl ...``, or a bare ``kubectl ...`` in a code block). Each is
turned into the API requests kubectl makes for it (verbs per subcommand as kubectl's own code
issues them: ``apply`` gets then creates or patches, ``run -it`` creates the Pod and attaches,
``port-forward service/x`` reads the Service, lists its Pods and creates ``pods/portforward``
...), and each request is decided by the fake API server's RBAC authorizer (tests/fakekube/
authz.py, which follows kubernetes' plugin/pkg/auth/authorizer/rbac/rbac.go) against the
objects the namespace backend makes for a learner.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import yaml
from fakekube import authz, crds
from fakekube.manifests import workflow_crd
from fakekube.resources import Registry
from fakekube.store import Store

from coursecore import labs
from sandbox.namespace import objects
from sandbox.namespace.settings import NamespaceSettings

LEARNER = "alice"
NS = objects.namespace_of(LEARNER)
REGISTRY = Registry()
REGISTRY.add(crds.resource_types(workflow_crd()))


@dataclass(frozen=True)
class Need:
    verb: str
    group: str
    resource: str
    subresource: str = ""
    namespaced: bool = True
    name: str = "x"

    def __str__(self) -> str:
        res = f"{self.resource}/{self.subresource}" if self.subresource else self.resource
        return f"{self.verb} {res}{'.' + self.group if self.group else ''}{'' if self.namespaced else ' (cluster)'}"


def _rt(word: str):
    """A resource named on kubectl's command line: plural, singular, short name or Kind."""
    word = word.lower().split(".")[0]
    for rt in REGISTRY.all():
        if word in (rt.plural, rt.singular, rt.kind.lower(), *rt.short_names):
            return rt
    raise AssertionError(f"unknown resource {word!r} on a kubectl command line")


def _needs_of(rt, *verbs: str, sub: str = "") -> list[Need]:
    return [Need(v, rt.group, rt.plural, sub, rt.namespaced) for v in verbs]


def _file_kinds(lab: labs.Lab) -> list:
    """The kinds a lab's manifests hold (what ``apply -f``/``-k`` sends)."""
    found = {}
    for folder in ("solution", "starter"):
        for path in sorted((lab.path / folder).rglob("*.y*ml")):
            for doc in yaml.safe_load_all(path.read_text()):
                if isinstance(doc, dict) and doc.get("kind") and doc.get("apiVersion"):
                    rt = REGISTRY.by_kind(doc["apiVersion"], doc["kind"])
                    if rt is not None:
                        found[rt.storage_key] = rt
    return list(found.values())


def _targets(args: list[str]) -> list:
    """Resources named by positional arguments (``pods``, ``job/sweep``, ``deploy,rs,pods``)."""
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return []
    first = words[0].split("/")[0]
    return [_rt(w) for w in first.split(",")]


def requests_of(line: str, lab: labs.Lab) -> list[Need]:
    """The API requests kubectl makes for one command line (after ``kubectl``)."""
    args = shlex.split(line, comments=True)
    if not args:
        return []
    verb, rest = args[0], args[1:]
    if verb in ("kustomize", "version", "api-resources", "explain", "config", "auth", "completion"):
        return []  # local, or discovery every authenticated user may read
    flags = {a.split("=")[0] for a in rest if a.startswith("-")}
    pods, svc = _rt("pods"), _rt("services")
    files = {"-f", "-k", "--filename", "--kustomize"} & flags or (verb in ("apply", "replace") and not rest)
    if verb in ("apply", "create", "replace", "delete") and files:
        verbs = {
            "apply": ("get", "create", "patch"),
            "create": ("create",),
            "replace": ("get", "update"),
            "delete": ("get", "delete"),
        }[verb]
        return [n for rt in _file_kinds(lab) for n in _needs_of(rt, *verbs)]
    if verb == "get":
        named = (
            any("/" in a for a in rest if not a.startswith("-")) or len([a for a in rest if not a.startswith("-")]) > 1
        )
        verbs = ("get",) if named and not ({"-l", "--selector"} & flags) else ("list",)
        if {"-w", "--watch"} & flags:
            verbs += ("watch",)
        needs = [n for rt in _targets(rest) for n in _needs_of(rt, *verbs)]
        # `kubectl get namespace NAME`: in namespace mode NAME is the learner's own namespace
        return [replace(n, name=NS) if n.resource == "namespaces" else n for n in needs]
    if verb == "delete":
        listed = ("list",) if {"-l", "--selector", "--all"} & flags else ()
        return [n for rt in _targets(rest) for n in _needs_of(rt, "get", "delete", *listed)]
    if verb == "describe":
        return [n for rt in _targets(rest) for n in _needs_of(rt, "get", "list")] + _needs_of(_rt("events"), "list")
    if verb == "logs":
        return _needs_of(pods, "get", "list") + _needs_of(pods, "get", sub="log")
    if verb == "wait":
        return [
            n
            for rt in _targets([a.split("/")[0] for a in rest if "/" in a and not a.startswith("-")])
            for n in _needs_of(rt, "get", "list", "watch")
        ]
    if verb == "rollout":
        target = _targets(rest[1:])
        needs = [n for rt in target for n in _needs_of(rt, "get", "watch", "list")] + _needs_of(
            _rt("replicasets"), "list"
        )
        if rest and rest[0] in ("undo", "restart", "pause", "resume"):
            needs += [n for rt in target for n in _needs_of(rt, "patch")]
        return needs
    if verb == "scale":
        return [n for rt in _targets(rest) for n in _needs_of(rt, "get") + _needs_of(rt, "patch", sub="scale")]
    if verb == "port-forward":
        via_service = any(a.startswith(("service/", "svc/")) for a in rest)
        return (
            (_needs_of(svc, "get") if via_service else [])
            + _needs_of(pods, "get", "list")
            + _needs_of(pods, "create", sub="portforward")
        )
    if verb == "exec":
        return _needs_of(pods, "get") + _needs_of(pods, "create", sub="exec")
    if verb == "run":
        needs = _needs_of(pods, "create", "get", "watch")
        if {"-i", "-it", "-ti", "--stdin", "-t", "--tty", "--attach"} & flags:
            needs += _needs_of(pods, "create", sub="attach")
        if "--rm" in flags:
            needs += _needs_of(pods, "delete")
        return needs
    if verb in ("edit", "label", "annotate", "patch", "set"):
        return [n for rt in _targets(rest) for n in _needs_of(rt, "get", "patch")]
    if verb == "top":
        return [Need("list", "metrics.k8s.io", "pods")]
    raise AssertionError(f"no mapping for `kubectl {verb}`; add one to this test")


_INLINE = re.compile(r"`kubectl\s+([a-z][-a-z]*(?:\s[^`]*)?)`")
_COMMAND = re.compile(r"^\s*(?:\$\s+|!)?kubectl\s+([a-z][-a-z]*(?:\s.*)?)$")


def notebook_commands(lab: labs.Lab) -> list[str]:
    """Every kubectl command line in the code blocks of the lab's notebook."""
    text = (lab.path / f"{lab.id}.md").read_text()
    commands, in_code, pending = [], False, ""
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if not in_code:
            # prose teaches commands too (`kubectl exec -it hello -- sh` in an exercise)
            commands += [_variables(m) for m in _INLINE.findall(line)]
            continue
        if pending:
            line = pending + " " + line.strip()
            pending = ""
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1].rstrip()
            continue
        match = _COMMAND.match(line)
        if match:
            commands.append(_variables(match.group(1)))
    return commands


def _variables(command: str) -> str:
    # notebook variables ({NS}, $NS) and placeholders (<name>, NAME) stand for a name
    return re.sub(r"\{\w+\}|\$\w+|<[^>]+>", "x", command)


def _store_for(learner_objects: list[dict]) -> Store:
    store = Store()
    keys = {
        "Role": ("rbac.authorization.k8s.io", "roles"),
        "RoleBinding": ("rbac.authorization.k8s.io", "rolebindings"),
        "ClusterRole": ("rbac.authorization.k8s.io", "clusterroles"),
        "ClusterRoleBinding": ("rbac.authorization.k8s.io", "clusterrolebindings"),
    }
    for obj in learner_objects:
        if obj["kind"] in keys:
            store.put(keys[obj["kind"]], obj, event_type="ADDED")
    return store


def allowed(store: Store, need: Need) -> bool:
    user = authz.service_account_user(NS, objects.SERVICE_ACCOUNT)
    request = authz.Request(
        need.verb, need.group, need.resource, need.subresource, NS if need.namespaced else "", need.name
    )
    return authz.allowed(store, user, request)


NAMESPACE_LABS = [lab for lab in labs.discover() if "namespace" in lab.backends]


@pytest.mark.parametrize("lab", NAMESPACE_LABS, ids=[lab.id for lab in NAMESPACE_LABS])
def test_every_learner_command_is_allowed(lab):
    store = _store_for(objects.learner_objects(LEARNER, NamespaceSettings()))
    commands = notebook_commands(lab)
    assert commands, f"{lab.id}: no kubectl commands found in its notebook"
    refused = sorted(
        {f"kubectl {c.split()[0]}: {n}" for c in commands for n in requests_of(c, lab) if not allowed(store, n)}
    )
    assert not refused, f"{lab.id}: the learner's rights refuse\n" + "\n".join(refused)


def test_the_rights_hold_nothing_no_lab_asks_for():
    """Each rule of the Role is needed by some command of some namespace-mode lab."""
    asked = {n for lab in NAMESPACE_LABS for c in notebook_commands(lab) for n in requests_of(c, lab)}
    unused = []
    for rule in objects.LEARNER_RULES:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                res, _, sub = resource.partition("/")
                if not any(n.group == group and n.resource == res and n.subresource == sub for n in asked):
                    unused.append(f"{resource}.{group}" if group else resource)
    assert not unused, f"rights no namespace-mode lab's notebook uses: {unused}"


def test_attach_is_granted_for_kubectl_run_it():
    store = _store_for(objects.learner_objects(LEARNER, NamespaceSettings()))
    needs = requests_of(
        "run try -n salmon --rm -it --restart=Never --image=busybox:1.36 -- sh", labs.find("argo-salmon")
    )
    assert Need("create", "", "pods", "attach") in needs
    assert all(allowed(store, n) for n in needs)


def test_a_command_the_rights_refuse_is_reported():
    store = _store_for(objects.learner_objects(LEARNER, NamespaceSettings()))
    needs = requests_of("get clusterrolebindings", labs.find("first-pod"))
    assert needs and not any(allowed(store, n) for n in needs)


def test_notebook_commands_are_read_with_continuations_and_variables(tmp_path):
    lab_dir = tmp_path / "demo"
    lab_dir.mkdir()
    (lab_dir / "demo.md").write_text(
        "text `kubectl get nodes` is prose\n"
        "```bash\n$ kubectl run x \\\n  -it --image=a -n {NS}\n!kubectl get pods -n $NS\n```\n"
    )
    lab = labs.Lab(id="demo", title="d", tier="general", minutes=1, summary="s", path=lab_dir)
    assert notebook_commands(lab) == ["get nodes", "run x -it --image=a -n x", "get pods -n x"]


def test_every_lab_notebook_exists():
    for lab in NAMESPACE_LABS:
        assert Path(lab.path / f"{lab.id}.md").is_file()
