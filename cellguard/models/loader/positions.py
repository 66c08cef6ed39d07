"""Source positions of a spec document: where each key and value was written.

The reader (:mod:`cellguard.models.loader.source`) records the parser's start mark of every
node; the 1-based :class:`Position` is made only for the paths looked up.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from cellguard.models.loader.errors import Diagnostic, KeyPath, Severity


class Position(NamedTuple):
    """A 1-based line and column in a file."""

    line: int
    column: int


class _Mark(Protocol):
    """The parser's own 0-based start mark of a node (libyaml makes one for every node)."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


_Recorded = Position | _Mark


def position(recorded: _Recorded | tuple[int, int]) -> Position:
    """The 1-based position of a recorded position, a plain 1-based ``(line, column)`` pair
    (:meth:`SourceMap.pairs`) or a parser mark."""
    kind = type(recorded)
    if kind is Position:
        return recorded  # type: ignore[return-value]  # just checked
    if kind is tuple:
        return Position._make(recorded)  # type: ignore[arg-type]
    return Position(recorded.line + 1, recorded.column + 1)  # type: ignore[union-attr]


class SourceMap:
    """Positions of the keys and values of one document, by key path.

    The reader records each node's own start mark as it is; a :class:`Position` is made for the
    paths looked up (a finding's location, a diagnostic), or for all of them the first time
    :attr:`keys` or :attr:`values` is read. A 10,000-component organisation has over half a
    million keys and values; making a position for each cost more than reading them.
    """

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __init__(
        self,
        file: str,
        keys: dict[KeyPath, Position] | None = None,
        values: dict[KeyPath, Position] | None = None,
    ) -> None:
        self.file = file
        self._keys: dict[KeyPath, _Recorded] = {} if keys is None else dict(keys)
        self._values: dict[KeyPath, _Recorded] = {} if values is None else dict(values)
        self._marks = False  # whether the dicts may hold marks not yet made positions

    def record_marks(self) -> tuple[dict[KeyPath, Any], dict[KeyPath, Any]]:
        """The dicts of key and value positions, for a reader to fill with start marks (it
        must write nothing else into this map while it does)."""
        self._marks = True
        return self._keys, self._values

    def pairs(self) -> tuple[dict[KeyPath, tuple[int, int]], dict[KeyPath, tuple[int, int]]]:
        """The key and value positions as plain 1-based ``(line, column)`` pairs (what
        :func:`marshal.dumps` can send to another process; :meth:`from_pairs` takes them)."""
        return _plain(self._keys), _plain(self._values)

    @classmethod
    def from_pairs(
        cls,
        file: str,
        keys: dict[KeyPath, tuple[int, int]],
        values: dict[KeyPath, tuple[int, int]],
    ) -> SourceMap:
        """The map :meth:`pairs` described, its dicts kept as they are (each pair becomes a
        :class:`Position` when it is looked up)."""
        source = cls(file)
        source._keys, source._values = keys, values  # type: ignore[assignment]
        source._marks = True
        return source

    def _settle(self) -> None:
        if self._marks:  # in place: a reader holds these dicts
            for recorded in (self._keys, self._values):
                for path, where in recorded.items():
                    recorded[path] = position(where)
            self._marks = False

    @property
    def keys(self) -> dict[KeyPath, Position]:
        """Position of each mapping key, by the path of its value."""
        self._settle()
        return self._keys  # type: ignore[return-value]  # settled: positions only

    @keys.setter
    def keys(self, keys: dict[KeyPath, Position]) -> None:
        self._settle()
        self._keys = dict(keys)

    @property
    def values(self) -> dict[KeyPath, Position]:
        """Position of each value (mapping, list or scalar), by its path."""
        self._settle()
        return self._values  # type: ignore[return-value]  # settled: positions only

    @values.setter
    def values(self, values: dict[KeyPath, Position]) -> None:
        self._settle()
        self._values = dict(values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceMap):
            return NotImplemented
        return (self.file, self.keys, self.values) == (other.file, other.keys, other.values)

    def __repr__(self) -> str:
        return f"SourceMap(file={self.file!r}, keys={self.keys!r}, values={self.values!r})"

    def locate(self, path: KeyPath, *, prefer_key: bool = False) -> tuple[Position, KeyPath]:
        """Position of ``path``, or of its nearest recorded ancestor; and the path found."""
        probe = tuple(path)
        first, second = (self._keys, self._values) if prefer_key else (self._values, self._keys)
        while True:
            found = first.get(probe)
            if found is None:
                found = second.get(probe)
            if found is not None:
                return position(found), probe
            if not probe:
                return Position(1, 1), ()
            probe = probe[:-1]

    def diagnostic(
        self,
        path: KeyPath,
        message: str,
        *,
        code: str,
        prefer_key: bool = False,
        expected: str | None = None,
        suggestion: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Diagnostic:
        """A diagnostic located at ``path`` in this file."""
        pos, _ = self.locate(path, prefer_key=prefer_key)
        return Diagnostic(
            self.file,
            pos.line,
            pos.column,
            tuple(path),
            message,
            code=code,
            expected=expected,
            suggestion=suggestion,
            severity=severity,
        )


def _plain(recorded: dict[KeyPath, _Recorded]) -> dict[KeyPath, tuple[int, int]]:
    out: dict[KeyPath, tuple[int, int]] = {}
    for path, where in recorded.items():
        if type(where) is Position:
            out[path] = (where.line, where.column)
        else:
            out[path] = (where.line + 1, where.column + 1)
    return out
