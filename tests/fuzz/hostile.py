"""Hostile values, as the raw text a mutator splices into a YAML, JSON or XML document.

Every value is a :class:`Hostile`: the text to insert and a ``kind`` naming its class (type
confusion, non-finite number, huge integer, control characters, ...). The kind travels with the
case into the findings log, so a failure says what sort of value caused it. Values are drawn by
hypothesis strategies (``yaml_values()``, ``json_values()``, ``xml_attribute_values()``,
``date_texts()``), so a run is reproducible from its seed.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

BIG_DIGITS = "9" * 5000
"""A 5,000-digit integer: past Python's default int-to-string conversion limit (4,300 digits)."""

HUGE_TEXT_CHARS = 1_000_000
"""Length of the huge string values (one megabyte of text)."""

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b[8mhidden\x1b[0m"
"""Terminal escape sequences: clear screen, set title, hide text."""

INVISIBLES = "\u202eevil\u202c\u2066x\u2069\u200b\u009b31m"
"""A bidi override, an isolate, a zero-width space and the C1 CSI."""


@dataclass(frozen=True)
class Hostile:
    """A value to splice into a document: its raw text and the class of hostility."""

    kind: str
    text: str

    def describe(self, limit: int = 80) -> str:
        """The value for a report: shortened, with control characters escaped."""
        shown = self.text.encode("unicode_escape").decode("ascii")
        if len(shown) > limit:
            shown = f"{shown[:limit]}... ({len(self.text):,} characters)"
        return f"{self.kind}: {shown}"


def _nested(depth: int, opening: str, closing: str, core: str = "1") -> str:
    return opening * depth + core + closing * depth


def _yaml_quote(text: str) -> str:
    """A YAML double-quoted scalar holding ``text`` (escapes for every control character)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"\\x{ord(ch):02x}")
        elif ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


HOSTILE_TEXTS: tuple[tuple[str, str], ...] = (
    ("escape-sequences", ESCAPES),
    ("invisible-characters", INVISIBLES),
    ("nul", "a\x00b"),
    ("newlines", "line one\nline two\r\n\tindented"),
    ("rich-markup", "[red]x[/red] [/] [bold]"),
    ("markdown-html", '| a | b |` ``` <script>alert(1)</script> "]; evil'),
    ("format-spec", "{target} {0} {target!r:>30} {{"),
    ("template", "${HOME} $(id) `id` %s%n"),
    ("path", "../../../etc/passwd"),
    ("option-like", "--help"),
    ("empty", ""),
    ("blank", "   "),
    ("unicode", "naïve 日本語 🚀 ﬁ Å"),
    ("rtl", "שלום مرحبا"),
)
"""Strings that must be shown inertly wherever they are echoed."""


def _text_values() -> st.SearchStrategy[tuple[str, str]]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXTS),
        st.sampled_from([10_000, HUGE_TEXT_CHARS]).map(lambda n: ("huge-string", "a" * n)),
        st.text(min_size=1, max_size=40).map(lambda t: ("random-text", t)),
    )


YAML_SCALARS: tuple[tuple[str, str], ...] = (
    ("type-confusion", "[]"),
    ("type-confusion", "{}"),
    ("type-confusion", "[1, 2]"),
    ("type-confusion", "{a: 1}"),
    ("type-confusion", "null"),
    ("type-confusion", "true"),
    ("type-confusion", "false"),
    ("type-confusion", '"true"'),
    ("type-confusion", "yes"),
    ("type-confusion", '"12"'),
    ("type-confusion", "2026-01-01"),
    ("type-confusion", "2026-01-01T00:00:00Z"),
    ("type-confusion", "!!binary aGVsbG8="),
    ("type-confusion", "1.5"),
    ("zero", "0"),
    ("boundary", "1"),
    ("boundary", "1000000"),
    ("boundary", "999999999"),
    ("boundary", "1e9"),
    ("boundary", "1e12"),
    ("boundary", "0.000001"),
    ("boundary", "99.99999"),
    ("boundary", "100"),
    ("negative", "-1"),
    ("negative", "-0.0"),
    ("negative", "-1e308"),
    ("huge-number", "1e308"),
    ("huge-number", "1.7976931348623157e308"),
    ("huge-number", "4294967297"),
    ("huge-number", "9223372036854775808"),
    ("huge-number", "-9223372036854775809"),
    ("huge-number", "1" + "0" * 400),
    ("huge-number", BIG_DIGITS),
    ("huge-number", "0x7fffffffffffffff"),
    ("tiny-number", "5e-324"),
    ("tiny-number", "1e-320"),
    ("non-finite", "1e999"),
    ("non-finite", ".inf"),
    ("non-finite", "-.inf"),
    ("non-finite", ".nan"),
    ("non-finite", ".NaN"),
    ("yaml-tag", "!!bool foo"),
    ("yaml-tag", '!!int ""'),
    ("yaml-tag", "!!int " + BIG_DIGITS),
    ("yaml-tag", "!!float x"),
    ("yaml-tag", "!!null x"),
    ("yaml-tag", "!!str 1"),
    ("yaml-tag", "!!timestamp 2026-13-45"),
    ("yaml-tag", "!!set {a, b}"),
    ("yaml-tag", "!!omap [a: 1]"),
    ("yaml-tag", "!!python/object/apply:os.system [id]"),
    ("yaml-tag", "!local x"),
    ("yaml-tag", "!<tag:yaml.org,2002:int> 3"),
    ("yaml-alias", "&a [*a]"),
    ("yaml-alias", "*undefined"),
    ("yaml-alias", "&b {x: *b}"),
    ("syntax", "{"),
    ("syntax", "]"),
    ("syntax", "'unterminated"),
    ("syntax", "a: b: c"),
    ("deep-nesting", _nested(100, "[", "]")),
    ("deep-nesting", _nested(100_000, "[", "]")),
    ("deep-nesting", _nested(1000, "{a: ", "}")),
    ("huge-list", "[" + ", ".join(["1"] * 100_000) + "]"),
)
"""Raw YAML nodes (one line each, valid in block and flow context unless marked syntax)."""


@st.composite
def yaml_values(draw: st.DrawFn) -> Hostile:
    """A hostile YAML node as raw text."""
    if draw(st.integers(0, 3)) == 0:
        kind, text = draw(_text_values())
        return Hostile(kind, _yaml_quote(text))
    kind, text = draw(st.sampled_from(YAML_SCALARS))
    return Hostile(kind, text)


JSON_SCALARS: tuple[tuple[str, str], ...] = (
    ("type-confusion", "[]"),
    ("type-confusion", "{}"),
    ("type-confusion", "null"),
    ("type-confusion", "true"),
    ("type-confusion", "false"),
    ("type-confusion", '"1"'),
    ("type-confusion", "1"),
    ("type-confusion", "[1, 2]"),
    ("type-confusion", '{"a": 1}'),
    ("zero", "0"),
    ("negative", "-1"),
    ("negative", "-0"),
    ("huge-number", "1e308"),
    ("huge-number", "1" + "0" * 400),
    ("huge-number", "-" + "1" + "0" * 400),
    ("huge-number", BIG_DIGITS),
    ("huge-number", "1e400"),
    ("tiny-number", "5e-324"),
    ("non-finite", "NaN"),
    ("non-finite", "Infinity"),
    ("non-finite", "-Infinity"),
    ("surrogate", '"\\ud800"'),
    ("surrogate", '"\\udfff\\ud800"'),
    ("control-escape", '"\\u001b[2J\\u001b]0;pwned\\u0007"'),
    ("control-escape", '"\\u009b31m\\u202eevil"'),
    ("control-escape", '"a\\u0000b"'),
    ("deep-nesting", _nested(100, "[", "]")),
    ("deep-nesting", _nested(100_000, "[", "]")),
    ("deep-nesting", _nested(100_000, '{"a": ', "}")),
    ("huge-list", "[" + ", ".join(["{}"] * 100_000) + "]"),
    ("syntax", "{"),
    ("syntax", "'single'"),
    ("syntax", "01"),
)
"""Raw JSON values, and a few things that are not JSON at all."""


def _json_quote(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@st.composite
def json_values(draw: st.DrawFn) -> Hostile:
    """A hostile JSON value as raw text."""
    if draw(st.integers(0, 3)) == 0:
        kind, text = draw(_text_values())
        return Hostile(kind, _json_quote(text))
    kind, text = draw(st.sampled_from(JSON_SCALARS))
    return Hostile(kind, text)


XML_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("malformed-integer", "--1"),
    ("malformed-integer", "\u00b2"),
    ("malformed-integer", "\u0663"),
    ("malformed-integer", "1.0"),
    ("malformed-integer", " 2 "),
    ("zero", "0"),
    ("negative", "-1"),
    ("negative", "-0.5"),
    ("huge-number", BIG_DIGITS),
    ("huge-number", "1e999"),
    ("huge-number", "1.5"),
    ("huge-number", "9223372036854775808"),
    ("non-finite", "nan"),
    ("non-finite", "inf"),
    ("non-finite", "-inf"),
    ("non-finite", "NaN"),
    ("tiny-number", "5e-324"),
    ("empty", ""),
    ("entity", "&amp;&lt;&#x41;"),
    ("entity", "&#27;[2J"),
    ("entity", "&undefined;"),
)
"""Raw XML attribute values (already escaped as they appear between quotes)."""


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


@st.composite
def xml_attribute_values(draw: st.DrawFn) -> Hostile:
    """A hostile XML attribute value as the raw text between its quotes."""
    if draw(st.integers(0, 3)) == 0:
        kind, text = draw(_text_values())
        return Hostile(kind, _xml_escape(text))
    kind, text = draw(st.sampled_from(XML_ATTRIBUTES))
    return Hostile(kind, text)


DATE_TEXTS: tuple[tuple[str, str], ...] = (
    ("date-invalid", "2026-02-30"),
    ("date-invalid", "2026-13-01"),
    ("date-invalid", "2026-1-1"),
    ("date-invalid", "26-11-21"),
    ("date-timestamp", "86400"),
    ("date-timestamp", "0"),
    ("date-timestamp", "-1"),
    ("date-timestamp", BIG_DIGITS),
    ("date-extreme", "0001-01-01"),
    ("date-extreme", "9999-12-31"),
    ("date-extreme", "+12026-01-01"),
    ("date-unicode", "\uff12\uff10\uff12\uff16-11-21"),
    ("date-unicode", "2026\u201011\u201021"),
    ("date-with-time", "2026-11-21T25:00:00"),
    ("date-with-time", "2026-11-21 00:00:00"),
    ("date-escape", "2026-11-21\x1b[2J"),
    ("empty", ""),
    ("blank", " "),
)
"""Date texts for waiver ``expires`` values and the ``--today`` option."""


def date_texts() -> st.SearchStrategy[Hostile]:
    """A hostile date text (not quoted)."""
    return st.sampled_from(DATE_TEXTS).map(lambda kv: Hostile(kv[0], kv[1]))


@st.composite
def yaml_dates(draw: st.DrawFn) -> Hostile:
    """A hostile waiver date as a raw YAML node: quoted, plain, or another type."""
    date = draw(date_texts())
    how = draw(st.sampled_from(["plain", "quoted", "other"]))
    if how == "quoted":
        return Hostile(date.kind, _yaml_quote(date.text))
    if how == "plain" and date.text.strip() and "\x1b" not in date.text:
        return Hostile(date.kind, date.text)
    return draw(yaml_values())
