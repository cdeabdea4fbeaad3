"""The batch-jobs lab's own lint rules (run by ``kubecourse lint batch-jobs FILE``)."""

from __future__ import annotations

from manifestlint import Finding, containers, rule

INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"


@rule(kinds=["Job.batch"])
def sweep_is_indexed(job):
    spec = job.get("spec") if isinstance(job.get("spec"), dict) else {}
    if spec.get("completionMode") != "Indexed":
        yield Finding("spec", "the sweep needs completionMode: Indexed, so that each Pod gets its own index")
    if spec.get("activeDeadlineSeconds") is None:
        yield Finding("spec", "set a walltime: spec.activeDeadlineSeconds")
    ttl = spec.get("ttlSecondsAfterFinished")
    if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl < 3600:
        message = f"{ttl} s is too short: the finished Job must still exist when it is graded (use 3600 or more)"
        yield Finding("spec.ttlSecondsAfterFinished", message)


@rule(kinds=["Job.batch"])
def seed_from_index(job):
    """Some container, or init container (the Kubernetes docs' indexed-job example reads the
    index there), must read the completion index: from $JOB_COMPLETION_INDEX or from the
    annotation through the downward API."""
    for _, c in containers(job):
        words = [c.get("command"), c.get("args"), c.get("env")]
        if "JOB_COMPLETION_INDEX" in str(words) or INDEX_ANNOTATION in str(words):
            return
    yield Finding(
        "spec.template.spec.containers",
        "no container reads $JOB_COMPLETION_INDEX (or the completion index annotation): "
        "every Pod would run the same seed",
    )
