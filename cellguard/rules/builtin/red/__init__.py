"""Redundancy rules of the built-in pack: one file per rule, registered here explicitly."""

PYTHON_RULES: tuple[str, ...] = (
    "cg_red_001_multi_zone",
    "cg_red_002_multi_region",
    "cg_red_003_same_region_backup",
    "cg_red_004_cross_region_copy",
    "cg_red_005_cross_account_copy",
    "cg_red_006_recovery_region_models",
    "cg_red_007_rpo",
    "cg_red_008_rto",
    "cg_red_009_failover_tested",
    "cg_red_010_journey_availability",
    "cg_red_011_single_points",
    "cg_red_012_checkpoint_interval",
    "cg_red_013_risk_controls",
    "cg_red_014_restore_tested",
    "cg_red_015_router_health_checks",
)
"""Modules of this package that define a Python rule (``RULE``)."""

YAML_RULES: tuple[str, ...] = ()
"""Declarative rule files in this folder."""
