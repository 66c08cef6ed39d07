"""Load diagnostics: every problem names file, line, column and key path, says what was expected
and, where it can, suggests a fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from cellguard.models.quoting import shortened
from cellguard.models.text import inert

KeyPath = tuple[str | int, ...]


class Severity(StrEnum):
    """How bad a diagnostic is: errors fail the load, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


def format_key_path(path: KeyPath) -> str:
    """Render ``("components", 2, "depends_on", 0, "to")`` as ``components[2].depends_on[0].to``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = shortened(part)
            out += f".{part}" if out else part
    return out or "(document)"


MAX_SUGGESTED_LENGTH = 128
"""Longest word (and candidate) a typo is looked for: every name cellguard knows is shorter, and
comparing a megabyte-long value with difflib would take seconds for nothing."""

SUGGESTION_BUDGET = 20_000
"""Most candidate comparisons one :class:`Suggester` makes (about a second of difflib at worst):
a file with thousands of broken references among thousands of ids gets hints for the first
ones instead of a quadratic wait."""


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate nearest to ``word``, if one is close enough to be a likely typo.

    Words and candidates longer than :data:`MAX_SUGGESTED_LENGTH` are never compared.
    """
    if len(word) > MAX_SUGGESTED_LENGTH:
        return None
    pool = sorted({c for c in candidates if len(c) <= MAX_SUGGESTED_LENGTH})
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {c.lower(): c for c in pool}
    return lowered.get(word.lower())


class Suggester:
    """:func:`suggest` with a bounded total cost: each call spends one unit of
    :data:`SUGGESTION_BUDGET` per candidate; once it is spent, no more hints are computed."""

    def __init__(self, budget: int = SUGGESTION_BUDGET) -> None:
        self.left = budget

    def __call__(self, word: str, candidates: Sequence[str]) -> str | None:
        """The nearest candidate to ``word``, or ``None`` (also when the budget is spent)."""
        if len(word) > MAX_SUGGESTED_LENGTH or len(candidates) > self.left:
            return None
        self.left -= len(candidates)
        return suggest(word, candidates)


def one_of(values: Iterable[str], limit: int = 24) -> str:
    """Render a list of valid values for an 'expected' line (long values shortened)."""
    items = sorted(set(values))
    shown = ", ".join(shortened(item) for item in items[:limit])
    more = f", ... ({len(items) - limit} more)" if len(items) > limit else ""
    return f"one of: {shown}{more}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found while loading a spec."""

    file: str
    line: int
    column: int
    path: KeyPath = field(compare=False)
    message: str
    code: str = field(default="invalid", compare=False)
    expected: str | None = field(default=None, compare=False)
    suggestion: str | None = field(default=None, compare=False)
    severity: Severity = field(default=Severity.ERROR, compare=False)

    @property
    def key_path(self) -> str:
        """The key path in dotted form."""
        return format_key_path(self.path)

    def render(self) -> str:
        """Render as ``file:line:column: error[code] path: message`` plus hint lines.

        Each part is inert and on one line (:func:`cellguard.models.text.inert`): a key or
        value echoed from the spec cannot send escape sequences or start a line of its own.
        """
        head = (
            f"{self.file}:{self.line}:{self.column}: {self.severity.value}[{self.code}] "
            f"{self.key_path}: {self.message}"
        )
        lines = [inert(head, single_line=True)]
        if self.expected:
            lines.append(f"    expected: {inert(self.expected, single_line=True)}")
        if self.suggestion:
            lines.append(f"    hint: {inert(self.suggestion, single_line=True)}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.key_path,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "expected": self.expected,
            "suggestion": self.suggestion,
        }


class SpecLoadError(Exception):
    """Raised when one or more spec files are invalid; carries every diagnostic found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: list[Diagnostic] = sorted(diagnostics)
        errors = [d for d in self.diagnostics if d.severity is Severity.ERROR]
        first = errors[0].render() if errors else "invalid spec"
        super().__init__(first if len(errors) == 1 else f"{len(errors)} errors; first: {first}")

    @classmethod
    def at(
        cls,
        file: str,
        line: int,
        column: int,
        message: str,
        *,
        code: str,
        suggestion: str | None = None,
    ) -> SpecLoadError:
        """An error about the whole document, at one position (no key path)."""
        return cls([Diagnostic(file, line, column, (), message, code=code, suggestion=suggestion)])

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics that are errors."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def render(self) -> str:
        """Every diagnostic, one block each."""
        return "\n".join(d.render() for d in self.diagnostics)
