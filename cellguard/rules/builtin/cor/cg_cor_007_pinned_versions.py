"""CG-COR-007: models and images are pinned.

One outcome per component, combining its container image and, for model-serving kinds, the
model version:

* an image is pinned only by digest (``repo@sha256:...``); any tag, ``latest`` or none, can be
  re-pointed and FAILs;
* a model is pinned by ``model.pinned_version``; a moving revision name there (``main``,
  ``latest``, ...) FAILs, an unset one is UNKNOWN. Bedrock model ids name one immutable model
  version each, so a Bedrock model counts as pinned by its id.

Components without an image are not judged on it unless they run containers (eks, ecs,
fargate, kubernetes) or serve a model on the team's own hosts, where the image is UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import ComponentBase, ContainerImage, EmbeddingModel, ModelEndpoint
from cellguard.models.components.common import ServiceFields
from cellguard.models.components.safety import Guardrail
from cellguard.models.enums import GuardrailProvider, Hosting, Runtime
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.loader.errors import KeyPath
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import SERVICE_KINDS, kind_names, self_hosted

META = RuleMeta(
    id="CG-COR-007",
    title="Models and images are pinned",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=kind_names(*SERVICE_KINDS),
    rationale=(
        "A mutable image tag or model revision ('latest', 'main') changes what runs without "
        "any deployment: a node replacement or scale-out pulls new code or new weights, "
        "replicas disagree, answers change overnight, and rolling back means guessing what "
        "ran before. Digests and pinned model versions make every change a reviewed, "
        "evaluated and reversible release."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENREL04-BP02 (implement a model catalog); "
        "Kubernetes documentation, Images: 'pin by digest'"
    ),
    remediation=(
        "Reference images by digest (image.reference: repo@sha256:...), mirror model weights "
        "and pin the exact revision or weights digest in model.pinned_version; promote new "
        "versions through evaluation and a gradual rollout."
    ),
    action="pin-versions",
)

CONTAINER_RUNTIMES = (Runtime.EKS, Runtime.ECS, Runtime.FARGATE, Runtime.KUBERNETES)
MOVING_REVISIONS = frozenset({"latest", "main", "master", "head", "stable", "default", "dev"})
"""Revision names that follow a branch or alias rather than naming one version."""


def image_tag(image: ContainerImage) -> str:
    """The tag of an image reference without a digest; ``latest`` when none is given."""
    name = image.reference.rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else "latest"


def _image_state(comp: ComponentBase) -> tuple[bool | None, str | None]:
    """(pinned?, problem) of the image; pinned is ``None`` when not judged or unknown."""
    image = comp.image if isinstance(comp, ServiceFields) else None
    if image is not None:
        if image.pinned:
            return True, None
        tag = image_tag(image)
        kind = "the mutable 'latest'" if tag == "latest" else f"tag '{tag}'"
        return False, f"image {image.reference} by {kind}, not by digest"
    runtime = comp.runtime if isinstance(comp, ServiceFields) else None
    if self_hosted(comp) or runtime in CONTAINER_RUNTIMES:
        return None, "its image (image.reference)"
    return True, None


def _model_state(comp: ComponentBase) -> tuple[bool | None, str | None]:
    """(pinned?, problem) of the model version; (True, None) for kinds that serve none."""
    if not isinstance(comp, ModelEndpoint | EmbeddingModel):
        return True, None
    info = comp.model
    if info is None:
        return None, "the model it serves (model.name, model.pinned_version)"
    version = info.pinned_version
    if version is not None:
        if version.strip().lower() in MOVING_REVISIONS:
            return False, f"model revision '{version}', which moves"
        return True, None
    if comp.hosting is Hosting.BEDROCK:
        return True, None
    return None, "its model version (model.pinned_version)"


def _managed(comp: ComponentBase) -> bool:
    """A guardrail run by its provider (Bedrock Guardrails): no image of the team's runs."""
    return isinstance(comp, Guardrail) and comp.provider is GuardrailProvider.BEDROCK_GUARDRAILS


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every component that runs an image or serves a model; one that does not say
    where it runs (no runtime, no image) is UNKNOWN, unless its provider runs it."""
    for qid, comp in ctx.components_for(META):
        if not isinstance(comp, ServiceFields):
            continue
        target = ctx.component_target(qid)
        is_model = isinstance(comp, ModelEndpoint | EmbeddingModel)
        image = comp.image
        if image is None and not is_model and comp.runtime is None and not _managed(comp):
            yield unknown(
                target,
                f"{target.id} declares neither its runtime nor an image (runtime, "
                "image.reference), so whether what runs is pinned is unknown.",
                ("runtime",),
                image=None,
                image_pinned=None,
            )
            continue
        if image is None and not is_model and comp.runtime not in CONTAINER_RUNTIMES:
            yield not_applicable(target, f"{target.id} declares no container image.")
            continue
        states = [_image_state(comp), _model_state(comp)]
        image_ok = states[0][0]
        info = comp.model if isinstance(comp, ModelEndpoint | EmbeddingModel) else None
        evidence: dict[str, Evidence] = {
            "image": image.reference if image is not None else None,
            "image_pinned": image.pinned if image is not None else None,
        }
        if is_model:
            evidence["model"] = info.name if info is not None else None
            evidence["pinned_version"] = info.pinned_version if info is not None else None
        image_field: KeyPath = ("image", "reference") if image is not None else ("image",)
        model_field: KeyPath = (
            ("model", "pinned_version")
            if info is not None and info.pinned_version is not None
            else ("model",)
        )
        wrong = [str(p) for ok, p in states if ok is False]
        missing = [str(p) for ok, p in states if ok is None]
        if wrong:
            tail = f"; it does not declare {' or '.join(missing)}" if missing else ""
            yield failed(
                target,
                f"{target.id} runs {' and '.join(wrong)}: what runs can change without a "
                f"release{tail}.",
                image_field if image_ok is False else model_field,
                **evidence,
            )
        elif missing:
            yield unknown(
                target,
                f"{target.id} does not declare {' or '.join(missing)}, so whether it is "
                "pinned is unknown.",
                image_field if image_ok is None else model_field,
                **evidence,
            )
        else:
            parts = (["image"] if image is not None else []) + (["model"] if is_model else [])
            by_id = info is not None and info.pinned_version is None
            note = " (a Bedrock model id names one immutable version)" if by_id else ""
            yield passed(
                target,
                f"{target.id} runs a pinned {' and '.join(parts)}{note}.",
                image_field if image is not None else model_field,
                **evidence,
            )


RULE = PythonRule(META, check)
