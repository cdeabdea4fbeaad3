"""The argo-salmon lab's checks: the Salmon study as an Argo Workflow, graded from the Workflow object.

The graded Workflow is the newest ``salmon-*`` Workflow in namespace ``salmon``; earlier attempts
are ignored. Only Workflow objects are read (their ``status.nodes`` keep every run's inputs,
outputs and times after the Pods are gone), through :mod:`salmon_workflow` beside this file.

One mistake fails several checks (a Workflow Argo refused runs nothing; a collect step started
too early or without the shared volume fails and reports nothing), so each failure names its
root: the first check that meets it explains it, the others are marked as its consequences.
"""

from __future__ import annotations

from autograder.checks import Unmet, check, fail, ok, partial

from . import salmon_workflow as sw

FINISHED = ("Succeeded", "Failed", "Error")
# On a live cluster a check run right after `kubectl create` would see a workflow still running;
# the first check that reads the status watches it this long for it to finish.
SETTLE_SECONDS = 180
NO_WORKFLOW = ("missing", "workflow", sw.NAMESPACE, sw.NAME_PREFIX)
NEVER_RAN_HINT = (
    "Argo refused the Workflow before it started a single pod; status.message names the problem "
    "(`kubectl get wf -n salmon <name> -o jsonpath='{.status.message}'`). `invalid spec` means a "
    "template, task or step that names something that does not exist; `kubecourse lint argo-salmon "
    "workflow.yaml` finds it before you submit. Fix it and submit again with `kubectl create`."
)
RUN_FAILED_HINT = (
    "Watch it with `kubectl get wf -n salmon -w` and read why a node failed with "
    "`kubectl get wf -n salmon <name> -o yaml` (status.nodes[*].message) or the pod's logs. "
    "OOMKilled means a memory limit below what the solver needs; ErrImageNeverPull or "
    "ImagePullBackOff means the image was not loaded with `kind load docker-image`."
)
STORAGE_HINT = (
    "Declare the claim once under `spec.volumes` (`persistentVolumeClaim: {claimName: salmon-data}`) "
    "or `spec.volumeClaimTemplates`, and mount it in both the solver and the collect template. "
    "An emptyDir lives and dies with its pod: the collect step would find no results."
)


def _graded(state, *, settle: bool = False):
    """The newest salmon-* Workflow, read; the check fails here when there is none."""
    found = state.newest("Workflow", namespace=sw.NAMESPACE, api_version=sw.API_VERSION, name_prefix=sw.NAME_PREFIX)
    if found is None:
        others = [o["metadata"]["name"] for o in state.objects("Workflow", api_version=sw.API_VERSION)]
        if others:
            found_names = ", ".join(others)
            raise Unmet(
                f"found Workflow(s) {found_names}, but none named salmon-* in namespace salmon", root=NO_WORKFLOW
            )
        raise Unmet("no Workflow in namespace salmon", root=NO_WORKFLOW)
    wf = sw.read(found)
    if settle and state.source == "live" and wf.phase not in FINISHED:
        done = state.wait_for(
            "Workflow",
            wf.name,
            namespace=sw.NAMESPACE,
            timeout=SETTLE_SECONDS,
            condition=lambda o: (o.get("status") or {}).get("phase") in FINISHED,
        )
        if done is not None:
            wf = sw.read(done)
    return wf


def _ran(wf):
    """The Workflow, unless Argo ended it before any pod ran (``invalid spec``): then the check
    fails here, with the reason Argo gave."""
    if wf.phase in ("Failed", "Error") and not wf.runs and wf.collect is None:
        raise Unmet(f"{wf.name} never ran: {wf.message or wf.phase}", root=("never-ran", wf.name), hint=NEVER_RAN_HINT)
    return wf


def _failed_runs(wf):
    return [r for r in wf.runs if r.phase in ("Failed", "Error")]


def _runs_failed(wf):
    """Fail the check when solver runs failed and so nothing could be collected."""
    failed = _failed_runs(wf)
    if failed:
        first = failed[0]
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        raise Unmet(
            f"solver run {first.node} {first.phase.lower()}{more}: {first.message or 'no message'}",
            root=("runs-failed", wf.name),
            hint=RUN_FAILED_HINT,
        )


def _declared(template: dict, where: str) -> set:
    section = template.get(where) if isinstance(template.get(where), dict) else {}
    return {p.get("name") for p in section.get("parameters") or [] if isinstance(p, dict)}


def _storage(wf):
    """Whether the solver runs and the collect step share a claim the solvers can write to."""
    spec = wf.spec
    solvers = [t for t in sw.templates(spec) if "seed" in _declared(t, "inputs")]
    collects = [t for t in sw.templates(spec) if "best-score" in _declared(t, "outputs")]
    root = ("no-shared-storage", wf.name)
    if not solvers:
        return fail("no template takes an input parameter 'seed', so no solver template to inspect", root=root)
    if not collects:
        return fail(
            "no template exposes the output parameter 'best-score', so no collect template to inspect", root=root
        )
    solver_claims = set.intersection(*(sw.claim_mounts(spec, t, writable=True) for t in solvers))
    if not solver_claims:
        read_only = sw.claim_mounts(spec, solvers[0])
        why = f" it can write to (only read-only: {', '.join(sorted(read_only))})" if read_only else ""
        return fail(
            f"template {solvers[0].get('name')!r} mounts no volume backed by a PersistentVolumeClaim{why}, "
            "so its results stay in the pod",
            root=root,
        )
    shared = solver_claims & set.intersection(*(sw.claim_mounts(spec, t) for t in collects))
    if not shared:
        return fail(
            f"template {collects[0].get('name')!r} mounts none of the claims the solver writes to "
            f"({', '.join(sorted(solver_claims))})",
            root=root,
        )
    return ok(f"solver and collect share {', '.join(sorted(shared))}")


def _ordering(wf):
    """Whether the collect step started after every solver run finished."""
    root = ("collect-early", wf.name)
    unfinished = [r for r in wf.runs if r.finished is None]
    if unfinished:
        return fail(f"collect started while {unfinished[0].node} had not finished", root=root)
    last = max(wf.runs, key=lambda r: r.finished)
    if wf.collect.started < last.finished:
        early = (last.finished - wf.collect.started).total_seconds()
        message = f"collect started at {wf.collect.started:%H:%M:%S}, {early:.0f} s before {last.node} finished"
        return fail(message, root=root)
    return ok(
        f"collect started at {wf.collect.started:%H:%M:%S}, after the last run finished at {last.finished:%H:%M:%S}"
    )


def _why_collect_failed(wf):
    """The root a failed or silent collect step follows from: it started too early, or it could
    not see the runs' results; None when it is neither."""
    if wf.collect is not None and wf.collect.started is not None and wf.runs:
        ordering = _ordering(wf)
        if ordering.fraction < 1:
            return ordering.root
    storage = _storage(wf)
    return storage.root if storage.fraction < 1 else None


@check(points=1)
def workflow_exists(state):
    """A salmon-* Workflow exists in namespace salmon

    Submit with `kubectl create -f workflow.yaml` (generateName needs create, not apply), with `metadata.generateName:
    salmon-` and `metadata.namespace: salmon`.
    """
    wf = _graded(state)
    attempts = len(state.objects("Workflow", namespace=sw.NAMESPACE, api_version=sw.API_VERSION))
    more = f" (newest of {attempts} attempts; earlier ones are not graded)" if attempts > 1 else ""
    return ok(f"grading Workflow {wf.name}{more}")


@check(points=2)
def fan_out(state):
    """At least 5 solver runs from one looped step, each with its own seed

    Loop one step or task over the seeds: `withItems: [3, 7, 11, 13, 17]` (or `withParam` over a seed generator's JSON
    list), pass `value: "{{item}}"` as the input parameter `seed`, and make every seed different: runs with the same
    seed repeat the same search.
    """
    wf = _ran(_graded(state, settle=True))
    runs = wf.runs
    if not runs:
        why = f" (status.message: {wf.message})" if wf.message else ""
        return fail(f"no looped solver pods ran in {wf.name}{why}")
    template = runs[0].template
    seeds = [r.seed for r in runs]
    if None in seeds:
        return fail(f"the runs of template {template!r} have no input parameter 'seed'")
    repeated = sorted({s for s in seeds if seeds.count(s) > 1}, key=str)
    if repeated:
        return fail(
            f"{len(runs)} runs of {template!r}, but seed(s) {', '.join(repeated)} repeat: "
            f"only {len(set(seeds))} distinct seeds"
        )
    if len(runs) < sw.MIN_RUNS:
        return fail(
            f"only {len(runs)} run(s) of {template!r} (seeds {', '.join(seeds)}); "
            f"the study needs at least {sw.MIN_RUNS}"
        )
    return ok(f"{len(runs)} runs of template {template!r} with distinct seeds {', '.join(seeds)}")


@check(hint=STORAGE_HINT, points=1)
def shared_storage(state):
    """Solver runs and the collect step share a PersistentVolumeClaim"""
    return _storage(_graded(state))


@check(points=1)
def resource_requests(state):
    """Every container and script template requests CPU and memory

    Add `resources: {requests: {cpu: 200m, memory: 256Mi}}` to each container or script template (or once under
    `spec.templateDefaults`): the scheduler places pods by their requests.
    """
    spec = _graded(state).spec
    defaults = set()
    for key in ("container", "script"):
        defaults |= set(
            (((spec.get("templateDefaults") or {}).get(key) or {}).get("resources") or {}).get("requests") or {}
        )
    missing, counted = [], 0
    for t in sw.templates(spec):
        for label, c in sw.containers(t):
            counted += 1
            have = set((c.get("resources") or {}).get("requests") or {}) | defaults
            lacking = [r for r in ("cpu", "memory") if r not in have]
            if lacking:
                missing.append(f"{t.get('name')} ({label}: no {' or '.join(lacking)})")
    if not counted:
        return fail("the workflow has no container or script templates")
    if missing:
        return fail("requests missing in template(s) " + "; ".join(missing))
    return ok(f"all {counted} containers request cpu and memory")


@check(points=2)
def collect_after_runs(state):
    """The collect step started after every solver run finished

    The collect step ran before the runs finished. In a dag, add `dependencies: [run]` to the collect task; in steps,
    put collect in a later step group (its own `- - name: collect`).
    """
    wf = _ran(_graded(state))
    if not wf.runs:
        return fail("no solver runs to order the collect step after")
    if wf.collect is None:
        _runs_failed(wf)
        return fail("no collect step ran (no node exposes the output parameter 'best-score')")
    if wf.collect.started is None:
        return fail(f"the collect step {wf.collect.node} never started ({wf.collect.phase or 'no phase'})")
    return _ordering(wf)


@check(hint=RUN_FAILED_HINT, points=1)
def workflow_succeeded(state):
    """The Workflow succeeded"""
    wf = _ran(_graded(state))
    if wf.phase == "Succeeded":
        took = f" in {(wf.finished - wf.started).total_seconds():.0f} s" if wf.started and wf.finished else ""
        return ok(f"{wf.name} Succeeded{took}")
    failed = [n for n in (*wf.runs, wf.collect) if n is not None and n.phase in ("Failed", "Error")]
    detail = f"; {failed[0].node}: {failed[0].message}" if failed and failed[0].message else ""
    if wf.phase not in FINISHED:
        return fail(
            f"{wf.name} is still {wf.phase or 'waiting for the controller'}; check again when "
            "`kubectl get wf -n salmon` shows it finished"
        )
    failure = fail(f"{wf.name} is {wf.phase}" + (f" ({wf.message})" if wf.message else "") + detail)
    if _failed_runs(wf):
        return failure.with_root(("runs-failed", wf.name))
    cause = _why_collect_failed(wf) if wf.collect is not None and wf.collect.phase in ("Failed", "Error") else None
    return failure.with_root(cause) if cause else failure


@check(points=2)
def honest_collect(state):
    """best-score is the highest run score and best-seed a seed that reached it

    Every run must expose `score` (outputs.parameters with valueFrom.path); the collect step must read all runs' results
    from the shared volume and report the highest score (for DNA assembly higher is better) and that run's seed: `python
    -m salmon_algorithm.collect DIR`.
    """
    wf = _ran(_graded(state))
    if not wf.runs:
        return fail("no solver runs to compare with")
    missing = [r.node for r in wf.runs if r.phase == "Succeeded" and sw.as_int(r.score) is None]
    if missing:
        return fail(f"run {missing[0]} exposes no integer output parameter 'score'")
    scored = {r.seed: sw.as_int(r.score) for r in wf.runs if r.phase == "Succeeded"}
    if not scored:
        _runs_failed(wf)
        return fail("no solver run succeeded, so there is no best score")
    if wf.collect is None or wf.collect.best_score is None:
        why = f" (it {wf.collect.phase}: {wf.collect.message})" if wf.collect is not None and wf.collect.message else ""
        silent = fail(f"the collect step exposed no 'best-score'{why}")
        cause = _why_collect_failed(wf)
        return silent.with_root(cause) if cause else silent
    best = max(scored.values())
    reported = sw.as_int(wf.collect.best_score)
    if reported != best:
        return fail(f"best-score is {wf.collect.best_score}, but the highest run score is {best}")
    winners = sorted((s for s, v in scored.items() if v == best), key=str)
    if wf.collect.best_seed not in winners:
        return partial(
            0.5,
            f"best-score {best} is right, but best-seed is {wf.collect.best_seed}; "
            f"seed(s) {', '.join(winners)} scored {best}",
        )
    return ok(f"best-score {best} from seed {wf.collect.best_seed}, the best of {len(scored)} runs")
