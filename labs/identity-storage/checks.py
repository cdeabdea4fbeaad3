"""Checks of the identity-storage lab: claim ``shared`` and Jobs ``writer`` and ``reader`` in
namespace ``identity``. The identities are read from the Jobs' Pod templates; the proof of what
they did on the shared file system is each Pod's termination message (``uid=... gid=...
groups=... file=UID:GID:MODE`` from the writer, ``... read=CONTENT`` from the reader), which the
kubelet records in the Pod's status. A Job's Pods stay as long as the Job does.
"""

from __future__ import annotations

import re

from autograder.checks import check, fail, ok
from autograder.paths import get

NAMESPACE = "identity"
CLAIM = "shared"
WRITER = {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 3000}
READER_USER = 1001
GROUP = 3000
RESULT = "seed 7: pi ~ 3.14159"
_FIELD = re.compile(r"(\w+)=(.*?)(?= \w+=|$)")


def _job(state, name):
    return state.get("Job", name, namespace=NAMESPACE)


def _pod_security(job):
    return get(job, "spec.template.spec.securityContext", default=None) or {}


def _claims(job):
    return {
        get(v, "persistentVolumeClaim.claimName") for v in get(job, "spec.template.spec.volumes", default=None) or []
    } - {None}


def report(state, job_name):
    """The fields of the newest succeeded Pod's termination message of ``job_name`` ({} if none),
    and a line saying why there is none."""
    pods = state.objects("Pod", namespace=NAMESPACE, labels={"job-name": job_name})
    done = [p for p in pods if get(p, "status.phase") == "Succeeded"]
    if not done:
        failed = [p for p in pods if get(p, "status.phase") == "Failed"]
        if failed:
            message = (
                get(failed[-1], "status.containerStatuses[0].state.terminated.message", default="") or "no message"
            )
            return {}, f"{job_name} failed: {message.strip()[:200]}"
        return {}, f"no finished {job_name} Pod (is the Job still running, or deleted with its Pods?)"
    text = get(done[-1], "status.containerStatuses[0].state.terminated.message", default="") or ""
    return dict(_FIELD.findall(text.strip())), text.strip()


@check(
    id="claim-bound",
    title="Claim shared is bound to a volume",
    points=1,
    hint="A PersistentVolumeClaim named shared (ReadWriteOnce, 100Mi). The sandbox's storage binds it when the first "
    "Pod that uses it is scheduled: Pending until then is normal.",
)
def claim_bound(state):
    pvc = state.get("PersistentVolumeClaim", CLAIM, namespace=NAMESPACE)
    if pvc is None:
        return fail("no PersistentVolumeClaim shared in namespace identity")
    phase = get(pvc, "status.phase", default="Pending")
    if phase != "Bound":
        return fail(f"claim shared is {phase}: no Pod has used it yet, or no storage class can provide it")
    return ok(f"bound to {get(pvc, 'spec.volumeName')} ({get(pvc, 'status.capacity.storage')})")


@check(
    id="shared-claim",
    title="Both Jobs mount claim shared",
    points=1,
    hint="In each Job's Pod template: volumes: [{name: shared, persistentVolumeClaim: {claimName: shared}}] and a "
    "volumeMount at /data.",
)
def shared_claim(state):
    missing = []
    for name in ("writer", "reader"):
        job = _job(state, name)
        if job is None:
            missing.append(f"no Job {name}")
        elif CLAIM not in _claims(job):
            missing.append(f"{name} does not mount claim {CLAIM}")
    return fail("; ".join(missing)) if missing else ok("writer and reader share claim shared")


@check(
    id="writer-identity",
    title="The writer runs as user 1000, group 3000, fsGroup 3000, never as root",
    points=1,
    hint="In the writer's Pod spec: securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 3000, runAsNonRoot: true}.",
)
def writer_identity(state):
    job = _job(state, "writer")
    if job is None:
        return fail("no Job writer in namespace identity")
    context = _pod_security(job)
    wrong = [f"{k} is {context.get(k)}, expected {v}" for k, v in WRITER.items() if context.get(k) != v]
    if context.get("runAsNonRoot") is not True:
        wrong.append("runAsNonRoot is not true")
    return fail("; ".join(wrong)) if wrong else ok("uid 1000, gid 3000, fsGroup 3000, non-root")


@check(
    id="reader-identity",
    title="The reader is another user who belongs to group 3000",
    points=1,
    hint="runAsUser: 1001, and group 3000 as its runAsGroup (or in supplementalGroups, or as fsGroup); runAsNonRoot: true.",
)
def reader_identity(state):
    job = _job(state, "reader")
    if job is None:
        return fail("no Job reader in namespace identity")
    context = _pod_security(job)
    groups = {context.get("runAsGroup"), context.get("fsGroup"), *(context.get("supplementalGroups") or [])}
    wrong = []
    if context.get("runAsUser") != READER_USER:
        wrong.append(f"runAsUser is {context.get('runAsUser')}, expected {READER_USER}")
    if GROUP not in groups:
        wrong.append(f"group {GROUP} is not among its groups")
    if context.get("runAsNonRoot") is not True:
        wrong.append("runAsNonRoot is not true")
    return fail("; ".join(wrong)) if wrong else ok(f"uid {READER_USER}, in group {GROUP}")


@check(
    id="file-owned",
    title="The writer's file belongs to user 1000 and group 3000, readable by the group only",
    points=2,
    hint="The writer's Pod reports the file's owner in its termination message: kubectl get pods -n identity "
    "-l job-name=writer -o jsonpath='{.items[*].status.containerStatuses[0].state.terminated.message}'.",
)
def file_owned(state):
    if _job(state, "writer") is None:
        return fail("no Job writer in namespace identity")
    fields, why = report(state, "writer")
    if not fields:
        return fail(why)
    uid, gid, mode = (fields.get("file", "") + "::").split(":")[:3]
    problems = []
    if fields.get("uid") != "1000" or uid != "1000":
        problems.append(f"the writer ran as uid {fields.get('uid')} and the file belongs to uid {uid}")
    if gid != str(GROUP):
        problems.append(f"the file's group is {gid}, not {GROUP}")
    if mode != "640":
        problems.append(f"mode {mode}, expected 640 (umask 027)")
    return fail("; ".join(problems)) if problems else ok(f"writer: {why}")


@check(
    id="reader-read",
    title="The reader, as user 1001, read the writer's result",
    points=2,
    hint="If the reader failed with Permission denied, compare its groups with the file's group (the writer's "
    "termination message); delete both Jobs and apply again once fixed.",
)
def reader_read(state):
    if _job(state, "reader") is None:
        return fail("no Job reader in namespace identity")
    fields, why = report(state, "reader")
    if not fields:
        return fail(why)
    if fields.get("uid") != str(READER_USER):
        return fail(f"the reader ran as uid {fields.get('uid')}, not {READER_USER}")
    if fields.get("read", "").strip() != RESULT:
        return fail(f"the reader read {fields.get('read')!r}, not the writer's result")
    return ok(f"reader: {why}")
