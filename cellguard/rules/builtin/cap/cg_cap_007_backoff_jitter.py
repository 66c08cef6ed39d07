"""CG-CAP-007: retries back off with jitter."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components.common import ServiceFields
from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-CAP-007",
    title="Retries back off with jitter",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=tuple(kind.value for kind in ComponentKind),
    rationale=(
        "Retries sent immediately, or on a fixed schedule, arrive in synchronised waves: a "
        "dependency that slowed down for a moment receives its load again and again and "
        "cannot recover, and a throttled model quota stays throttled. Exponential backoff "
        "spreads retries out in time and jitter de-synchronises the clients."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL05-BP03 (control and limit retry calls); AWS "
        "Architecture Blog, Exponential Backoff and Jitter (Brooker, 2015)"
    ),
    remediation=(
        "Retry with capped exponential backoff and full jitter (the AWS SDKs' standard retry "
        "mode, tenacity's wait_random_exponential, Envoy retry back-off) and set "
        "protections.backoff_jitter to true."
    ),
    action="add-backoff-jitter",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every component that retries a dependency; one that does not say whether it
    retries (``retries`` left out) is UNKNOWN unless it backs off with jitter anyway."""
    for qid, comp in ctx.components():
        target = ctx.component_target(qid)
        edges = list(ctx.graph.dependencies(qid))
        retried = [e for e in edges if e.retries > 0]
        if not retried:
            undeclared = [e for e in edges if not e.retries_declared]
            protections = comp.protections if isinstance(comp, ServiceFields) else None
            if undeclared and not (protections and protections.backoff_jitter):
                names = ", ".join(localise(e.target, target.stack) for e in undeclared)
                yield unknown(
                    target,
                    f"{target.id} does not declare whether it retries {names} "
                    "(depends_on[].retries; 0 for no retries).",
                    ("depends_on",),
                    retries_undeclared=[localise(e.target, target.stack) for e in undeclared],
                    backoff_jitter=protections.backoff_jitter if protections else None,
                )
                continue
            yield not_applicable(target, f"{target.id} does not retry its dependencies.")
            continue
        calls = ", ".join(
            f"{localise(e.target, target.stack)} ({e.retries} "
            f"retr{'y' if e.retries == 1 else 'ies'})"
            for e in retried
        )
        protections = comp.protections if isinstance(comp, ServiceFields) else None
        jitter = protections.backoff_jitter if protections else None
        evidence: dict[str, Evidence] = {
            "retries": {localise(e.target, target.stack): e.retries for e in retried},
            "backoff_jitter": jitter,
        }
        if jitter is True:
            yield passed(
                target,
                f"{target.id} backs off with jitter when it retries {calls}.",
                ("protections", "backoff_jitter"),
                **evidence,
            )
        elif jitter is False:
            yield failed(
                target,
                f"{target.id} retries {calls} without backoff and jitter: its retries "
                "arrive in waves that keep a struggling dependency down.",
                ("protections", "backoff_jitter"),
                **evidence,
            )
        elif not isinstance(comp, ServiceFields):
            yield unknown(
                target,
                f"{target.id} retries {calls}, but a {ctx.graph.kind(qid).value} declares no "
                "protections, so whether it backs off with jitter is unknown.",
                ("depends_on",),
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} retries {calls} but does not say whether it backs off with "
                "jitter (protections.backoff_jitter).",
                ("protections",) if protections else ("depends_on",),
                **evidence,
            )


RULE = PythonRule(META, check)
