"""Remediation actions, one module per group; :mod:`..registry` maps action ids to them."""
