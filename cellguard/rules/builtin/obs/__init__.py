"""Observability rules of the built-in pack: one file per rule, registered here explicitly."""

PYTHON_RULES: tuple[str, ...] = ()
"""Modules of this package that define a Python rule (``RULE``)."""

YAML_RULES: tuple[str, ...] = (
    "cg_obs_001_component_metrics.yaml",
    "cg_obs_002_gpu_metrics.yaml",
    "cg_obs_003_tracing.yaml",
    "cg_obs_004_user_feedback.yaml",
    "cg_obs_005_drift_baselines.yaml",
)
"""Declarative rule files in this folder."""
