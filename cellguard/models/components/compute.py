"""Components that run the team's code: apps, gateways, routers, agents and tools."""

from typing import Literal

from pydantic import Field

from cellguard.models.base import (
    MAX_PER_REPLICA,
    MAX_SECONDS,
    PositiveInt,
    Reference,
    SpecModel,
)
from cellguard.models.components.common import ComponentBase, ServiceFields
from cellguard.models.enums import AgentIsolation, RouterStrategy, ToolPermission


class App(ComponentBase, ServiceFields):
    """An application service (API, retriever, orchestrator, worker)."""

    kind: Literal["app"] = Field(description="Component kind.")
    framework: str | None = Field(
        None,
        description="Orchestration framework (e.g. langchain, llamaindex); fast-moving ones matter.",
    )


class Gateway(ComponentBase, ServiceFields):
    """An API or model gateway in front of other components."""

    kind: Literal["gateway"] = Field(description="Component kind.")
    product: str | None = Field(None, description="Gateway product, e.g. api_gateway, litellm.")


class Router(ComponentBase, ServiceFields):
    """A thin router in front of cells or regions."""

    kind: Literal["router"] = Field(description="Component kind.")
    strategy: RouterStrategy | None = Field(None, description="How the router picks a target.")
    health_checks: bool | None = Field(
        None, description="Targets are health-checked and taken out of rotation."
    )


class Agent(ComponentBase, ServiceFields):
    """An agent that plans and calls tools and models in a loop."""

    kind: Literal["agent"] = Field(description="Component kind.")
    framework: str | None = Field(None, description="Agent framework, e.g. langgraph, strands.")
    isolation: AgentIsolation | None = Field(
        None, description="Runs in the app's process or as a service of its own."
    )
    host: Reference | None = Field(
        None, description="The app whose process hosts the agent when isolation is in_process."
    )
    max_iterations: PositiveInt | None = Field(
        None,
        le=MAX_PER_REPLICA,
        description="Stopping condition: most reasoning/tool iterations per request.",
    )
    timeout_seconds: PositiveInt | None = Field(
        None, le=MAX_SECONDS, description="Stopping condition: wall-clock budget per request."
    )
    execution: Literal["sync", "async"] | None = Field(
        None, description="Whether callers wait for the agent (sync) or are notified (async)."
    )
    tools: list[Reference] = Field(
        default_factory=lambda: [],
        description=(
            "Deprecated: read by no check (accepted with a warning); list the tools the agent "
            "calls in depends_on."
        ),
    )


class ToolInterface(SpecModel):
    """The contract of a tool."""

    typed: bool | None = Field(None, description="Inputs and outputs have a typed schema.")
    schema_ref: str | None = Field(None, description="Where the schema lives.")


class Tool(ComponentBase, ServiceFields):
    """A tool an agent calls (API, function, MCP server)."""

    kind: Literal["tool"] = Field(description="Component kind.")
    interface: ToolInterface | None = Field(None, description="The tool's contract.")
    permissions: ToolPermission | None = Field(None, description="Read-only or writing tool.")
    least_privilege: bool | None = Field(
        None, description="Credentials are scoped to exactly what the tool needs."
    )
    idempotent: bool | None = Field(None, description="Repeating a call is harmless.")
