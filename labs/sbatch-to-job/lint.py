"""The sbatch-to-job lab's own lint rules: every #SBATCH line needs its counterpart."""

from __future__ import annotations


def translated(doc):
    if doc.get("kind") != "Job":
        return []
    spec = doc.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    found = []
    if spec.get("completionMode") != "Indexed":
        found.append(("spec", "--array needs completionMode: Indexed (and completions)"))
    if spec.get("parallelism") is None:
        found.append(("spec", "the array throttle %4 has no counterpart yet: spec.parallelism"))
    if spec.get("activeDeadlineSeconds") is None and pod.get("activeDeadlineSeconds") is None:
        found.append(("spec", "--time has no counterpart yet: activeDeadlineSeconds"))
    if spec.get("backoffLimitPerIndex") is None:
        found.append(("spec", "--no-requeue has no counterpart yet: backoffLimitPerIndex"))
    for i, c in enumerate(pod.get("containers") or []):
        requests = (c.get("resources") or {}).get("requests") or {}
        for name, option in (("cpu", "--cpus-per-task"), ("memory", "--mem")):
            if name not in requests:
                found.append(
                    (
                        ("spec", "template", "spec", "containers", i),
                        f"{option} has no counterpart yet: resources.requests.{name}",
                    )
                )
        words = " ".join(str(w) for w in (c.get("command") or []) + (c.get("args") or []))
        if "SLURM_ARRAY_TASK_ID" in words and not any(
            e.get("name") == "SLURM_ARRAY_TASK_ID" for e in c.get("env") or []
        ):
            found.append(
                (
                    ("spec", "template", "spec", "containers", i),
                    "$SLURM_ARRAY_TASK_ID is not set in a Pod; use $JOB_COMPLETION_INDEX",
                )
            )
    return found


RULES = [translated]
