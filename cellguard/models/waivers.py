"""Waivers: accepted risks that suppress a rule's finding until they expire."""

from pydantic import Field

from cellguard.models.base import SpecModel
from cellguard.models.dates import IsoDate


class Waiver(SpecModel):
    """An accepted risk. Reason, owner and expiry are required; expired waivers stop applying."""

    rule: str = Field(
        pattern=r"^CG-[A-Z*?]+-[0-9*?]+$|^[A-Z][A-Z0-9]*-[A-Z*?]+-[0-9*?]+$",
        description="The rule id waived, e.g. CG-RED-004 (glob characters * and ? allowed).",
    )
    target: str | None = Field(
        None,
        description="The component or journey id the waiver covers (default: the whole stack).",
    )
    reason: str = Field(min_length=1, description="Why the risk is accepted.")
    owner: str = Field(min_length=1, description="Who accepted it.")
    ticket: str | None = Field(None, description="Tracking ticket.")
    expires: IsoDate = Field(description="Date (YYYY-MM-DD) after which the waiver stops applying.")
