"""Top-level documents: a ``Stack`` (one team's GenAI stack) and a ``Platform`` (shared components)."""

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from cellguard.models.base import Identifier, SpecModel
from cellguard.models.business import Business
from cellguard.models.components import Component, ComponentBase
from cellguard.models.practices import Practices
from cellguard.models.topology import Topology
from cellguard.models.waivers import Waiver


class Metadata(SpecModel):
    """Who owns the document and what it is."""

    name: Identifier = Field(description="Stack or platform name, unique within an organisation.")
    owner: str | None = Field(None, description="Owning team.")
    description: str | None = Field(None, description="What the stack does.")
    department: str | None = Field(
        None, description="Department served (default: the 'department' label)."
    )
    currency: str = Field(
        "USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 currency of money figures."
    )
    labels: dict[str, str] = Field(default_factory=lambda: {}, description="Free-form labels.")

    @property
    def effective_department(self) -> str | None:
        """The department, from the field or the ``department`` label."""
        return self.department or self.labels.get("department")


class _DocumentBase(SpecModel):
    """Fields shared by stacks and platforms."""

    api_version: Literal["cellguard/v1"] = Field(
        alias="apiVersion", description="Spec version; must be cellguard/v1."
    )
    metadata: Metadata = Field(description="Name, owner and labels.")
    topology: Topology = Field(description="The failure domains the components live in.")
    components: list[Component] = Field(description="The components.")
    practices: Practices = Field(
        default_factory=Practices, description="Stack-wide engineering practices."
    )
    waivers: list[Waiver] = Field(default_factory=lambda: [], description="Accepted risks.")

    @property
    def name(self) -> str:
        """The document's name (``metadata.name``)."""
        return self.metadata.name

    def component(self, component_id: str) -> ComponentBase | None:
        """Return the component with this id, if there is one."""
        return next((c for c in self.components if c.id == component_id), None)


class Stack(_DocumentBase):
    """One team's GenAI stack and the business impact of its outages."""

    kind: Literal["Stack"] = Field(description="Document kind.")
    business: Business = Field(description="Business impact analysis: journeys and risks.")


class Platform(_DocumentBase):
    """Shared components (vector store, model gateway, quota) used by several stacks."""

    kind: Literal["Platform"] = Field(description="Document kind.")
    components: list[Component] = Field(
        default_factory=lambda: [], description="The shared components."
    )


Document = Annotated[Stack | Platform, Field(discriminator="kind")]
"""A spec file's content: a Stack or a Platform."""

DOCUMENT_ADAPTER: TypeAdapter[Stack | Platform] = TypeAdapter(Document)
"""Validates plain data into a :data:`Document`."""
