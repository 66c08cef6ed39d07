"""A plain ``cellguard faulttree quantify FILE [OPTIONS]`` run without typer (issue 21 item 3).

typer (0.29) and the pydantic it imports to build a validator for every option of the command
it runs cost about 0.3 s of CPU per process on this machine (``python -X importtime``: typer
140 ms, its adapters and pydantic 244 ms, pydantic's plugin entry-point scan 43 ms): as much as
quantifying a small tree, twice the engine's own imports.

:func:`exit_code` recognises only command lines that typer would accept and read the same way
(the options of ``faulttree quantify``, each at most once, as ``--name VALUE``,
``--name=VALUE``, ``-f VALUE`` or ``-fVALUE``, values in their plainest spelling, and the file
anywhere among them) and runs them with the code the typer command runs
(:func:`.faulttree_quantify.quantify_output`, errors reported by
:func:`.exit_codes.report_failure`). Anything else -- ``--help``, a misspelt or repeated option,
an out-of-range or unusual number, ``--``, a value that starts with ``-``, a global option
before ``faulttree`` -- returns ``None`` and goes to typer, so help texts and usage errors are
typer's own, byte for byte.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

NAMES = {
    "--format": "format",
    "-f": "format",
    "--top": "top",
    "--node-budget": "node_budget",
    "--time-limit": "time_limit",
    "--mc-trials": "mc_trials",
    "--mission-time": "mission_time",
}
"""The options of ``faulttree quantify`` (its ``-h``/``--help`` are left to typer)."""

VALUES = {
    "format": re.compile(r"table|json"),
    "top": re.compile(r"[^-].*", re.DOTALL),
    "node_budget": re.compile(r"[1-9][0-9]{0,17}"),  # min=1
    "time_limit": re.compile(r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,9})?"),  # min=0.0
    "mc_trials": re.compile(r"0|[1-9][0-9]{0,17}"),  # min=0
    "mission_time": re.compile(r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,9})?"),  # min=0.0
}
"""Values taken here; any other spelling (``+5``, ``1e3``, ``5_000``, ``JSON``) goes to typer."""


@dataclass
class QuantifyArgs:
    """A parsed ``faulttree quantify`` command line, as typer would pass it to the command."""

    file: Path
    values: dict[str, str]


def parse(args: list[str]) -> QuantifyArgs | None:
    """The arguments after ``faulttree quantify``, or None if typer should read them."""
    values: dict[str, str] = {}
    files: list[str] = []
    rest = list(args)
    while rest:
        token = rest.pop(0)
        if token.startswith("--"):
            option, equals, value = token.partition("=")
            if not equals:
                if not rest:
                    return None
                value = rest.pop(0)
        elif token.startswith("-f") and len(token) > 2:
            option, value = "-f", token[2:]
        elif token == "-f":
            if not rest:
                return None
            option, value = token, rest.pop(0)
        elif token.startswith("-") or not token:
            return None  # -h, "-" (a file named "-"), an empty argument: typer decides
        else:
            files.append(token)
            continue
        name = NAMES.get(option)
        if name is None or name in values or not VALUES[name].fullmatch(value):
            return None
        values[name] = value
    if len(files) != 1:
        return None
    return QuantifyArgs(Path(files[0]), values)


def _echo(message: str, stream: TextIO | None) -> None:
    """``click.echo``'s writing: nothing when the stream is closed (``None``), else write and
    flush."""
    if stream is not None:
        stream.write(message)
        stream.flush()


def _echo_error(message: str) -> None:
    _echo(f"{message}\n", sys.stderr)


def quantify(parsed: QuantifyArgs) -> int:
    """Run the command as :func:`.faulttree_cmd.quantify_cmd` does; the exit code."""
    from cellguard.cli.exit_codes import report_failure
    from cellguard.cli.faulttree_quantify import MC_TRIALS, QuantifyFormat, quantify_output

    values = parsed.values
    try:
        text, newline_included = quantify_output(
            parsed.file,
            QuantifyFormat(values.get("format", "table")),
            values.get("top"),
            int(values["node_budget"]) if "node_budget" in values else None,
            float(values["time_limit"]) if "time_limit" in values else None,
            int(values["mc_trials"]) if "mc_trials" in values else MC_TRIALS,
            float(values["mission_time"]) if "mission_time" in values else None,
        )
        _echo(text if newline_included else f"{text}\n", sys.stdout)
    except BaseException as exc:
        code = report_failure(exc, _echo_error)
        if code is None:
            raise
        return code
    return 0


def exit_code(argv: list[str]) -> int | None:
    """Run ``argv`` (the arguments after ``cellguard``) here if it is a plain
    ``faulttree quantify``; its exit code, or None when typer must run it."""
    if argv[:2] != ["faulttree", "quantify"]:
        return None
    parsed = parse(argv[2:])
    return None if parsed is None else quantify(parsed)
