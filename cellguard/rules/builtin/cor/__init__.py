"""Correct output rules of the built-in pack: one file per rule, registered here explicitly."""

PYTHON_RULES: tuple[str, ...] = (
    "cg_cor_001_guardrails",
    "cg_cor_002_prompt_validation",
    "cg_cor_003_prompt_store",
    "cg_cor_004_offline_evaluation",
    "cg_cor_005_online_evaluation",
    "cg_cor_006_gradual_rollout",
    "cg_cor_007_pinned_versions",
    "cg_cor_008_chaos_experiments",
    "cg_cor_009_change_management",
    "cg_cor_010_gpu_health",
    "cg_cor_012_guardrail_fail_closed",
    "cg_cor_013_dead_letters",
    "cg_cor_014_ingestion_validation",
    "cg_cor_015_idempotent_write_tools",
    "cg_cor_016_cache_freshness",
)
"""Modules of this package that define a Python rule (``RULE``)."""

YAML_RULES: tuple[str, ...] = ("cg_cor_011_typed_tools.yaml",)
"""Declarative rule files in this folder."""
