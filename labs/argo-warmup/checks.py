"""Checks of the argo-warmup lab: three small Argo Workflows, graded from the Workflow objects.

Each part is graded on the newest Workflow of its family in namespace ``warmup`` (``hello-*``,
``fan-out-*``, ``output-*``); earlier attempts are ignored. Only the Workflow objects are read:
their ``status.nodes`` keep every step's times, inputs and outputs after the pods are gone, in
the shapes Argo v3.7 writes (``labs/argo-salmon/tests/argosim.py`` reproduces them for the
fixtures). A part that was never submitted, or submitted to another namespace, fails on its own,
so a learner who stops after part 1 keeps the points of part 1.
"""

from __future__ import annotations

import re

from autograder import objects
from autograder.checks import Unmet, check, fail, ok
from autograder.paths import get

NAMESPACE = "warmup"
API_VERSION = "argoproj.io/v1alpha1"
FINISHED = ("Succeeded", "Failed", "Error")
SETTLE_SECONDS = 60
"""Live, a check run right after `kubectl create` watches a running Workflow this long."""
MIN_ITEMS = 3
_LOOPED = re.compile(r"^(?P<step>.+)\((?P<index>\d+):(?P<item>.*)\)$")
_OUTPUT_REF = re.compile(r"\{\{\s*(steps|tasks)\.[\w-]+\.outputs\.parameters\.[\w-]+\s*\}\}")


def _graded(state, prefix: str) -> dict:
    """The newest ``prefix*`` Workflow in namespace warmup, finished if it will finish soon.

    Raises:
        Unmet: there is none (saying where one is, when it went to another namespace).
    """
    wf = state.newest("Workflow", namespace=NAMESPACE, api_version=API_VERSION, name_prefix=prefix)
    if wf is None:
        elsewhere = [
            o
            for o in state.objects("Workflow", api_version=API_VERSION)
            if str(get(o, "metadata.name", default="")).startswith(prefix)
        ]
        if elsewhere:
            where = sorted({str(get(o, "metadata.namespace")) for o in elsewhere})
            # One mistake for every part: the workflows went to another namespace.
            raise Unmet(
                f"found Workflow {objects.name(elsewhere[-1])} in namespace {', '.join(where)}, "
                f"expected {NAMESPACE}: create it with -n $NS",
                root=("elsewhere", "workflow", NAMESPACE, tuple(where)),
                hint="The workflow files name no namespace: pass yours when you create them, "
                "`kubectl create -n $NS -f hello.yaml` (without -n they land in your kubeconfig's default).",
            )
        raise Unmet(
            f"no {prefix}* Workflow in namespace {NAMESPACE} yet", root=("missing", "workflow", NAMESPACE, prefix)
        )
    if state.source == "live" and get(wf, "status.phase") not in FINISHED:
        done = state.wait_for(
            "Workflow",
            objects.name(wf),
            namespace=NAMESPACE,
            timeout=SETTLE_SECONDS,
            condition=lambda o: get(o, "status.phase") in FINISHED,
        )
        wf = done or wf
    return wf


def _succeeded(wf: dict) -> None:
    """Fail the check with Argo's own words unless ``wf`` succeeded."""
    phase = get(wf, "status.phase", default="") or "not started yet"
    if phase != "Succeeded":
        message = get(wf, "status.message", default="")
        failed = [n for n in _pods(wf) if n.get("phase") in ("Failed", "Error") and n.get("message")]
        if failed:  # "child 'x-123' failed" says which node, the node says why
            message += f" (step {failed[0].get('displayName')}: {failed[0]['message']})"
        raise Unmet(f"Workflow {objects.name(wf)} is {phase}" + (f": {message}" if message else ""))


def _pods(wf: dict) -> list[dict]:
    """The Workflow's pod nodes (a retried step counts once, as its Retry node), by start time."""
    nodes = [n for n in (get(wf, "status.nodes", default={}) or {}).values() if isinstance(n, dict)]
    retried = {c for n in nodes if n.get("type") == "Retry" for c in n.get("children") or []}
    pods = [n for n in nodes if n.get("type") == "Retry" or (n.get("type") == "Pod" and n.get("id") not in retried)]
    return sorted(pods, key=lambda n: (str(n.get("startedAt", "")), str(n.get("name", ""))))


def _params(node: dict, where: str) -> dict[str, str]:
    return {
        str(p.get("name")): str(p.get("value"))
        for p in get(node, f"{where}.parameters", default=[]) or []
        if isinstance(p, dict) and p.get("value") is not None
    }


def _when(node: dict) -> str:
    started, finished = objects.timestamp(node.get("startedAt")), objects.timestamp(node.get("finishedAt"))
    if started is None or finished is None:
        return "(times not recorded)"
    return f"{started:%H:%M:%S}-{finished:%H:%M:%S}"


def _after(later: dict, earlier: dict) -> bool:
    """Whether ``later`` started once ``earlier`` had finished (Argo records whole seconds)."""
    start, end = objects.timestamp(later.get("startedAt")), objects.timestamp(earlier.get("finishedAt"))
    return start is not None and end is not None and start >= end


@check(points=2)
def two_steps(state):
    """Part 1: a hello-* Workflow ran two steps, one after the other

    Each entry under `steps` is a group whose steps run in parallel; `- - name: second` starts a new group, which waits
    until the group before it has finished. Create it with `kubectl create -n $NS -f hello.yaml`.
    """
    wf = _graded(state, "hello-")
    _succeeded(wf)
    pods = _pods(wf)
    if len(pods) < 2:
        return fail(f"{objects.name(wf)} ran {len(pods)} step(s); part 1 needs two")
    for i, earlier in enumerate(pods):
        for later in pods[i + 1 :]:
            if _after(later, earlier):
                return ok(
                    f"{objects.name(wf)}: {earlier.get('displayName')} ran {_when(earlier)}, "
                    f"then {later.get('displayName')} {_when(later)}"
                )
    shown = ", ".join(f"{p.get('displayName')} {_when(p)}" for p in pods)
    return fail(f"the steps of {objects.name(wf)} ran at the same time ({shown}): they are in one group")


@check(points=2)
def fan_out(state):
    """Part 2: a fan-out-* Workflow looped one step over at least three different items

    Give one step `withItems: [alpha, beta, gamma]` and pass `value: "{{item}}"` as its argument: Argo runs one pod per
    item, all at once. `{{item}}` means something only in a step that loops.
    """
    wf = _graded(state, "fan-out-")
    _succeeded(wf)
    loops: dict[str, list[str]] = {}
    for pod in _pods(wf):
        looped = _LOOPED.match(str(pod.get("displayName", "")))
        if looped:
            loops.setdefault(looped.group("step"), []).append(looped.group("item"))
    if not loops:
        return fail(f"no step of {objects.name(wf)} looped: each step ran once")
    step, items = max(loops.items(), key=lambda kv: len(set(kv[1])))
    distinct = sorted(set(items), key=items.index)
    if len(distinct) < MIN_ITEMS:
        return fail(
            f"step {step} ran {len(items)} time(s) over {len(distinct)} different item(s) ({', '.join(items)}); "
            f"loop over at least {MIN_ITEMS} different ones"
        )
    return ok(f"step {step} ran once per item: {', '.join(items)}")


@check(points=2)
def output_parameter(state):
    """Part 3: in an output-* Workflow, a later step received an earlier step's output parameter

    In the template that writes /tmp/words declare `outputs: {parameters: [{name: words, valueFrom: {path:
    /tmp/words}}]}`, and in the next step pass `value: "{{steps.count.outputs.parameters.words}}"`.
    """
    wf = _graded(state, "output-")
    _succeeded(wf)
    name = objects.name(wf)
    pods = _pods(wf)
    produced = [(pod, key, value) for pod in pods for key, value in _params(pod, "outputs").items()]
    if not produced:
        return fail(f"no step of {name} exposed an output parameter (outputs.parameters with valueFrom.path)")
    if not _OUTPUT_REF.search(str(get(wf, "spec.templates", default=""))):
        return fail(
            f"{name} passes no output parameter along: no argument reads "
            "{{steps.<step>.outputs.parameters.<name>}}, so a later step only sees a value written by hand"
        )
    for source, key, value in produced:
        for later in pods:
            if later is not source and _after(later, source) and value in _params(later, "inputs").values():
                return ok(
                    f"step {later.get('displayName')} received {value!r}, "
                    f"the output parameter {key} of step {source.get('displayName')}"
                )
    source, key, value = produced[0]
    return fail(f"step {source.get('displayName')} exposed {key}={value!r}, but no later step received it")
