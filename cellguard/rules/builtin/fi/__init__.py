"""Fault isolation rules of the built-in pack: one file per rule, registered here explicitly."""

PYTHON_RULES: tuple[str, ...] = (
    "cg_fi_001_vector_store_sharing",
    "cg_fi_002_prompt_library_sharing",
    "cg_fi_003_fine_tuned_model_sharing",
    "cg_fi_004_model_quota_sharing",
    "cg_fi_005_critical_journeys_in_cells",
    "cg_fi_006_cross_cell_calls",
    "cg_fi_007_agent_framework_isolation",
    "cg_fi_009_blast_radius",
)
"""Modules of this package that define a Python rule (``RULE``)."""

YAML_RULES: tuple[str, ...] = ("cg_fi_008_write_tool_least_privilege.yaml",)
"""Declarative rule files in this folder."""
