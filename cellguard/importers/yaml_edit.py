"""Edits of a YAML file's text that leave every other byte as it was.

``import --into`` updates a spec a person wrote. Writing the spec again from its data would lose
its comments, blank lines, key order and quoting, so the file is edited as text instead: the
YAML is composed once (PyYAML's node graph, with the start and end of every node), and each
change is a splice of the original text -- a scalar or flow value replaced in place, lines
inserted after the last line of a block mapping or sequence. Nothing outside the spliced spans
changes.

A node reached by two paths (an alias) is shared: editing it would change both places, so
:meth:`Tree.shared` lets the caller leave it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``new`` (``start == end``: an insertion)."""

    start: int
    end: int
    new: str


@dataclass
class Tree:
    """The nodes of one YAML document by key path, and the text they were composed from."""

    text: str
    values: dict[Path_, yaml.Node] = field(default_factory=dict)
    keys: dict[Path_, yaml.Node] = field(default_factory=dict)
    _seen: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> Tree:
        """Compose ``text`` (one document, already validated by the loader)."""
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        tree = cls(text)
        if root is not None:
            tree._walk(root, ())
        return tree

    def _walk(self, node: yaml.Node, path: Path_) -> None:
        stack: list[tuple[yaml.Node, Path_]] = [(node, path)]
        while stack:
            current, where = stack.pop()
            self.values[where] = current
            self._seen[id(current)] = self._seen.get(id(current), 0) + 1
            if isinstance(current, yaml.MappingNode):
                for key, value in current.value:
                    if isinstance(key, yaml.ScalarNode):
                        self.keys[(*where, str(key.value))] = key
                        stack.append((value, (*where, str(key.value))))
            elif isinstance(current, yaml.SequenceNode):
                stack.extend((item, (*where, i)) for i, item in enumerate(current.value))

    def shared(self, path: Path_) -> bool:
        """Whether the node at ``path`` (or an ancestor) is reached by more than one path, or
        comes from a merge key, so that editing its text would change another place too."""
        for depth in range(len(path) + 1):
            node = self.values.get(path[:depth])
            if node is not None and self._seen.get(id(node), 0) > 1:
                return True
        return False

    def line_end(self, index: int) -> int:
        """The index just after the line break ending the line that holds ``index``."""
        end = self.text.find("\n", index)
        return len(self.text) if end < 0 else end + 1

    def last_line_end(self, node: yaml.Node) -> int:
        """The index after the last line holding content of ``node`` (a block collection's
        own end mark lies past the comments that follow it)."""
        while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style:
            if not node.value:
                break
            last = node.value[-1]
            node = last[1] if isinstance(node, yaml.MappingNode) else last
        end = node.end_mark.index
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            end = max(node.start_mark.index, end - 1)  # a block scalar ends at the next line
        return self.line_end(end)

    def key_column(self, mapping: yaml.Node) -> int | None:
        """The column of the keys of a block mapping."""
        if not isinstance(mapping, yaml.MappingNode) or mapping.flow_style or not mapping.value:
            return None
        return int(mapping.value[0][0].start_mark.column)

    def trailing_comment(self, node: yaml.Node) -> tuple[int, int] | None:
        """The span of a ``# ...`` comment on the line where ``node`` ends, if any."""
        end = node.end_mark.index
        line_end = self.text.find("\n", end)
        line_end = len(self.text) if line_end < 0 else line_end
        rest = self.text[end:line_end]
        hash_at = rest.find("#")
        if hash_at < 0 or rest[:hash_at].strip():
            return None
        return end + hash_at, line_end


def apply(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` applied; insertions at one place keep the order given."""
    ordered = sorted(enumerate(edits), key=lambda e: (e[1].start, e[1].end, e[0]), reverse=True)
    out = text
    for _, edit in ordered:
        out = out[: edit.start] + edit.new + out[edit.end :]
    return out
