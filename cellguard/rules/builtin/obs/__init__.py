"""Observability rules of the built-in pack: one file per rule, registered here explicitly."""

PYTHON_RULES: tuple[str, ...] = ()
"""Modules of this package that define a Python rule (``RULE``)."""

YAML_RULES: tuple[str, ...] = ("cg_obs_001_component_metrics.yaml",)
"""Declarative rule files in this folder."""
