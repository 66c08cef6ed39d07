"""Checks of a journey's ``route`` and ``answer`` that need the whole document.

Every reference must name a component (with a did-you-mean); a call named with ``from`` must be
one of the caller's dependencies; each route call must be reached from the entrypoint over the
route's calls (the fallback of a call on the route is on it too); and an awaited answer's producer must be reached over the journey's calls.
Reachability is checked within the document here; a journey whose route or answer crosses into
another document is checked by :func:`organisation_checks` once every document is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cellguard.models.business import Journey
from cellguard.models.loader.document import LoadedDocument
from cellguard.models.loader.errors import Diagnostic, KeyPath, Suggester, one_of
from cellguard.models.references import localise, qualify
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


def organisation_checks(documents: Sequence[LoadedDocument]) -> list[Diagnostic]:
    """The route checks of the journeys whose route or answer crosses documents (the document
    checks cover the others): a ``from`` that does not call ``to``, a route call or an answer's
    producer not reached from the entrypoint. References into documents that are not loaded
    (single-file mode) are left alone."""
    calls: dict[str, list[str]] = {}
    fallbacks: dict[tuple[str, str], str] = {}
    for doc in documents:
        for comp in doc.document.components:
            qid = qualify(comp.id, doc.name)
            calls[qid] = [qualify(d.to, doc.name) for d in comp.depends_on]
            for d in comp.depends_on:
                if d.fallback is not None:
                    fallbacks[(qid, qualify(d.to, doc.name))] = qualify(d.fallback, doc.name)
    out: list[Diagnostic] = []
    for doc in documents:
        if not isinstance(doc.document, Stack):
            continue
        for ji, journey in enumerate(doc.document.business.journeys):
            out += _crossing(doc, ("business", "journeys", ji), journey, calls, fallbacks)
    return out


def _crossing(
    doc: LoadedDocument,
    base: KeyPath,
    journey: Journey,
    calls: dict[str, list[str]],
    fallbacks: dict[tuple[str, str], str],
) -> list[Diagnostic]:
    name = doc.name
    refs = [journey.entrypoint] + [
        r for c in journey.route or () for r in (c.to, c.caller) if r is not None
    ]
    if journey.answer is not None:
        refs += [journey.answer.producer, journey.answer.channel]
    entry = qualify(journey.entrypoint, name)
    if all("/" not in localise(r, name) for r in refs) or entry not in calls:
        return []
    out: list[Diagnostic] = []
    listed: dict[str, set[str | None]] = {}
    for ri, call in enumerate(journey.route or ()):
        target = qualify(call.to, name)
        caller = qualify(call.caller, name) if call.caller is not None else None
        listed.setdefault(target, set()).add(caller)
        if caller in calls and target in calls and target not in calls[caller]:
            out.append(
                doc.source.diagnostic(
                    (*base, "route", ri, "from"),
                    f"'{localise(caller, name)}' does not call '{localise(target, name)}' "
                    "(it is not in its depends_on)",
                    code="unknown-reference",
                    expected="a component that calls it: "
                    + one_of(localise(c, name) for c, cs in calls.items() if target in cs),
                )
            )
    if out:
        return out
    seen, pending = {entry}, [entry]
    while pending:
        node = pending.pop()
        for target in calls.get(node, []):
            callers = listed.get(target)
            if journey.route is not None and (
                callers is None or (node not in callers and None not in callers)
            ):
                continue
            for reached in (target, fallbacks.get((node, target))):
                if reached is not None and reached not in seen:
                    seen.add(reached)
                    pending.append(reached)
    for ri, call in enumerate(journey.route or ()):
        target = qualify(call.to, name)
        if target in calls and target not in seen:
            out.append(
                doc.source.diagnostic(
                    (*base, "route", ri, "to"),
                    f"route call '{localise(target, name)}' is not reached from the entrypoint "
                    f"'{localise(entry, name)}' over the route's calls",
                    code="unreached",
                    expected="each route call's caller on the route (the entrypoint, or a "
                    "listed component)",
                )
            )
    answer = journey.answer
    if answer is not None:
        producer = qualify(answer.producer, name)
        if producer in calls and producer not in seen:
            out.append(
                doc.source.diagnostic(
                    (*base, "answer", "producer"),
                    f"the answer's producer '{localise(producer, name)}' is not reached from "
                    f"the entrypoint '{localise(entry, name)}' over the journey's calls",
                    code="unreached",
                    expected="a component the journey calls, directly or through others",
                )
            )
    return out
