"""The sbatch-to-job lab's own lint rules: every #SBATCH line needs its counterpart."""

from __future__ import annotations

from manifestlint import Finding, containers, rule


@rule(kinds=["Job.batch"])
def translated(job):
    spec = job.get("spec") if isinstance(job.get("spec"), dict) else {}
    pod = (spec.get("template") or {}).get("spec") if isinstance(spec.get("template"), dict) else None
    pod = pod if isinstance(pod, dict) else {}
    if spec.get("completionMode") != "Indexed":
        yield Finding("spec", "--array needs completionMode: Indexed (and completions)")
    if spec.get("parallelism") is None:
        yield Finding("spec", "the array throttle %4 has no counterpart yet: spec.parallelism")
    if spec.get("activeDeadlineSeconds") is None and pod.get("activeDeadlineSeconds") is None:
        yield Finding("spec", "--time has no counterpart yet: activeDeadlineSeconds")
    if spec.get("backoffLimitPerIndex") is None:
        yield Finding("spec", "--no-requeue has no counterpart yet: backoffLimitPerIndex")
    for path, c in containers(job, init=False):
        requests = (c.get("resources") or {}).get("requests") if isinstance(c.get("resources"), dict) else None
        requests = requests if isinstance(requests, dict) else {}
        for name, option in (("cpu", "--cpus-per-task"), ("memory", "--mem")):
            if name not in requests:
                yield Finding(path, f"{option} has no counterpart yet: resources.requests.{name}")
        env = c.get("env") if isinstance(c.get("env"), list) else []
        if "SLURM_ARRAY_TASK_ID" in str([c.get("command"), c.get("args")]) and not any(
            isinstance(e, dict) and e.get("name") == "SLURM_ARRAY_TASK_ID" for e in env
        ):
            yield Finding(path, "$SLURM_ARRAY_TASK_ID is not set in a Pod; use $JOB_COMPLETION_INDEX")
