"""Rule metadata: what a rule checks, why, and how to fix what it finds.

Every rule, Python or declarative, carries one :class:`RuleMeta`. The metadata is validated
when the rule is built, so a malformed rule fails at load time, never half-way through a run.
"""

from __future__ import annotations

import re

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cellguard.models.enums import ComponentKind
from cellguard.models.findings import PILLAR_CODES, FailureCategory, Pillar, Severity
from cellguard.models.text import UNSAFE, UNSAFE_LINE

RULE_ID = re.compile(
    r"(?P<prefix>[A-Z][A-Z0-9]{0,15})-(?P<pillar>[A-Z]+)-(?P<number>[0-9]{3})", re.ASCII
)
"""``CG-FI-001`` for built-in rules; third-party packs use their own prefix (``ACME-RED-001``,
at most 16 characters). Matched with ``fullmatch``: no trailing newline, no other characters."""

MAX_ID_CHARS = 24
"""Longest rule id: a 16-character prefix, a pillar code and three digits."""

TEXT_LIMITS = {"title": 200, "source": 1000, "rationale": 4000, "remediation": 4000}
"""Longest title, source, rationale and remediation (the built-in pack's longest is 646)."""

SINGLE_LINE = frozenset({"title", "source"})
"""Fields that may not contain a line break or a tab."""


def control_character(text: str, *, multiline: bool) -> str | None:
    """The first character of ``text`` that :func:`cellguard.models.text.inert` would escape
    (control, bidi, zero-width, separator...) as ``U+XXXX``, if any.

    Line breaks and tabs are allowed when ``multiline`` (prose fields and messages).
    """
    found = (UNSAFE if multiline else UNSAFE_LINE).search(text)
    return f"U+{ord(found.group()):04X}" if found else None


SCOPES = ("stack", "journey", "dependency")
"""Targets other than component kinds a rule may apply to."""

_CODES_TO_PILLAR = {code: pillar for pillar, code in PILLAR_CODES.items()}


class RuleMeta(BaseModel):
    """The metadata of one rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable id, CG-<PILLAR>-NNN.")
    title: str = Field(
        min_length=8,
        max_length=TEXT_LIMITS["title"],
        description="The passing state, e.g. 'Calls have timeouts'.",
    )
    pillar: Pillar = Field(description="The resilience pillar.")
    category: FailureCategory = Field(description="The failure category guarded against.")
    severity: Severity = Field(description="Default severity of a FAIL, before business impact.")
    applies_to: tuple[str, ...] = Field(
        min_length=1,
        max_length=len(SCOPES) + len(ComponentKind),
        description="Component kinds, or 'stack', 'journey', 'dependency'.",
    )
    rationale: str = Field(
        min_length=20, max_length=TEXT_LIMITS["rationale"], description="Why the check matters."
    )
    source: str = Field(
        min_length=3,
        max_length=TEXT_LIMITS["source"],
        description="Where the rationale comes from (seed, WA best practice, paper).",
    )
    remediation: str = Field(
        min_length=10, max_length=TEXT_LIMITS["remediation"], description="How to fix a failure."
    )
    action: str = Field(
        pattern=r"^[a-z][a-z0-9-]*$",
        max_length=64,
        description="Id of the planner action that remediates it.",
    )
    advisory: bool = Field(False, description="Advice rather than a defect; shown, lightly scored.")

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if len(value) > MAX_ID_CHARS:
            raise ValueError(
                f"a rule id has at most {MAX_ID_CHARS} characters, this one {len(value):,}; "
                "use one like CG-FI-001 (PREFIX-PILLAR-NNN, a prefix of at most 16 characters)"
            )
        if not RULE_ID.fullmatch(value):
            raise ValueError(
                f"rule id {value!r} must look like CG-FI-001 (PREFIX-PILLAR-NNN: capital letters "
                "and digits, three ASCII digits, nothing else)"
            )
        return value

    @field_validator("title", "rationale", "source", "remediation")
    @classmethod
    def _no_control_characters(cls, value: str, info: ValidationInfo) -> str:
        where = control_character(value, multiline=info.field_name not in SINGLE_LINE)
        if where is not None:
            breaks = "" if info.field_name in SINGLE_LINE else " (line breaks and tabs are fine)"
            raise ValueError(
                f"contains the control or invisible character {where}; write plain text{breaks}"
            )
        return value

    @field_validator("applies_to")
    @classmethod
    def _known_targets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        kinds = {k.value for k in ComponentKind}
        unknown = [v for v in value if v not in kinds and v not in SCOPES]
        if unknown:
            allowed = ", ".join([*SCOPES, *sorted(kinds)])
            raise ValueError(f"unknown applies_to {unknown}; expected some of: {allowed}")
        return value

    @model_validator(mode="after")
    def _pillar_matches_id(self) -> RuleMeta:
        match = RULE_ID.fullmatch(self.id)
        assert match is not None
        code = match.group("pillar")
        if _CODES_TO_PILLAR.get(code) is not self.pillar:
            expected = self.pillar.code
            raise ValueError(
                f"rule id {self.id!r} names pillar {code!r} but the rule's pillar is "
                f"{self.pillar.value} ({expected}); use an id like "
                f"{match.group('prefix')}-{expected}-{match.group('number')}"
            )
        return self

    @property
    def sort_key(self) -> tuple[int, str]:
        """Rules sort by pillar (FI, CAP, TIM, COR, RED, OBS, SEC), then id."""
        return (list(Pillar).index(self.pillar), self.id)
