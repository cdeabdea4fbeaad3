"""A stand-in for the kind CLI (and a little of docker) for tests and benchmarks.

``python -m fakekind.kind ...`` (or the ``kind`` wrapper that :mod:`fakekind.fixtures` puts on
PATH) behaves like kind for the verbs kubecourse uses, records every invocation, keeps cluster
state in a folder, registers the cluster's Node objects with a fake API server, and can be told
to fail, hang or sleep at a chosen step. See :mod:`fakekind.kind` for the environment variables.
"""
