"""Run a Pulumi program in-process under ``pulumi.runtime.set_mocks`` and capture its resources.

Each run happens in a fresh :class:`contextvars.Context`: Pulumi keeps its settings, config and
root stack resource in context variables, so a new context starts from their defaults and runs
can repeat in one process (tests, ``--verify``) without leaking state. The mocks answer like a
cloud would in shape (ids, ARNs, an EKS endpoint, zone names) and record every registration
with its parent, which the stock monitor does not pass to ``new_resource``.
"""

from __future__ import annotations

import contextvars
import runpy
import sys
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cellguard.models.json_text import dumps


@dataclass(frozen=True)
class CapturedResource:
    """One registered resource: type token, logical name, inputs, parent and provider."""

    type: str
    name: str
    inputs: dict[str, Any]
    urn: str
    parent: str | None
    provider: str | None
    custom: bool


@dataclass
class Capture:
    """Every resource a program registered, in registration order."""

    resources: list[CapturedResource] = field(default_factory=list)

    def of_type(self, token: str) -> list[CapturedResource]:
        """Resources of one type token."""
        return [r for r in self.resources if r.type == token]

    def by_urn(self) -> dict[str, CapturedResource]:
        """Resources keyed by URN."""
        return {r.urn: r for r in self.resources}


def _plain(value: Any) -> Any:
    """Integral floats back to ints (the RPC layer sends numbers as doubles)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _zone_name(zone_id: str, region: str) -> str:
    """A zone name for a zone id (``use1-az4`` -> ``<region>d``), as the mock answers it."""
    digits = "".join(ch for ch in zone_id.rsplit("az", 1)[-1] if ch.isdigit()) or "1"
    return region + "abcdefghij"[(int(digits) - 1) % 10]


def run_program(
    program: Callable[[], None],
    config: dict[str, Any] | None = None,
    *,
    project: str = "cellguard",
    stack: str = "mock",
) -> Capture:
    """Run ``program`` under mocks with ``config`` (``ns:key`` -> value); return what it created."""
    import pulumi
    from pulumi.runtime import mocks as pmocks
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    capture = Capture()
    pending: dict[tuple[str, str], int] = {}
    lock = threading.Lock()
    regions: dict[str, str] = {}

    class Monitor(pmocks.MockMonitor):
        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
            with lock:
                index = pending.pop((request.type, request.name), None)
                if index is not None:
                    old = capture.resources[index]
                    capture.resources[index] = CapturedResource(
                        type=old.type,
                        name=old.name,
                        inputs=old.inputs,
                        urn=response.urn,
                        parent=request.parent or None,
                        provider=request.provider or None,
                        custom=bool(request.custom),
                    )
            return response

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pmocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
            inputs = _plain(args.inputs)
            with lock:
                pending[(args.typ, args.name)] = len(capture.resources)
                capture.resources.append(
                    CapturedResource(args.typ, args.name, inputs, "", None, None, bool(args.custom))
                )
            rid = f"{args.name}-id"
            state = dict(inputs, arn=f"arn:aws:mock:::{args.typ}/{args.name}", id=rid)
            if args.typ.startswith("pulumi:providers:aws"):
                regions[rid] = str(inputs.get("region", ""))
            if args.typ == "aws:eks/cluster:Cluster":
                state.update(
                    name=args.name,
                    endpoint=f"https://{args.name}.eks.mock",
                    certificateAuthority={"data": "bW9jaw=="},
                )
            if args.typ == "aws:s3/bucket:Bucket":
                state["bucket"] = f"{args.name}-bucket"
            if args.typ == "aws:route53/zone:Zone":
                state["zoneId"] = f"Z{zlib.crc32(args.name.encode()):010d}"
            if args.typ == "aws:ec2/launchTemplate:LaunchTemplate":
                state["latestVersion"] = 1
            if args.typ == "kubernetes:core/v1:Service":
                state["status"] = {
                    "loadBalancer": {"ingress": [{"hostname": f"{args.name}.elb.mock"}]}
                }
            return rid, state

        def call(self, args: pmocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
            if args.token == "aws:index/getAvailabilityZone:getAvailabilityZone":
                zone_id = str(args.args.get("zoneId", "az1"))
                region = regions.get(str(args.provider).rsplit("::", 1)[-1], "us-east-1")
                return {"name": _zone_name(zone_id, region), "zoneId": zone_id}, []
            if args.token == "aws:ec2/getCapacityBlockOffering:getCapacityBlockOffering":
                return {"capacityBlockOfferingId": "cbo-mock", **args.args}, []
            return dict(args.args), []

    def body() -> None:
        pulumi.runtime.set_all_config(
            {k: v if isinstance(v, str) else dumps(v) for k, v in (config or {}).items()}
        )
        mocks = Mocks()
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=False, monitor=Monitor(mocks)
        )
        _sync_await(run_pulumi_func(program))

    contextvars.Context().run(body)
    return capture


def stack_config(project_dir: Path, stack: str) -> dict[str, Any]:
    """The ``config`` mapping of ``Pulumi.<stack>.yaml`` (empty if the file has none)."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    config = data.get("config") if isinstance(data, dict) else None
    return dict(config) if isinstance(config, dict) else {}


def run_project(project_dir: Path, stack: str) -> Capture:
    """Run a generated project's ``__main__.py`` under mocks with its stack config."""
    main = project_dir / "__main__.py"
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text(encoding="utf-8"))
    name = str(project.get("name", "cellguard")) if isinstance(project, dict) else "cellguard"

    def program() -> None:
        sys.modules.pop("__pulumi_main__", None)
        runpy.run_path(str(main), run_name="__pulumi_main__")

    return run_program(program, stack_config(project_dir, stack), project=name, stack=stack)
