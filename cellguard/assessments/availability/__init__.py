"""Exact journey availability: priors, the fault-tree compiler, results and blast radius."""
