"""Alarms: per-cell SLO alarms (TTFT, errors, queue depth, GPU health) and a per-region rollup.

Metrics are published per cell to the ``CellGuard/Inference`` namespace with dimensions
``Stack`` and ``Cell`` (the ADOT collector scrapes vLLM and DCGM and renames; README).
The composite alarm of a region is what chaos experiments stop on, and it notifies an SNS topic
per region (``cellguard:alarmEmail`` subscribes an address; confirm the subscription mail).
Every alarm treats missing data as not breaching: a cell that publishes nothing yet (no
traffic, no GPU errors) is not in ALARM, so FIS experiments can start. ``TimeToFirstToken`` is
in seconds, as vLLM measures it; ``GpuXidErrors`` is the DCGM exporter's last XID error code.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from cellguard.blueprints._base import TOKEN_PREFIX, child, tags
from cellguard.blueprints.model import AlarmPlan, CellPlan

NAMESPACE = "CellGuard/Inference"


class Alarms(pulumi.ComponentResource):
    """The alarms of one region's cells."""

    composite: aws.cloudwatch.CompositeAlarm

    def __init__(
        self,
        name: str,
        stack: str,
        region: str,
        cells: list[CellPlan],
        plan: AlarmPlan,
        provider: aws.Provider,
        email: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}Alarms", name, None, opts)
        names: list[str] = []
        created: list[pulumi.Resource] = []
        for cell in cells:
            gpu = any(w.is_gpu for w in cell.workloads)
            specs: list[tuple[str, str, str, float, str]] = [
                ("errors", "ErrorRate", "Average", plan.error_rate_percent, "Percent"),
            ]
            if gpu:
                specs += [
                    ("ttft-p99", "TimeToFirstToken", "p99", plan.ttft_p99_ms / 1000, "Seconds"),
                    ("queue-depth", "QueueDepth", "Average", float(plan.queue_depth), "None"),
                    ("gpu-health", "GpuXidErrors", "Maximum", 0.0, "None"),
                ]
            for kind, metric, stat, threshold, _unit in specs:
                alarm_name = f"{stack}-{cell.id}-{kind}"
                percentile = stat.startswith("p")
                alarm = aws.cloudwatch.MetricAlarm(
                    f"{name}-{cell.id}-{kind}",
                    name=alarm_name,
                    namespace=NAMESPACE,
                    metric_name=metric,
                    dimensions={"Stack": stack, "Cell": cell.id},
                    statistic=None if percentile else stat,
                    extended_statistic=stat if percentile else None,
                    unit=None,  # match datapoints whatever unit the publisher gave
                    comparison_operator="GreaterThanThreshold",
                    threshold=threshold,
                    period=60,
                    evaluation_periods=5,
                    datapoints_to_alarm=3,
                    treat_missing_data="notBreaching",
                    tags=tags(stack, cell=cell.id, role=f"alarm-{kind}"),
                    opts=child(self, provider),
                )
                names.append(alarm_name)
                created.append(alarm)
        topic = aws.sns.Topic(f"{name}-topic", tags=tags(stack), opts=child(self, provider))
        if email:
            aws.sns.TopicSubscription(
                f"{name}-email",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                opts=child(self, provider),
            )
        rule = " OR ".join(f'ALARM("{n}")' for n in names) or "FALSE"
        self.composite = aws.cloudwatch.CompositeAlarm(
            f"{name}-rollup",
            alarm_name=f"{stack}-{region}-cells",
            alarm_rule=rule,
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
            tags=tags(stack, role="alarm-rollup"),
            opts=child(self, provider, list(created)),
        )
        self.topic = topic
        self.register_outputs({"alarms": names, "rollup": self.composite.arn, "topic": topic.arn})
