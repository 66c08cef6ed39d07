"""Helpers the fault isolation rules share: who uses a component, and references not loaded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cellguard.assessments.edges import DependencyEdge
from cellguard.assessments.placement import DomainKind, DomainRef
from cellguard.models.enums import SharedDomainType
from cellguard.models.findings import Evidence
from cellguard.models.stack import Platform, Stack
from cellguard.rules.context import RuleContext
from cellguard.rules.outcome import Outcome, Target, passed, unknown


def shared_domain_type(ctx: RuleContext, domain: DomainRef) -> SharedDomainType | None:
    """The declared type of an explicit shared-fate domain; ``None`` if it is not declared."""
    stack, _, ident = domain.id.partition("/")
    try:
        doc = ctx.document(stack)
    except KeyError:
        return None
    found = next((d for d in doc.topology.shared_domains if d.id == ident), None)
    return found.type if found is not None else None


def shared_domains_of(ctx: RuleContext, qid: str, *types: SharedDomainType) -> list[DomainRef]:
    """The explicit shared-fate domains of ``qid`` whose type is one of ``types``, sorted."""
    return [
        d
        for d in ctx.graph.domains_of(qid)
        if d.kind is DomainKind.SHARED and shared_domain_type(ctx, d) in types
    ]


def department(ctx: RuleContext, stack: str) -> str:
    """The department of a document, or its name when it declares none."""
    return ctx.document(stack).metadata.effective_department or stack


@dataclass(frozen=True)
class Sharing:
    """Who depends on a component, directly or through an explicit shared-fate domain.

    ``stacks`` are the Stack documents (platforms own shared parts, they are not consumers)
    that call the component or reach it on a journey; ``departments`` are theirs and those of
    the journeys reaching it. ``domains`` are the shared-fate domains looked through and
    ``peers`` their other members (qualified ids).
    """

    stacks: list[str]
    departments: list[str]
    domains: list[str]
    peers: list[str]

    def evidence(self) -> dict[str, Evidence]:
        """The stacks, departments and shared domains, for a finding's evidence."""
        return {
            "stacks": self.stacks,
            "departments": self.departments,
            "shared_domains": self.domains,
        }

    @property
    def shared(self) -> bool:
        """Used by more than one stack or department."""
        return len(self.stacks) > 1 or len(self.departments) > 1


def sharing(ctx: RuleContext, qid: str, *domain_types: SharedDomainType) -> Sharing:
    """The :class:`Sharing` of ``qid``, looking through shared domains of ``domain_types``."""
    members = {qid}
    domains = shared_domains_of(ctx, qid, *domain_types)
    for domain in domains:
        members.update(ctx.graph.members(domain))
    stacks: set[str] = set()
    departments: set[str] = set()
    for member in members:
        users = [s for s in ctx.stacks_using(member) if isinstance(ctx.document(s), Stack)]
        stacks.update(users)
        departments.update(department(ctx, s) for s in users)
        departments.update(ctx.departments_of(member))
    return Sharing(
        stacks=sorted(stacks),
        departments=sorted(departments),
        domains=[d.id for d in domains],
        peers=sorted(members - {qid}),
    )


def owned_by_platform(ctx: RuleContext, stack: str) -> bool:
    """Whether ``stack`` is a Platform document (shared components by design)."""
    return isinstance(ctx.document(stack), Platform)


def not_shared(
    ctx: RuleContext,
    target: Target,
    users: list[str],
    what: str,
    evidence: dict[str, Evidence],
) -> Outcome:
    """The verdict on a component no two stacks share: PASS, or UNKNOWN for a platform's
    component that no loaded stack uses (who shares it cannot be seen). ``what`` names it in
    the PASS message, e.g. ``"Fine-tuned llm"``."""
    if not users and owned_by_platform(ctx, target.stack):
        return unknown(
            target,
            f"{target.id} is a shared component of platform {target.stack}, but no stack "
            "using it is loaded; assess the organisation directory to see who shares it.",
            (),
            **evidence,
        )
    shown = listing(users) or target.stack
    return passed(target, f"{what} serves one stack only ({shown}).", (), **evidence)


def listing(names: list[str]) -> str:
    """``a, b and c``."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def sharing_message(cid: str, noun: str, share: Sharing) -> str:
    """The opening of a FAIL message naming the stacks and departments sharing ``cid``."""
    return (
        f"{cid} is one {noun} shared by {len(share.stacks)} stacks "
        f"({listing(share.stacks)}) of {len(share.departments)} departments "
        f"({listing(share.departments)})"
    )


def unresolved_outcomes(ctx: RuleContext, concern: str) -> Iterator[Outcome]:
    """One UNKNOWN per document that calls components of documents that are not loaded.

    In single-file mode a call such as ``genai-platform/shared-kb`` cannot be followed: the
    callee's kind and its other users are unknown, so sharing cannot be judged. ``concern``
    completes "whether ... cannot be checked".
    """
    by_doc: dict[str, list[DependencyEdge]] = {}
    refs: dict[str, set[str]] = {}
    for edge in ctx.graph.unresolved:
        stack = ctx.graph.stack_of(edge.source)
        refs.setdefault(stack, set()).add(edge.target)
        if isinstance(edge, DependencyEdge):
            by_doc.setdefault(stack, []).append(edge)
    for stack in sorted(refs):
        names = sorted(refs[stack])
        edges = by_doc.get(stack, [])
        field = ctx.dependency_target(edges[0]).path if edges else ()
        yield unknown(
            ctx.stack_target(stack),
            f"{stack} calls {listing(names)} in documents that are not loaded, so whether "
            f"{concern} cannot be checked; assess the organisation directory instead.",
            field,
            not_loaded=names,
        )
