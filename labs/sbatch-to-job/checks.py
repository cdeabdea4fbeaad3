"""Checks of the sbatch-to-job lab: the Job in namespace ``hpc`` must do what ``starter/job.sbatch``
asks of Slurm. Every expected value is read from the script itself, so the checks and the script
cannot drift apart: job name, array size and throttle, walltime, CPUs, memory, requeue policy and
the command.
"""

from __future__ import annotations

import re
import shlex
from decimal import Decimal
from pathlib import Path

from autograder import objects
from autograder.checks import check, fail, ok, partial
from autograder.paths import get

NAMESPACE = "hpc"
SCRIPT = Path(__file__).resolve().parent / "starter" / "job.sbatch"
INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
_SHORT = {"-J": "job-name", "-a": "array", "-t": "time", "-c": "cpus-per-task", "-n": "ntasks", "-o": "output"}
_FLAGS = {"no-requeue", "requeue", "exclusive", "hold", "overcommit", "oversubscribe", "parsable", "wait", "test-only"}
_UNITS = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}  # Slurm's units are binary; M is the default
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)([numkMGTPE]|[KMGTPE]i)?$")
_SI = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
}


def directives(text: str) -> dict[str, str]:
    """The ``#SBATCH`` options of a script: ``{"array": "0-9%4", "no-requeue": "", ...}``."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#SBATCH"):
            continue
        words = shlex.split(line[len("#SBATCH") :], comments=True)
        i = 0
        while i < len(words):
            word = words[i]
            if word.startswith("--"):
                name, eq, value = word[2:].partition("=")
                if not eq and name not in _FLAGS and i + 1 < len(words) and not words[i + 1].startswith("-"):
                    i += 1  # getopt style: --time 10
                    value = words[i]
                found[name] = value
            elif word in _SHORT:
                i += 1
                found[_SHORT[word]] = words[i] if i < len(words) else ""
            i += 1
    return found


def array_indexes(spec: str) -> tuple[list[int], int | None]:
    """``"0-9%4"`` -> ([0..9], 4); also ``1,3,5`` and ``0-15:4`` (step)."""
    spec, _, throttle = spec.partition("%")
    indexes: list[int] = []
    for part in spec.split(","):
        rng, _, step = part.partition(":")
        low, _, high = rng.partition("-")
        indexes += range(int(low), int(high or low) + 1, int(step or 1))
    return sorted(set(indexes)), int(throttle) if throttle else None


def walltime_seconds(text: str) -> int:
    """Slurm's --time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S."""
    days, dash, rest = text.partition("-")
    if not dash:
        days, rest = "0", text
    parts = [int(p) for p in rest.split(":")]
    if dash:  # D-H, D-H:M, D-H:M:S
        h, m, s = (parts + [0, 0])[:3]
    elif len(parts) == 1:
        h, m, s = 0, parts[0], 0
    elif len(parts) == 2:
        h, m, s = 0, parts[0], parts[1]
    else:
        h, m, s = parts[:3]
    return int(days) * 86400 + h * 3600 + m * 60 + s


def memory_bytes(text: str) -> int:
    """Slurm's --mem: a number with an optional K/M/G/T suffix, megabytes by default."""
    m = re.fullmatch(r"(\d+)([KMGT]?)B?", text.strip().upper())
    if not m:
        raise ValueError(f"cannot read --mem={text}")
    return int(m.group(1)) * _UNITS[m.group(2) or "M"]


def quantity(value) -> Decimal | None:
    """A Kubernetes quantity's value (``4Gi``, ``2``, ``500m``), None if it is not one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    m = _QUANTITY.match(str(value).strip()) if isinstance(value, str) else None
    if not m:
        return None
    return Decimal(m.group(1)) * _SI.get(m.group(2) or "", Decimal(1))


def awk_program(text: str) -> tuple[str, list[str]]:
    """The srun line's awk program (between single quotes) and its ``-v`` assignments."""
    start = text.index("srun ")
    body = text[start:]
    program = body.split("'")[1]
    assigns = re.findall(r"-v\s+(\w+=\S+)", body.split("'")[0])
    return program, assigns


def _words(text: str) -> str:
    return " ".join(text.split())


def _script():
    text = SCRIPT.read_text()
    return text, directives(text)


def _job(state):
    _, d = _script()
    return state.get("Job", d["job-name"], namespace=NAMESPACE)


def _missing(state):
    _, d = _script()
    jobs = state.objects("Job", namespace=NAMESPACE)
    others = f" (found {', '.join(j['metadata']['name'] for j in jobs)})" if jobs else ""
    return fail(f"no Job {d['job-name']} in namespace {NAMESPACE}{others}")


def _container(job):
    containers = objects.containers(job)
    return containers[0] if containers else {}


@check(
    id="job-named",
    title="A Job named after --job-name exists in namespace hpc",
    points=1,
    hint="metadata.name is the script's --job-name; metadata.namespace is hpc.",
)
def job_named(state):
    if _job(state) is None:
        return _missing(state)
    return ok(f"found Job {_script()[1]['job-name']}")


@check(
    id="array-indexed",
    title="--array became an Indexed Job with one completion per task",
    points=2,
    hint="completionMode: Indexed, and completions = the number of array tasks (0-9 is ten tasks, not nine).",
)
def array_indexed(state):
    job = _job(state)
    if job is None:
        return _missing(state)
    indexes, _ = array_indexes(_script()[1]["array"])
    mode = get(job, "spec.completionMode", default="NonIndexed")
    completions = get(job, "spec.completions")
    problems = []
    if mode != "Indexed":
        problems.append(f"completionMode is {mode}: the Pods get no task index")
    if completions != len(indexes):
        problems.append(f"completions is {completions}; --array={_script()[1]['array']} has {len(indexes)} tasks")
    if indexes != list(range(len(indexes))):
        problems.append("the array does not start at 0: map each index to a task id")
    return ok(f"Indexed, {completions} completions") if not problems else fail("; ".join(problems))


@check(
    id="array-throttle",
    title="The array throttle (%N) became parallelism",
    points=1,
    hint="--array=0-9%4 runs at most four tasks at once: spec.parallelism: 4.",
)
def array_throttle(state):
    job = _job(state)
    if job is None:
        return _missing(state)
    indexes, throttle = array_indexes(_script()[1]["array"])
    wanted = throttle or len(indexes)
    got = get(job, "spec.parallelism", default=1)
    return ok(f"parallelism {got}") if got == wanted else fail(f"parallelism is {got}, expected {wanted}")


@check(
    id="walltime",
    title="--time became activeDeadlineSeconds",
    points=1,
    hint="Convert --time (HH:MM:SS) to seconds; per task it is the Pod template's activeDeadlineSeconds "
    "(spec.template.spec), the Job-level field limits the whole array.",
)
def walltime(state):
    job = _job(state)
    if job is None:
        return _missing(state)
    wanted = walltime_seconds(_script()[1]["time"])
    pod_level = get(job, "spec.template.spec.activeDeadlineSeconds")
    job_level = get(job, "spec.activeDeadlineSeconds")
    if pod_level == wanted:
        return ok(f"{wanted} s per task, as Slurm counts it")
    if job_level == wanted:
        return ok(f"{wanted} s for the whole Job (Slurm counts --time per task; the Pod-level field is closer)")
    return fail(
        f"expected activeDeadlineSeconds {wanted} (--time={_script()[1]['time']}); "
        f"found {job_level} on the Job and {pod_level} on the Pod template"
    )


@check(
    id="cpus",
    title="--cpus-per-task became the CPU request",
    points=1,
    hint='resources.requests.cpu is the number of CPUs per task, e.g. "2".',
)
def cpus(state):
    job = _job(state)
    if job is None:
        return _missing(state)
    wanted = Decimal(_script()[1]["cpus-per-task"])
    got = get(_container(job), "resources.requests.cpu")
    if quantity(got) == wanted:
        return ok(f"cpu request {got}")
    return fail(f"cpu request is {got!r}, expected {wanted}")


@check(
    id="memory",
    title="--mem became the memory request",
    points=1,
    hint="Slurm's --mem=4G means 4 x 1024^3 bytes: write 4Gi (4G in Kubernetes is 4 x 1000^3).",
)
def memory(state):
    job = _job(state)
    if job is None:
        return _missing(state)
    mem = _script()[1]["mem"]
    wanted = memory_bytes(mem)
    got = get(_container(job), "resources.requests.memory")
    if quantity(got) == wanted:
        return ok(f"memory request {got}")
    return fail(f"memory request is {got!r}; --mem={mem} is {wanted} bytes ({wanted // 2**30}Gi)")


@check(
    id="no-requeue",
    title="--no-requeue became a retry budget of zero per task",
    points=1,
    hint="backoffLimitPerIndex: 0 stops a failed task from being run again without touching the others.",
)
def no_requeue(state):
    job = _job(state)
    if job is None:
        return _missing(state)
    if "no-requeue" not in _script()[1]:
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


@check(
    id="same-command",
    title="The container runs the script's command, seeded by the completion index",
    points=2,
    hint="Copy the awk program unchanged and replace $SLURM_ARRAY_TASK_ID by $JOB_COMPLETION_INDEX "
    "(or define SLURM_ARRAY_TASK_ID in env from the completion index).",
)
def same_command(state):
    job = _job(state)
    if job is None:
        return _missing(state)
    program, assigns = awk_program(_script()[0])
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


@check(
    id="completed",
    title="Every array task completed",
    points=2,
    timeout=120,
    hint="kubectl get job -n hpc; kubectl describe job NAME -n hpc tells why it failed (DeadlineExceeded: "
    "check the walltime conversion). Fix, delete the Job, apply again.",
)
def completed(state):
    job = _job(state)
    if job is None:
        return _missing(state)
    name = job["metadata"]["name"]
    job = (
        state.wait_for(
            "Job",
            name,
            namespace=NAMESPACE,
            timeout=90,
            condition=lambda j: any(
                c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
                for c in get(j, "status.conditions", default=None) or []
            ),
        )
        or job
    )
    conditions = {
        c.get("type"): c for c in get(job, "status.conditions", default=None) or [] if c.get("status") == "True"
    }
    if "Failed" in conditions:
        return fail(
            f"the Job failed: {conditions['Failed'].get('reason')} (failed indexes: {get(job, 'status.failedIndexes', default='none')})"
        )
    if "Complete" not in conditions:
        return fail(
            f"not complete yet: {get(job, 'status.succeeded', default=0)} of {get(job, 'spec.completions')} tasks done"
        )
    return ok(f"Complete: indexes {get(job, 'status.completedIndexes')}")
