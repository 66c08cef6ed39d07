"""Message templates of declarative rules, checked completely when the rule loads.

A template is ``str.format`` text with the fields ``{target}`` and ``{stack}`` (both strings).
Everything ``str.format`` would only reject -- or blow up on -- while a rule runs is refused at
load instead: unknown fields and positions, attribute and index lookups, nested fields, a
conversion other than ``!r``, ``!s`` or ``!a``, a format spec that is invalid for a string, and
a width or precision over :data:`MAX_WIDTH` (``{target:>999999999}`` would write a 1 GB
report). The template is then rendered once with representative values. At run time
:func:`render` also cuts a message at :data:`MAX_MESSAGE_CHARS` as a last resort.
"""

from __future__ import annotations

import re
import string

FIELDS = ("target", "stack")
"""The field names a template may use."""

CONVERSIONS = (None, "r", "s", "a")
"""``{target}``, ``{target!r}``, ``{target!s}`` and ``{target!a}``."""

MAX_WIDTH = 200
"""Largest width or precision in a format spec."""

MAX_TEMPLATE_CHARS = 1000
"""Longest template (the built-in pack's longest is 159 characters)."""

MAX_MESSAGE_CHARS = 4000
"""Longest rendered message; longer ones are cut (ids are short, so this is a last resort)."""

_SPEC = re.compile(
    r"(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[-+ ])?(?P<z>z)?(?P<alt>\#)?(?P<zero>0)?"
    r"(?P<width>[0-9]+)?(?P<grouping>[_,])?(?:\.(?P<precision>[0-9]+))?(?P<type>[a-zA-Z%])?",
    re.ASCII | re.DOTALL,
)

SAMPLES = ({"target": "web-api", "stack": "support-assistant"}, {"target": "", "stack": ""})
"""Representative values a template is rendered with at load."""


def _field_problems(name: str, conversion: str | None, spec: str) -> list[str]:
    """What is wrong with one replacement field (``{name!conversion:spec}``)."""
    if name == "" or name.isdigit():
        return ["'{}' and positions are not allowed; use {target} or {stack}"]
    if name not in FIELDS:
        shown = name if len(name) <= 40 else name[:40] + "..."
        return [f"unknown placeholder {{{shown}}}; use {{target}} or {{stack}}"]
    if conversion not in CONVERSIONS:
        return [f"{{{name}!{conversion}}}: the conversion must be !r, !s or !a (or none)"]
    if "{" in spec or "}" in spec:
        return [f"{{{name}:...}}: nested fields in a format spec are not allowed"]
    match = _SPEC.fullmatch(spec)
    if match is None:
        return [f"{{{name}:{spec[:40]}}}: invalid format spec for a string"]
    problems = []
    for part in ("width", "precision"):
        digits = match.group(part)
        if digits is not None and (len(digits) > 4 or int(digits) > MAX_WIDTH):
            size = f"{len(digits)} digits long" if len(digits) > 4 else str(int(digits))
            problems.append(f"{{{name}:{spec[:40]}}}: the {part} is {size}; at most {MAX_WIDTH}")
    if problems:
        return problems
    try:
        format("text", spec)
    except ValueError as exc:
        return [f"{{{name}:{spec}}}: {exc} (the value is a string)"]
    return []


def template_problems(text: str) -> list[str]:
    """Why ``text`` is not a usable message template (empty when it is)."""
    if len(text) > MAX_TEMPLATE_CHARS:
        return [f"a message has at most {MAX_TEMPLATE_CHARS} characters, this one {len(text):,}"]
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return [f"{exc}; write '{{{{' and '}}}}' for literal braces"]
    problems = [
        problem
        for _, name, spec, conversion in parsed
        if name is not None
        for problem in _field_problems(name, conversion, spec or "")
    ]
    if problems:
        return problems
    for words in SAMPLES:  # the checks above should make this succeed; prove it
        try:
            text.format(**words)
        except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
            return [f"rendering the message fails: {type(exc).__name__}: {exc}"]
    return []


def render(text: str, target: str, stack: str) -> str:
    """``text`` with its fields filled in, cut at :data:`MAX_MESSAGE_CHARS`."""
    return bounded(text.format(target=target, stack=stack), MAX_MESSAGE_CHARS)


def bounded(text: str, limit: int) -> str:
    """``text``, or its first ``limit`` characters and a note of how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters cut)"
