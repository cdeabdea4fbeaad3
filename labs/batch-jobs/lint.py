"""The batch-jobs lab's own lint rules (run by ``kubecourse lint batch-jobs FILE``)."""

from __future__ import annotations


def sweep_is_indexed(doc):
    if doc.get("kind") != "Job":
        return []
    spec = doc.get("spec") or {}
    found = []
    if spec.get("completionMode") != "Indexed":
        found.append(("spec", "the sweep needs completionMode: Indexed, so that each Pod gets its own index"))
    if spec.get("activeDeadlineSeconds") is None:
        found.append(("spec", "set a walltime: spec.activeDeadlineSeconds"))
    ttl = spec.get("ttlSecondsAfterFinished")
    if ttl is not None and ttl < 3600:
        found.append(
            (
                "spec.ttlSecondsAfterFinished",
                f"{ttl} s is too short: the finished Job must still exist when it is graded (use 3600 or more)",
            )
        )
    return found


def seed_from_index(doc):
    if doc.get("kind") != "Job":
        return []
    containers = ((doc.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []
    text = " ".join(
        str(w)
        for c in containers
        for w in (c.get("command") or []) + (c.get("args") or []) + [e.get("value", "") for e in c.get("env") or []]
    )
    if "JOB_COMPLETION_INDEX" not in text:
        return [
            (
                "spec.template.spec.containers",
                "no container reads $JOB_COMPLETION_INDEX: every Pod would run the same seed",
            )
        ]
    return []


RULES = [sweep_is_indexed, seed_from_index]
