"""Disposable Kubernetes sandboxes for learners: a kind cluster each on this host, or a namespace
each on a shared cluster.

Both backends implement one protocol (:mod:`sandbox.backend`): make, delete and list
sandboxes, a room of them at once (:mod:`sandbox.class_run`), hand out credentials, and say
where grading reads one. :mod:`sandbox.backends` picks the backend, by name for a new sandbox and
from the saved state (:mod:`sandbox.state`) for an existing one. The package also prepares kind
sandboxes for labs and checks whether a machine can hold them (:mod:`sandbox.preflight`). It
never imports :mod:`autograder`.
"""
