"""Reading one rule file: the declarative YAML rule reader and the size and file-type checks every rule
file (YAML or Python) passes first.

Kept apart from :mod:`.packs` so that the built-in pack (:mod:`.builtin`) can read its YAML rules
without importing the pack loader, which imports the built-in pack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from cellguard.models.loader.errors import Diagnostic, SpecLoadError
from cellguard.models.loader.source import decode, read_yaml
from cellguard.models.loader.validation_errors import diagnostics_from
from cellguard.rules.declarative import DeclarativeRule, DeclarativeSpec
from cellguard.rules.paths import attribute_errors
from cellguard.rules.templates import bounded

MAX_RULE_FILE_BYTES = 1024 * 1024
"""Largest declarative rule file read (the built-in ones are under 2 KiB)."""

MAX_FILES_PER_PACK = 10_000
"""Most rule files (``*.y*ml`` and ``*.py``) in one pack directory."""

MAX_RULES_PER_SOURCE = 10_000
"""Most rules one Python module or entry point may publish."""

MAX_ERROR_CHARS = 600
"""Longest message, expected or hint line of a load error (a value echoed in it is cut)."""


def bounded_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` with every text cut to :data:`MAX_ERROR_CHARS` (a 1 MB id is not echoed)."""
    return [
        replace(
            d,
            message=bounded(d.message, MAX_ERROR_CHARS),
            expected=d.expected and bounded(d.expected, MAX_ERROR_CHARS),
            suggestion=d.suggestion and bounded(d.suggestion, MAX_ERROR_CHARS),
        )
        for d in diagnostics
    ]


def _too_large(name: str) -> SpecLoadError:
    return SpecLoadError.at(
        name,
        1,
        1,
        f"a rule file is at most {MAX_RULE_FILE_BYTES:,} bytes; this one is larger",
        code="file-too-large",
        suggestion="one rule per file; rules are a few dozen lines",
    )


def check_rule_file(path: Path, name: str) -> None:
    """A rule file (YAML or Python) must be a regular file of at most
    :data:`MAX_RULE_FILE_BYTES`: a FIFO or a device would block the load or never end."""
    try:
        regular = path.is_file()
        size = path.stat().st_size if regular else 0
    except OSError as exc:
        raise SpecLoadError.at(
            name, 1, 1, f"cannot read rule: {exc.strerror}", code="rule-io"
        ) from None
    if not regular:
        raise SpecLoadError.at(name, 1, 1, "a rule file must be a regular file", code="rule-io")
    if size > MAX_RULE_FILE_BYTES:
        raise _too_large(name)


def read_rule_file(path: Path, name: str) -> bytes:
    """The bytes of a rule file (see :func:`check_rule_file`); never more than the limit."""
    check_rule_file(path, name)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_RULE_FILE_BYTES + 1)
    except OSError as exc:
        raise SpecLoadError.at(
            name, 1, 1, f"cannot read rule: {exc.strerror}", code="rule-io"
        ) from None
    if len(raw) > MAX_RULE_FILE_BYTES:  # it grew since it was checked
        raise _too_large(name)
    return raw


def load_yaml_rule(path: Path, display: str | None = None) -> DeclarativeRule:
    """Read one declarative rule file; every problem is a located :class:`SpecLoadError`."""
    name = display or str(path)
    data, source = read_yaml(decode(read_rule_file(path, name), name), name)
    if not isinstance(data, dict):
        raise SpecLoadError.at(name, 1, 1, "a rule file must be a mapping", code="rule-shape")
    try:
        spec = DeclarativeSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecLoadError(
            bounded_diagnostics(diagnostics_from(exc, DeclarativeSpec, data, source))
        ) from None
    problems = attribute_errors(spec)
    if problems:
        raise SpecLoadError(
            bounded_diagnostics(
                source.diagnostic(where, p, code="rule-attribute", prefer_key=True)
                for where, p in problems
            )
        )
    line = source.locate(("id",), prefer_key=True)[0].line
    return DeclarativeRule(spec, name, line)
