"""coursecore: the leaves every other kubecourse package stands on.

It holds what ``sandbox``, ``autograder``, ``manifestlint`` and the command line share and imports
none of them: the error base and exit codes (:mod:`coursecore.errors`), bounded YAML reading
(:mod:`coursecore.safeyaml`), the lab catalogue with the ``lab.yaml`` schema
(:mod:`coursecore.labs`), the kubecourse home, sandbox names and which kubeconfig a command reads
(:mod:`coursecore.home`), and the one way to talk to a Kubernetes API server
(:mod:`coursecore.kube`). Imports only point down to here.
"""
