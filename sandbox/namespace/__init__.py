"""The namespace backend: one isolated namespace per learner on a cluster the instructor already runs."""
