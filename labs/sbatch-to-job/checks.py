"""Checks of the sbatch-to-job lab: the Job in namespace ``hpc`` must do what ``starter/job.sbatch``
asks of Slurm. Every expected value is read from the script itself (through :mod:`slurm` beside
this file), so the checks and the script cannot drift apart: job name, array size and throttle,
walltime, CPUs, memory, requeue policy and the command.
"""

from __future__ import annotations

from decimal import Decimal

from autograder import objects
from autograder.checks import check, fail, ok, partial
from autograder.expect import expect_fields, require
from autograder.paths import get
from autograder.workloads import expect_job_complete
from manifestlint import quantity

from .slurm import array_indexes, awk_program, memory_bytes, script, walltime_seconds

NAMESPACE = "hpc"
INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"


def _words(text: str) -> str:
    return " ".join(text.split())


def _job(state):
    return require(state, "Job", script()["job-name"], namespace=NAMESPACE)


def _container(job):
    containers = objects.containers(job)
    return containers[0] if containers else {}


@check(points=1)
def job_named(state):
    """A Job named after --job-name exists in namespace hpc

    metadata.name is the script's --job-name; metadata.namespace is hpc.
    """
    return ok(f"found Job {objects.name(_job(state))}")


@check(points=2)
def array_indexed(state):
    """--array became an Indexed Job with one completion per task

    completionMode: Indexed, and completions = the number of array tasks (0-9 is ten tasks, not nine).
    """
    job = _job(state)
    indexes, _ = array_indexes(script()["array"])
    mode = get(job, "spec.completionMode", default="NonIndexed")
    completions = get(job, "spec.completions")
    problems = []
    if mode != "Indexed":
        problems.append(f"completionMode is {mode}: the Pods get no task index")
    if completions != len(indexes):
        problems.append(f"completions is {completions}; --array={script()['array']} has {len(indexes)} tasks")
    if indexes != list(range(len(indexes))):
        problems.append("the array does not start at 0: map each index to a task id")
    return ok(f"Indexed, {completions} completions") if not problems else fail("; ".join(problems))


@check(points=1)
def array_throttle(state):
    """The array throttle (%N) became parallelism

    --array=0-9%4 runs at most four tasks at once: spec.parallelism: 4.
    """
    job = _job(state)
    indexes, throttle = array_indexes(script()["array"])
    wanted = throttle or len(indexes)
    return expect_fields(job, {"spec": {"parallelism": wanted}}, passed=f"parallelism {wanted}")


@check(points=1)
def walltime(state):
    """--time became activeDeadlineSeconds

    Convert --time (HH:MM:SS) to seconds; per task it is the Pod template's activeDeadlineSeconds (spec.template.spec),
    the Job-level field limits the whole array.
    """
    job = _job(state)
    wanted = walltime_seconds(script()["time"])
    pod_level = get(job, "spec.template.spec.activeDeadlineSeconds")
    job_level = get(job, "spec.activeDeadlineSeconds")
    if pod_level == wanted:
        return ok(f"{wanted} s per task, as Slurm counts it")
    if job_level == wanted:
        return ok(f"{wanted} s for the whole Job (Slurm counts --time per task; the Pod-level field is closer)")
    return fail(
        f"expected activeDeadlineSeconds {wanted} (--time={script()['time']}); "
        f"found {job_level} on the Job and {pod_level} on the Pod template"
    )


def _expect_request(state, resource, wanted, expected):
    """Whether the container requests exactly ``wanted`` of ``resource``; ``expected`` ends the failure."""
    got = get(_container(_job(state)), f"resources.requests.{resource}")
    if quantity(got) == wanted:
        return ok(f"{resource} request {got}")
    return fail(f"{resource} request is {got!r}{expected}")


@check(points=1)
def cpus(state):
    """--cpus-per-task became the CPU request

    resources.requests.cpu is the number of CPUs per task, e.g. "2".
    """
    wanted = Decimal(script()["cpus-per-task"])
    return _expect_request(state, "cpu", wanted, f", expected {wanted}")


@check(points=1)
def memory(state):
    """--mem became the memory request

    Slurm's --mem=4G means 4 x 1024^3 bytes: write 4Gi (4G in Kubernetes is 4 x 1000^3).
    """
    mem = script()["mem"]
    wanted = memory_bytes(mem)
    return _expect_request(state, "memory", wanted, f"; --mem={mem} is {wanted} bytes ({wanted // 2**30}Gi)")


@check(points=1)
def no_requeue(state):
    """--no-requeue became a retry budget of zero per task

    backoffLimitPerIndex: 0 stops a failed task from being run again without touching the others.
    """
    job = _job(state)
    if "no-requeue" not in script():
        return ok("the script allows requeueing")
    per_index = get(job, "spec.backoffLimitPerIndex")
    if per_index == 0:
        return ok("backoffLimitPerIndex 0")
    if get(job, "spec.backoffLimit") == 0:
        return partial(
            0.5,
            "backoffLimit 0 fails the whole array at the first failed task; "
            "Slurm's array tasks fail one by one: use backoffLimitPerIndex: 0",
        )
    return fail(
        f"failed tasks are retried (backoffLimitPerIndex {per_index}, backoffLimit "
        f"{get(job, 'spec.backoffLimit')}); the script says --no-requeue"
    )


@check(points=2)
def same_command(state):
    """The container runs the script's command, seeded by the completion index

    Copy the awk program unchanged and replace $SLURM_ARRAY_TASK_ID by $JOB_COMPLETION_INDEX (or define
    SLURM_ARRAY_TASK_ID in env from the completion index).
    """
    job = _job(state)
    program, assigns = awk_program(script().text)
    c = _container(job)
    text = " ".join(str(w) for w in (c.get("command") or []) + (c.get("args") or []))
    problems = []
    if _words(program) not in _words(text):
        problems.append("the awk program differs from the script's")
    fixed = [a for a in assigns if not a.split("=", 1)[1].startswith('"$')]
    problems += [f"-v {a} is missing" for a in fixed if a not in text]
    env = {e.get("name"): e for e in c.get("env") or [] if isinstance(e, dict)}
    alias = env.get("SLURM_ARRAY_TASK_ID", {})
    aliased = INDEX_ANNOTATION in str(
        get(alias, "valueFrom.fieldRef.fieldPath", default="")
    ) or "JOB_COMPLETION_INDEX" in str(alias.get("value", ""))
    if "SLURM_ARRAY_TASK_ID" in text and not aliased:
        problems.append("$SLURM_ARRAY_TASK_ID is empty in a Pod: every task would use the same seed")
    elif "JOB_COMPLETION_INDEX" not in text and not aliased:
        problems.append("the seed does not come from the completion index")
    return fail("; ".join(problems)) if problems else ok("same program, seeded by the completion index")


@check(points=2, timeout=120)
def completed(state):
    """Every array task completed

    kubectl get job -n hpc; kubectl describe job NAME -n hpc tells why it failed (DeadlineExceeded: check the walltime
    conversion). Fix, delete the Job, apply again.
    """
    return expect_job_complete(state, _job(state), timeout=90)
