"""Checks of a journey's ``route`` and ``answer`` that need the whole document.

Every reference must name a component (with a did-you-mean); a call named with ``from`` must be
one of the caller's dependencies; each route call must be reached from the entrypoint over the
route's calls (the fallback of a call on the route is on it too); and an awaited answer's producer must be reached over the journey's calls.
Reachability is checked within the document: a journey whose route or entrypoint crosses into
another document is checked for references only (the organisation loader resolves those).
"""

from __future__ import annotations

from collections.abc import Callable

from cellguard.models.business import Journey
from cellguard.models.loader.errors import KeyPath, Suggester, one_of
from cellguard.models.stack import Stack

Error = Callable[..., None]
Reference = Callable[[KeyPath, str], None]


class JourneyChecks:
    """The checks of one stack's journeys; errors go to ``error``, references to ``reference``."""

    def __init__(
        self,
        stack: Stack,
        local: Callable[[str], str],
        reference: Reference,
        error: Error,
        suggest: Suggester,
    ) -> None:
        self.stack = stack
        self.local = local
        self.reference = reference
        self.error = error
        self.suggest = suggest
        self.calls: dict[str, list[str]] = {
            c.id: [local(d.to) for d in c.depends_on] for c in stack.components
        }
        self.fallbacks: dict[tuple[str, str], str] = {
            (c.id, local(d.to)): local(d.fallback)
            for c in stack.components
            for d in c.depends_on
            if d.fallback is not None
        }

    def run(self) -> None:
        for ji, journey in enumerate(self.stack.business.journeys):
            self.journey(("business", "journeys", ji), journey)

    def _local(self, *refs: str) -> bool:
        return all("/" not in self.local(r) for r in refs)

    def _reached(self, journey: Journey) -> set[str] | None:
        """Components reached from the entrypoint over the journey's calls (within the
        document), or ``None`` when the journey leaves the document."""
        entry = self.local(journey.entrypoint)
        refs = [entry]
        listed: dict[str, set[str | None]] = {}
        for call in journey.route or []:
            caller = self.local(call.caller) if call.caller is not None else None
            listed.setdefault(self.local(call.to), set()).add(caller)
            refs += [call.to] + ([call.caller] if call.caller is not None else [])
        if not self._local(*refs) or entry not in self.calls:
            return None
        seen = {entry}
        pending = [entry]
        while pending:
            node = pending.pop()
            for target in self.calls.get(node, []):
                callers = listed.get(target)
                if journey.route is not None and (
                    callers is None or (node not in callers and None not in callers)
                ):
                    continue
                # a fallback serves when its primary fails: it is on the route too
                for node_reached in (target, self.fallbacks.get((node, target))):
                    if node_reached is not None and node_reached not in seen:
                        seen.add(node_reached)
                        pending.append(node_reached)
        return seen

    def journey(self, base: KeyPath, journey: Journey) -> None:
        seen: dict[tuple[str, str | None], int] = {}
        ok = True
        for ri, call in enumerate(journey.route or []):
            path: KeyPath = (*base, "route", ri)
            ok = self.call(path, call.to, call.caller) and ok
            key = (self.local(call.to), self.local(call.caller) if call.caller else None)
            if key in seen:
                self.error(
                    path,
                    f"the route lists the call to '{call.to}'"
                    + (f" from '{call.caller}'" if call.caller else "")
                    + f" twice (route[{seen[key]}])",
                    "duplicate-dependency",
                    suggestion="merge the two entries",
                )
                ok = False
            seen.setdefault(key, ri)
        answer = journey.answer
        if answer is not None:
            self.reference((*base, "answer", "producer"), answer.producer)
            self.reference((*base, "answer", "channel"), answer.channel)
        reached = self._reached(journey) if ok else None
        if reached is None:
            return
        entry = self.local(journey.entrypoint)
        for ri, call in enumerate(journey.route or []):
            target = self.local(call.to)
            if target in self.calls and target not in reached:
                self.unreached((*base, "route", ri, "to"), target, entry, reached)
        if answer is not None:
            producer = self.local(answer.producer)
            if producer in self.calls and producer not in reached:
                self.error(
                    (*base, "answer", "producer"),
                    f"the answer's producer '{producer}' is not reached from the entrypoint "
                    f"'{entry}' over the journey's calls",
                    "unreached",
                    expected="a component the journey calls, directly or through others",
                    suggestion=self._hint(producer, reached, journey.route is not None),
                )

    def call(self, path: KeyPath, to: str, caller: str | None) -> bool:
        """References of one route call; False when one is wrong."""
        known = set(self.calls)
        self.reference((*path, "to"), to)
        good = "/" in self.local(to) or self.local(to) in known
        if caller is None:
            return good
        self.reference((*path, "from"), caller)
        source, target = self.local(caller), self.local(to)
        if source not in known or "/" in source:
            return False
        if good and target not in self.calls[source]:
            callers = sorted(c for c, calls in self.calls.items() if target in calls)
            near = self.suggest(source, callers)
            self.error(
                (*path, "from"),
                f"'{source}' does not call '{target}' (it is not in its depends_on)",
                "unknown-reference",
                expected=f"a component that calls '{target}': " + one_of(callers)
                if callers
                else f"a caller of '{target}' (no component calls it)",
                suggestion=f"did you mean '{near}'?" if near else None,
            )
            return False
        return good

    def _hint(self, target: str, reached: set[str], routed: bool) -> str | None:
        callers = sorted(c for c, calls in self.calls.items() if target in calls)
        if not callers:
            return None
        if routed:
            return "add its caller to the route: " + ", ".join(f"'{c}'" for c in callers)
        return f"it is called by {', '.join(callers)}, which the entrypoint does not reach"

    def unreached(self, path: KeyPath, target: str, entry: str, reached: set[str]) -> None:
        self.error(
            path,
            f"route call '{target}' is not reached from the entrypoint '{entry}' over the "
            "route's calls",
            "unreached",
            expected="each route call's caller on the route (the entrypoint, or a listed "
            "component)",
            suggestion=self._hint(target, reached, True),
        )
