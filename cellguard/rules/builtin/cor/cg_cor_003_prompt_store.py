"""CG-COR-003: prompts live in a durable, versioned store.

Prompt stores count wherever they are: the stack's own components and every component its
journeys reach (a platform's shared prompt library included). Object stores and databases
whose ``contents`` include ``prompts`` count too. A stack whose journeys reach a model but that
has no prompt store at all fails: its prompts must then live in code or configuration, where
they change with deployments and cannot be rolled back or audited on their own.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import ComponentBase, Database, ObjectStore, PromptStore
from cellguard.models.enums import DataContent
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.loader.errors import KeyPath
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cor._helpers import journey_models
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-COR-003",
    title="Prompts live in a durable, versioned store",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=("stack",),
    rationale=(
        "A prompt change alters every answer as much as a model change does. Prompts kept in "
        "a versioned catalog can be tested before release, pinned per model, audited and "
        "rolled back to the last good version in seconds; prompts edited in place, or buried "
        "in code and configuration, cannot."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENREL04-BP01 (implement a prompt catalog) "
        "and GENOPS03-BP01 (implement prompt template management)"
    ),
    remediation=(
        "Keep prompt templates in a versioned, immutable store (Bedrock Prompt Management, a "
        "DynamoDB table keyed by template and version, a git-backed catalog) and have the app "
        "pin the version it uses; declare it as a prompt_store component with versioning: true."
    ),
    action="add-versioned-prompt-store",
)


def _versioned(comp: ComponentBase) -> bool | None:
    if isinstance(comp, PromptStore | ObjectStore):
        return comp.versioning
    return None


def _holds_prompts(comp: ComponentBase) -> bool:
    if isinstance(comp, PromptStore):
        return True
    if isinstance(comp, ObjectStore | Database):
        return DataContent.PROMPTS in comp.contents
    return False


def _how_to_say(comp: ComponentBase) -> str:
    if isinstance(comp, Database):
        return "a database cannot declare it; model the prompts as a prompt_store"
    return "versioning"


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every stack whose journeys reach a generative model."""
    graph = ctx.graph
    for stack in ctx.stacks():
        target = ctx.stack_target(stack.name)
        reached: set[str] = set()
        models: set[str] = set()
        for _, journey in graph.journeys(stack.name):
            models.update(journey_models(ctx, stack.name, journey.id))
            reached.update(graph.journey_components(stack.name, journey.id))
        if not models:
            yield not_applicable(target, f"No journey of {stack.name} reaches a generative model.")
            continue
        candidates = sorted(reached | set(graph.components(stack.name)))
        stores = [q for q in candidates if _holds_prompts(graph.component(q))]
        state = {localise(q, stack.name): _versioned(graph.component(q)) for q in stores}
        evidence: dict[str, Evidence] = {
            "models": [localise(q, stack.name) for q in sorted(models)],
            "prompt_stores": state,
        }
        if not stores:
            yield failed(
                target,
                f"{stack.name} has no prompt store: its prompts presumably live in code or "
                "configuration, with no versions to test, pin or roll back.",
                (),
                **evidence,
            )
            continue
        unversioned = [q for q in stores if state[localise(q, stack.name)] is False]
        undeclared = [q for q in stores if state[localise(q, stack.name)] is None]
        if unversioned:
            first = unversioned[0]
            yield failed(
                target,
                f"Prompts in {', '.join([localise(q, stack.name) for q in unversioned])} are not versioned: "
                "a bad edit overwrites the only copy and cannot be rolled back.",
                _field(ctx, stack.name, first),
                **evidence,
            )
        elif undeclared:
            yield unknown(
                target,
                f"{', '.join([localise(q, stack.name) for q in undeclared])} does not say whether prompts are "
                f"versioned ({_how_to_say(graph.component(undeclared[0]))}).",
                _field(ctx, stack.name, undeclared[0]),
                **evidence,
            )
        else:
            yield passed(
                target,
                f"Prompts live in a versioned store: {', '.join([localise(q, stack.name) for q in stores])}.",
                _field(ctx, stack.name, stores[0]),
                **evidence,
            )


def _field(ctx: RuleContext, stack: str, qid: str) -> KeyPath:
    """The flag's key path when the store is the stack's own; the stack itself otherwise."""
    if ctx.graph.stack_of(qid) != stack:
        return ()
    comp = ctx.graph.component(qid)
    if isinstance(comp, Database):
        return (*ctx.component_target(qid).path, "contents")
    return (*ctx.component_target(qid).path, "versioning")


RULE = PythonRule(META, check)
