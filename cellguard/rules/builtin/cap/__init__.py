"""Sufficient capacity rules of the built-in pack: one file per rule, registered here explicitly."""

PYTHON_RULES: tuple[str, ...] = (
    "cg_cap_001_reserved_gpus",
    "cg_cap_002_instance_flexibility",
    "cg_cap_003_autoscaling",
    "cg_cap_004_cold_start",
    "cg_cap_005_entrypoint_rate_limiting",
    "cg_cap_006_load_shedding",
    "cg_cap_007_backoff_jitter",
    "cg_cap_008_ingestion_throttling",
    "cg_cap_009_training_launch_rate",
    "cg_cap_010_model_fallback",
    "cg_cap_011_gpu_supply",
    "cg_cap_012_static_stability",
    "cg_cap_013_quota_demand",
    "cg_cap_014_surge",
    "cg_cap_015_ingestion_embedding",
)
"""Modules of this package that define a Python rule (``RULE``)."""

YAML_RULES: tuple[str, ...] = ()
"""Declarative rule files in this folder."""
