"""Checks of the identity-storage lab: claim ``shared`` and Jobs ``writer`` and ``reader`` in
namespace ``identity``. The identities are read from the Jobs' Pod templates; the proof of what
they did on the shared file system is each Pod's termination message (``uid=... gid=...
groups=... file=UID:GID:MODE`` from the writer, ``... read=CONTENT`` from the reader), which the
kubelet records in the Pod's status. A Job's Pods stay as long as the Job does.
"""

from __future__ import annotations

import re

from autograder.checks import check, fail, ok
from autograder.expect import expect_fields, require
from autograder.objects import name
from autograder.paths import get

NAMESPACE = "identity"
CLAIM = "shared"
WRITER = {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 3000}
READER_USER = 1001
GROUP = 3000
RESULT = "seed 7: pi ~ 3.14159"
_FIELD = re.compile(r"(\w+)=(.*?)(?= \w+=|$)")
# What later failures follow from: a claim no Job mounts, a writer or reader with the wrong identity.
UNMOUNTED = ("unmounted", NAMESPACE, CLAIM)
WRITER_IDENTITY = ("identity", NAMESPACE, "writer")
READER_IDENTITY = ("identity", NAMESPACE, "reader")
MOUNT_HINT = (
    "In each Job's Pod template: volumes: [{name: shared, persistentVolumeClaim: {claimName: shared}}] and a "
    "volumeMount at /data."
)


def _job(state, name):
    return require(state, "Job", name, namespace=NAMESPACE)


def _pod_security(job):
    return get(job, "spec.template.spec.securityContext", default=None) or {}


def _claims(job):
    return {
        get(v, "persistentVolumeClaim.claimName") for v in get(job, "spec.template.spec.volumes", default=None) or []
    } - {None}


def _unmounted(state):
    """``["writer does not mount claim shared", ...]`` for the Jobs that exist."""
    jobs = [state.get("Job", name, namespace=NAMESPACE) for name in ("writer", "reader")]
    return [
        f"{name(job)} does not mount claim {CLAIM}" for job in jobs if job is not None and CLAIM not in _claims(job)
    ]


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


def _writer_identity(job):
    outcome = expect_fields(
        job,
        {**WRITER, "runAsNonRoot": True},
        at="spec.template.spec.securityContext",
        passed="uid 1000, gid 3000, fsGroup 3000, non-root",
    )
    return outcome.with_root(WRITER_IDENTITY)


def _reader_identity(job):
    context = _pod_security(job)
    groups = {context.get("runAsGroup"), context.get("fsGroup"), *(context.get("supplementalGroups") or [])}
    wrong = []
    if context.get("runAsUser") != READER_USER:
        wrong.append(f"runAsUser is {context.get('runAsUser')}, expected {READER_USER}")
    if GROUP not in groups:
        wrong.append(f"group {GROUP} is not among its groups")
    if context.get("runAsNonRoot") is not True:
        wrong.append("runAsNonRoot is not true")
    return fail("; ".join(wrong), root=READER_IDENTITY) if wrong else ok(f"uid {READER_USER}, in group {GROUP}")


@check(points=1)
def claim_bound(state):
    """Claim shared is bound to a volume

    A PersistentVolumeClaim named shared (ReadWriteOnce, 100Mi). The sandbox's storage binds it when the first Pod that
    uses it is scheduled: Pending until then is normal.
    """
    pvc = require(state, "PersistentVolumeClaim", CLAIM, namespace=NAMESPACE)
    phase = get(pvc, "status.phase", default="Pending")
    if phase == "Bound":
        return ok(f"bound to {get(pvc, 'spec.volumeName')} ({get(pvc, 'status.capacity.storage')})")
    unmounted = _unmounted(state)
    if unmounted:  # the claim waits for a Pod that uses it: say which Jobs do not
        return fail(f"claim shared is {phase}: {'; '.join(unmounted)}", hint=MOUNT_HINT, root=UNMOUNTED)
    return fail(f"claim shared is {phase}: no Pod has used it yet, or no storage class can provide it")


@check(hint=MOUNT_HINT, points=1)
def shared_claim(state):
    """Both Jobs mount claim shared"""
    _job(state, "writer"), _job(state, "reader")
    unmounted = _unmounted(state)
    return fail("; ".join(unmounted), root=UNMOUNTED) if unmounted else ok("writer and reader share claim shared")


@check(points=1)
def writer_identity(state):
    """The writer runs as user 1000, group 3000, fsGroup 3000, never as root

    In the writer's Pod spec: securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 3000, runAsNonRoot: true}.
    """
    return _writer_identity(_job(state, "writer"))


@check(points=1)
def reader_identity(state):
    """The reader is another user who belongs to group 3000

    runAsUser: 1001, and group 3000 as its runAsGroup (or in supplementalGroups, or as fsGroup); runAsNonRoot: true.
    """
    return _reader_identity(_job(state, "reader"))


@check(points=2)
def file_owned(state):
    """The writer's file belongs to user 1000 and group 3000, readable by the group only

    The writer's Pod reports the file's owner in its termination message: kubectl get pods -n identity -l
    job-name=writer -o jsonpath='{.items[*].status.containerStatuses[0].state.terminated.message}'.
    """
    writer = _job(state, "writer")
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
    if not problems:
        return ok(f"writer: {why}")
    return fail("; ".join(problems)).with_root(_writer_identity(writer).root)


@check(points=2)
def reader_read(state):
    """The reader, as user 1001, read the writer's result

    If the reader failed with Permission denied, compare its groups with the file's group (the writer's termination
    message); delete both Jobs and apply again once fixed.
    """
    reader = _job(state, "reader")
    fields, why = report(state, "reader")
    if not fields:
        outcome = fail(why)
    elif fields.get("uid") != str(READER_USER):
        outcome = fail(f"the reader ran as uid {fields.get('uid')}, not {READER_USER}")
    elif fields.get("read", "").strip() != RESULT:
        outcome = fail(f"the reader read {fields.get('read')!r}, not the writer's result")
    else:
        return ok(f"reader: {why}")
    # A reader that could not read follows from the first of: a claim not shared, a writer that
    # wrote the file as someone else, a reader that is not who it should be.
    writer = state.get("Job", "writer", namespace=NAMESPACE)
    identities = [_writer_identity(writer) if writer is not None else ok(), _reader_identity(reader)]
    roots = [UNMOUNTED] if _unmounted(state) else []
    roots += [verdict.root for verdict in identities if verdict.fraction < 1]
    return outcome.with_root(roots[0]) if roots else outcome
