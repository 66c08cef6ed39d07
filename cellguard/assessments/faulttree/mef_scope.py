"""MEF name scopes: which element a name written inside a fault tree or component means.

Open-PSA MEF containers (``define-fault-tree``, ``define-component``) give their elements a
path, ``Tree.Component.Name``. A public element (the default) is known everywhere by its
bare name; a private one (``role="private"``, or inside a private component) only by its
path, and by its bare name inside its own container. A reference ``R`` written in container
``C`` is resolved as SCRAM's ``Initializer::GetEntity`` does: the element at path ``C.R`` if
there is one, else the public element ``R`` (a name without a dot), else the element whose
full path is ``R``. ``model-data`` has no path: its elements are public.

The members of a ``define-CCF-group`` are basic events with the group's path and role (as
SCRAM's ``Initializer::ProcessCcfMembers`` makes them). Private elements get their full path as their name in the tree (``ThreeMotor.t.E1``), public
ones their bare name, so the two ``E1`` of SCRAM's ThreeMotor input stay distinct.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.faulttree.mef_xml import MefError, Node, shown

CONTAINERS = ("define-fault-tree", "define-component", "model-data")
DEFINITIONS = ("define-gate", "define-basic-event", "define-house-event", "define-parameter")
_ROLES = ("public", "private")


class Scopes:
    """Every definition's path and name, collected before the formulas are read."""

    def __init__(self, path: str, root: Node) -> None:
        self.path = path
        self.by_path: dict[str, str] = {}  # full path -> name in the tree
        self.scope_of: dict[int, tuple[str, bool]] = {}  # id(container node) -> (path, private)
        self.scope_of[id(root)] = ("", False)
        stack: list[tuple[Iterator[Node], str, bool]] = [(iter(root.children), "", False)]
        while stack:
            children, base, private = stack[-1]
            for child in children:
                if child.tag in CONTAINERS:
                    scope, is_private = self._enter(child, base, private)
                    self.scope_of[id(child)] = (scope, is_private)
                    stack.append((iter(child.children), scope, is_private))
                    break
                if child.tag in DEFINITIONS:
                    self.name(child, base, private)
                elif child.tag == "define-CCF-group":  # members take the group's role
                    group_private = self.private(child, private)
                    members = child.find("members")
                    for member in members.children if members is not None else ():
                        if member.tag == "basic-event":
                            self.name(member, base, group_private)
            else:
                stack.pop()

    def _enter(self, node: Node, base: str, private: bool) -> tuple[str, bool]:
        """The path and privacy of container ``node`` inside ``base``."""
        if node.tag == "model-data":
            return "", False
        name = node.get("name") or ""
        if not name and node.tag == "define-component":
            raise MefError(
                self.path,
                '<define-component> without a name; expected name="..." (its elements are '
                "known by it)",
                node.line,
            )
        scope = f"{base}.{name}" if base and name else name or base
        return scope, self.private(node, private)

    def private(self, node: Node, inherited: bool) -> bool:
        """Whether ``node`` is private: its ``role``, else that of its container."""
        role = node.get("role")
        if role is None:
            return inherited
        if role not in _ROLES:
            raise MefError(
                self.path,
                f"role {shown(role)} of <{node.tag}> is not public or private",
                node.line,
            )
        return role == "private"

    def name(self, node: Node, base: str, private: bool) -> str:
        """The name in the tree of element ``node`` defined in container ``base``."""
        raw = node.get("name") or ""
        full = f"{base}.{raw}" if base else raw
        name = full if self.private(node, private) else raw
        self.by_path.setdefault(full, name)
        return name

    def resolve(self, base: str, reference: str) -> str:
        """The name in the tree of ``reference`` written in container ``base``."""
        if base:
            local = self.by_path.get(f"{base}.{reference}")
            if local is not None:
                return local
        if "." not in reference:
            return reference
        return self.by_path.get(reference, reference)
