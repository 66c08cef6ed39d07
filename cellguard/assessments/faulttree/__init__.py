"""Fault trees: the structure, MEF interchange, exact BDD quantification, Monte Carlo."""
