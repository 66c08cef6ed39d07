"""Timely output rules of the built-in pack: one file per rule, registered here explicitly."""

PYTHON_RULES: tuple[str, ...] = (
    "cg_tim_001_call_timeouts",
    "cg_tim_002_chat_streaming",
    "cg_tim_003_async_agents",
    "cg_tim_005_semantic_cache",
)
"""Modules of this package that define a Python rule (``RULE``)."""

YAML_RULES: tuple[str, ...] = ("cg_tim_004_agent_stopping_condition.yaml",)
"""Declarative rule files in this folder."""
