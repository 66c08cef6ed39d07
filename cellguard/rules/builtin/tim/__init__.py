"""Timely output rules of the built-in pack: one file per rule, registered here explicitly."""

PYTHON_RULES: tuple[str, ...] = (
    "cg_tim_001_call_timeouts",
    "cg_tim_002_chat_streaming",
    "cg_tim_003_async_agents",
    "cg_tim_005_semantic_cache",
    "cg_tim_006_timeout_inversion",
    "cg_tim_007_retry_amplification",
    "cg_tim_008_latency_budget",
)
"""Modules of this package that define a Python rule (``RULE``)."""

YAML_RULES: tuple[str, ...] = ("cg_tim_004_agent_stopping_condition.yaml",)
"""Declarative rule files in this folder."""
