"""CloudFormation data stores -> workloads: OpenSearch, DynamoDB, S3 and SQS resources."""

from __future__ import annotations

from cellguard.importers.cfn_resources import CfnWorkload, Resources, _count, _flag, _set
from cellguard.importers.cfn_template import Unknown


def opensearch_domain(r: Resources, w: CfnWorkload) -> None:
    """Data nodes, zone awareness and dedicated masters."""
    m = w.manifest
    w.set(("engine",), "opensearch", m.origin("Type"))
    _set(r, w, ("replicas",), m, "ClusterConfig", "InstanceCount", convert=_count)
    aware = _set(r, w, ("multi_az",), m, "ClusterConfig", "ZoneAwarenessEnabled", convert=_flag)
    where = m.origin("Properties", "ClusterConfig", "ZoneAwarenessEnabled")
    _domain_defaults(r, w)
    if aware:
        zones = r.props(m, "ClusterConfig", "ZoneAwarenessConfig", "AvailabilityZoneCount")
        w.set(("placement", "zones"), _count(zones) or 2, where)
    elif aware is False:
        w.set(("placement", "zones"), 1, where, "zone awareness off: one zone")
    _set(
        r,
        w,
        ("labels", "cfn/dedicated-masters"),
        m,
        "ClusterConfig",
        "DedicatedMasterEnabled",
        convert=lambda v: str(_flag(v)).lower(),
    )


def _domain_defaults(r: Resources, w: CfnWorkload) -> None:
    """What a domain whose template leaves ``InstanceCount`` or ``ZoneAwarenessEnabled`` out
    gets: one data node, zone awareness off (one zone), the service's defaults."""
    m = w.manifest
    where = (
        m.origin("Properties", "ClusterConfig") if m.get("Properties", "ClusterConfig") else None
    )
    where = where or m.origin("Type")
    if r.props(m, "ClusterConfig", "InstanceCount") is None:
        w.set(("replicas",), 1, where, "InstanceCount unset: the service's default, one data node")
    if r.props(m, "ClusterConfig", "ZoneAwarenessEnabled") is None:
        note = "ZoneAwarenessEnabled unset: off by default, one zone"
        w.set(("multi_az",), False, where, note)
        w.set(("placement", "zones"), 1, where, note)


def serverless_collection(r: Resources, w: CfnWorkload) -> None:
    """A collection: standby replicas in another zone unless disabled."""
    m = w.manifest
    w.set(("engine",), "opensearch_serverless", m.origin("Type"))
    standby = r.props(m, "StandbyReplicas")
    w.set(
        ("multi_az",),
        str(standby).upper() != "DISABLED",
        m.origin("Properties", "StandbyReplicas") if standby else m.origin("Type"),
        "StandbyReplicas" if standby else "standby replicas are on by default",
    )


def dynamodb(r: Resources, w: CfnWorkload) -> None:
    """Point-in-time recovery; a global table's replica regions."""
    m = w.manifest
    w.set(("engine",), "dynamodb", m.origin("Type"))
    _set(
        r,
        w,
        ("labels", "cfn/point-in-time-recovery"),
        m,
        "PointInTimeRecoverySpecification",
        "PointInTimeRecoveryEnabled",
        convert=lambda v: str(_flag(v)).lower(),
    )
    replicas = r.props(m, "Replicas")
    if isinstance(replicas, list):
        regions = [
            str(x.get("Region"))
            for x in replicas
            if isinstance(x, dict) and isinstance(x.get("Region"), str)
        ]
        where = m.origin("Properties", "Replicas")
        w.set(("replication", "cross_region"), len(regions) > 1, where, "global table")
        if regions:
            w.set(("replication", "regions"), regions, where)
        pitr = r.props(
            m, "Replicas", 0, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"
        )
        if pitr is not None and not isinstance(pitr, Unknown):
            w.set(("labels", "cfn/point-in-time-recovery"), str(_flag(pitr)).lower(), where)


def s3_bucket(r: Resources, w: CfnWorkload) -> None:
    """Versioning and replication."""
    m = w.manifest
    w.set(("engine",), "s3", m.origin("Type"))
    _set(
        r,
        w,
        ("versioning",),
        m,
        "VersioningConfiguration",
        "Status",
        convert=lambda v: str(v) == "Enabled",
    )
    if m.get("Properties", "ReplicationConfiguration") is not None:
        w.set(
            ("labels", "cfn/replication"),
            "configured",
            m.origin("Properties", "ReplicationConfiguration"),
        )


def sqs_queue(r: Resources, w: CfnWorkload) -> None:
    """FIFO and dead-letter queue."""
    m = w.manifest
    w.set(("engine",), "sqs", m.origin("Type"))
    _set(r, w, ("fifo",), m, "FifoQueue", convert=_flag)
    if m.get("Properties", "RedrivePolicy") is not None:
        w.set(("dead_letter",), True, m.origin("Properties", "RedrivePolicy"))
