"""coursecore: the leaves every other kubecourse package stands on.

It holds what ``sandbox``, ``autograder``, ``manifestlint`` and the command line share and imports
none of them: the error base and exit codes (:mod:`coursecore.errors`), bounded YAML reading
(:mod:`coursecore.safeyaml`) and the lab catalogue with the ``lab.yaml`` schema
(:mod:`coursecore.labs`). Imports only point down to here.
"""
