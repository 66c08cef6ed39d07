"""How long a message waits in a queue before a consumer takes it, and how often it is redone.

A journey that awaits an asynchronously produced answer (``answer`` in the spec) waits for the
queue on its way: messages arrive at the rate of every journey reaching the queue
(:func:`cellguard.assessments.demand.load_on`: ``peak_rps x share`` summed), ``c`` consumers
take one message each (the queue's ``consumer_concurrency``) and hold it for the consumer's
time (its end-to-end latency budget, calls included). The p99 wait is Erlang C's
(:func:`cellguard.assessments.queueing.wait_quantile`) for ``c`` servers at rate
``μ = 1 / service time``; at or above ``λ = c·μ`` the queue grows without bound (*saturated*).

**Redelivery.** A message whose processing fails is delivered again until the redrive policy
moves it to the dead-letter queue: up to ``max_receive_count`` deliveries, each calling
everything the consumer calls. A consumer still working when the visibility timeout expires
sees the same message delivered once more while it works, so the load doubles as well. The
worst-case multiplier of a queue's deliveries (used by the retry amplification) is therefore
``max_receive_count``, unknown without a redrive policy (SQS then redelivers until the message
expires).
"""

from __future__ import annotations

from dataclasses import dataclass

from cellguard.assessments.demand import load_on
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.queueing import wait_quantile
from cellguard.models.components.data import Queue

P99 = 0.99


@dataclass(frozen=True)
class QueueWait:
    """The p99 wait of a queue for one consumer, or why it has none."""

    queue: str
    wait_ms: float | None
    arrival_rps: float | None
    consumers: int | None
    service_ms: float | None
    saturated: bool = False
    missing: tuple[str, ...] = ()
    """What the spec does not say that the wait needs (keys, journeys' demand)."""


def queue_of(graph: StackGraph, qid: str) -> Queue | None:
    """The queue model of ``qid``, ``None`` if it is not a queue."""
    comp = graph.component(qid)
    return comp if isinstance(comp, Queue) else None


def queue_wait(graph: StackGraph, qid: str, service_ms: float | None) -> QueueWait:
    """The p99 wait of messages in queue ``qid`` whose consumer takes ``service_ms`` each."""
    queue = queue_of(graph, qid)
    consumers = queue.consumer_concurrency if queue is not None else None
    load = load_on(graph, qid)
    lacking = load.lacking("peak_rps")
    missing = [f"{qid}: consumer_concurrency"] if consumers is None else []
    missing += [f"{name}: demand.peak_rps" for name in lacking]
    if service_ms is None:
        missing.append(f"the time the consumer of {qid} takes")
    arrival = load.rps if not lacking else None
    if missing or consumers is None or arrival is None or service_ms is None:
        return QueueWait(qid, None, arrival, consumers, service_ms, missing=tuple(missing))
    if service_ms <= 0 or arrival <= 0:
        return QueueWait(qid, 0.0, arrival, consumers, service_ms)
    rate = 1000.0 / service_ms
    wait = wait_quantile(consumers, arrival, rate, P99)
    if wait is None:
        return QueueWait(qid, None, arrival, consumers, service_ms, saturated=True)
    return QueueWait(qid, wait * 1000.0, arrival, consumers, service_ms)


def deliveries(graph: StackGraph, qid: str) -> int | None:
    """Most deliveries of one message of queue ``qid`` (its ``max_receive_count``); ``None``
    when the queue declares no redrive policy, or 1 when ``qid`` is not a queue."""
    queue = queue_of(graph, qid)
    if queue is None:
        return 1
    return queue.max_receive_count
