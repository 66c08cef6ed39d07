"""CG-COR-013: queues set aside messages that keep failing."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components.data import Queue
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown

META = RuleMeta(
    id="CG-COR-013",
    title="Queues set aside messages that keep failing",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=("queue",),
    rationale=(
        "A message its consumer cannot process (a malformed request, a prompt the model "
        "rejects, a document the parser chokes on) comes back after every visibility timeout "
        "until the queue's retention expires: it is retried for days, burns consumer and model "
        "capacity each time, and is finally dropped without anyone seeing it. On an ordered "
        "(FIFO) queue it also blocks every message behind it in its group. A dead-letter queue "
        "with a bounded receive count sets such messages aside where they can be alarmed on, "
        "inspected and redriven."
    ),
    source=(
        "Amazon SQS Developer Guide, 'Using dead-letter queues in Amazon SQS' "
        "(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
        "sqs-dead-letter-queues.html)"
    ),
    remediation=(
        "Attach a dead-letter queue through a redrive policy with a small maxReceiveCount "
        "(3 to 5 for model calls), alarm on its depth, and declare dead_letter: true (and "
        "max_receive_count) on the queue."
    ),
    action="add-dead-letter-queue",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every queue."""
    for qid, comp in ctx.components_for(META):
        target = ctx.component_target(qid)
        if not isinstance(comp, Queue):  # pragma: no cover - applies_to is queue only
            continue
        evidence: dict[str, Evidence] = {"dead_letter": comp.dead_letter, "fifo": comp.fifo}
        field = ("dead_letter",)
        if comp.dead_letter is True:
            yield passed(
                target,
                f"{target.id} moves messages that keep failing to a dead-letter queue.",
                field,
                **evidence,
            )
        elif comp.dead_letter is False:
            blocked = (
                " As an ordered (FIFO) queue, it also holds back every later message of the "
                "same group."
                if comp.fifo
                else ""
            )
            yield failed(
                target,
                f"{target.id} has no dead-letter queue: a message that keeps failing is "
                "redelivered until its retention expires, then lost unseen." + blocked,
                field,
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} does not say whether failing messages go to a dead-letter queue "
                "(dead_letter).",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
