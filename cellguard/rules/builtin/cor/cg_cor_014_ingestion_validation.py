"""CG-COR-014: ingestion output is validated before the index serves journeys."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components.data import IngestionPipeline
from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-COR-014",
    title="Ingestion output is validated before the index serves journeys",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=("ingestion_pipeline",),
    rationale=(
        "A bad ingestion run does not fail loudly: a source returns an empty page or an error "
        "page, a parser drops every table, an embedding model version changes, and the run "
        "finishes green while the index it writes is empty, truncated or embedded in a "
        "different vector space. Every answer retrieved from it is then wrong, and replicas and "
        "backups copy the damage. Checking the output before it serves (document and chunk "
        "counts against the last run, a retrieval smoke test on a fixed question set, the "
        "embedding model and dimension) and swapping the index in only when it passes keeps "
        "the last good index serving."
    ),
    source=(
        "Elasticsearch: The Definitive Guide, 'Index Aliases and Zero Downtime' "
        "(https://www.elastic.co/guide/en/elasticsearch/guide/current/index-aliases.html): build "
        "the new index beside the serving one and switch an alias atomically; the validation "
        "gate before the switch is cellguard's practice"
    ),
    remediation=(
        "Write each run into a new index or alias target, validate it (counts against the last "
        "run, a retrieval smoke test, embedding model and dimension), swap the alias only when "
        "it passes, and declare validation: true on the pipeline."
    ),
    action="validate-ingestion-output",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every ingestion pipeline that writes to a vector store."""
    graph = ctx.graph
    for qid, comp in ctx.components_for(META):
        target = ctx.component_target(qid)
        if not isinstance(comp, IngestionPipeline):  # pragma: no cover - applies_to
            continue
        stack = graph.stack_of(qid)
        stores = sorted(
            localise(e.target, stack)
            for e in graph.dependencies(qid)
            if graph.kind(e.target) is ComponentKind.VECTOR_STORE
        )
        if not stores:
            yield not_applicable(target, f"{target.id} writes to no vector store.")
            continue
        evidence: dict[str, Evidence] = {"validation": comp.validation, "writes_to": stores}
        field = ("validation",)
        names = ", ".join(stores)
        if comp.validation is True:
            yield passed(
                target,
                f"{target.id} validates its output before {names} serves it.",
                field,
                **evidence,
            )
        elif comp.validation is False:
            yield failed(
                target,
                f"{target.id} writes {names} without validating the run: an empty, truncated "
                "or re-embedded index goes live and every retrieval from it is wrong.",
                field,
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} does not say whether its output is validated before {names} "
                "serves it (validation).",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
