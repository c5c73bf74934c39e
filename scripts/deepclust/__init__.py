"""Library behind the deep-clustering workflow: small numpy-in/numpy-out modules.

The rule scripts in ``scripts/`` import these modules; each rule declares the modules
it uses as inputs so that editing one reruns the jobs that depend on it.
"""
