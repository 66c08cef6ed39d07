"""Helpers shared by the components: the type-token prefix, child options and tags."""

from __future__ import annotations

import pulumi

TOKEN_PREFIX = "cellguard:blueprints:"
"""Type token prefix of every cellguard component (``cellguard:blueprints:<Name>``)."""

TAG_STACK = "cellguard:stack"
TAG_COMPONENT = "cellguard:component"
TAG_CELL = "cellguard:cell"
TAG_ZONE = "cellguard:zone"
TAG_ROLE = "cellguard:role"
"""Tag keys the round trip reads back (values are spec identifiers, as data)."""

LABEL_COMPONENT = "app.kubernetes.io/name"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_CELL = "cellguard.io/cell"
LABEL_POOL = "cellguard.io/gpu-pool"


def child(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
    depends_on: list[pulumi.Resource] | None = None,
    ignore_changes: list[str] | None = None,
) -> pulumi.ResourceOptions:
    """Options of a child resource: ``parent`` set, the provider explicit."""
    return pulumi.ResourceOptions(
        parent=parent, provider=provider, depends_on=depends_on, ignore_changes=ignore_changes
    )


def tags(stack: str, **extra: str) -> dict[str, str]:
    """AWS tags: the stack plus ``extra`` (keys given without the ``cellguard:`` prefix)."""
    out = {TAG_STACK: stack}
    out.update({f"cellguard:{k}": v for k, v in extra.items()})
    return out
