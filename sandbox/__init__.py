"""Disposable Kubernetes clusters for learners: kind clusters driven through the kind CLI.

The package creates, lists and deletes sandboxes, prepares them for labs, and checks whether a
machine can hold them (:mod:`sandbox.preflight`). It never imports :mod:`autograder`.
"""
