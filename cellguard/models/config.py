"""The configuration file ``.cellguard.yaml``: settings a team writes once instead of on every run.

Found by :func:`find_config` in the working directory or the nearest parent holding one, up to
the root of the git work tree (a directory holding ``.git``) or the filesystem root, whichever
comes first; a config above the repository does not reach into it. Read with the spec loader's
YAML reader and checked like a spec: an unknown key, a wrong type or a value out of range is a
:class:`~cellguard.models.loader.SpecLoadError` naming file, line, key path, what was expected
and, for a typo, the nearest key (exit code 2).

Relative paths in the file (``paths``, ``rules.packs``, ``catalogs``, a ``check.baseline``
report, ``reports[].output``) are relative to the directory holding the file, so a command run from a
subdirectory reads the same files. Command-line options always win over the file.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError

from cellguard.models.base import SpecModel
from cellguard.models.dates import IsoDate
from cellguard.models.findings import Severity
from cellguard.models.loader.document import read_spec_bytes
from cellguard.models.loader.errors import KeyPath, SpecLoadError
from cellguard.models.loader.source import Position, SourceMap, decode, read_yaml
from cellguard.models.loader.validation_errors import diagnostics_from

CONFIG_NAME = ".cellguard.yaml"
"""The file name looked for in the working directory and its parents."""

MAX_CONFIG_BYTES = 1024 * 1024
"""Largest config file read (real ones are a dozen lines)."""

REPORT_FORMATS = ("table", "compact", "json", "sarif", "github", "junit", "markdown", "html")
"""Output formats of ``assess`` and ``check`` (the values of ``reports.formats.ReportFormat``)."""

ReportFormatName = Literal[
    "table", "compact", "json", "sarif", "github", "junit", "markdown", "html"
]

PathText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=4096),
    Field(description="A path, relative to the directory holding the config file."),
]

Pattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    Field(description="A rule id or glob, e.g. CG-RED-001 or CG-CAP-*."),
]


class RulesConfig(SpecModel):
    """Which rules run (``--select``, ``--ignore``, ``--rules``, ``--plugins``)."""

    select: list[Pattern] | None = Field(
        default=None,
        max_length=1000,
        description="Run only rules matching one of these ids or globs (--select).",
    )
    ignore: list[Pattern] | None = Field(
        default=None,
        max_length=1000,
        description="Skip rules matching one of these ids or globs (--ignore).",
    )
    packs: list[PathText] | None = Field(
        default=None, max_length=100, description="Extra rule pack directories (--rules)."
    )
    plugins: bool | None = Field(
        default=None,
        description="Load rule packs from installed entry points (--plugins/--no-plugins).",
    )


class CheckConfig(SpecModel):
    """The gate of ``cellguard check``."""

    baseline: Annotated[str, StringConstraints(min_length=1, max_length=4096)] | None = Field(
        default=None,
        description="Block only on findings new relative to this base: git:REF or a JSON report "
        "(--baseline).",
    )
    fail_on: Severity | None = Field(
        default=None, description="Block on FAIL findings at or above this severity (--fail-on)."
    )
    min_score: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Fail when the overall proven score is below this, 0-100 (--min-score).",
    )
    min_assurance: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Fail when the overall assurance is below this percentage (--min-assurance).",
    )


class ReportConfig(SpecModel):
    """One report ``assess`` and ``check`` write when the command line names none."""

    format: ReportFormatName = Field(description="Output format (--format).")
    output: PathText | None = Field(
        default=None, description="File to write (--output); standard output when left out."
    )


class ConfigFile(SpecModel):
    """The content of ``.cellguard.yaml``; every key is optional."""

    paths: list[PathText] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Spec files or organisation directories assessed when a command names none.",
    )
    rules: RulesConfig | None = Field(default=None, description="Which rules run.")
    today: IsoDate | None = Field(
        default=None, description="Assess as of this date, YYYY-MM-DD (--today)."
    )
    min_severity: Severity | None = Field(
        default=None,
        description="List failing findings at or above this severity only (--min-severity).",
    )
    quiet: bool | None = Field(
        default=None, description="Print errors and the verdict only (--quiet)."
    )
    reports: list[ReportConfig] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Reports of assess and check (--format/--output pairs).",
    )
    check: CheckConfig | None = Field(default=None, description="The gate of check.")
    catalogs: list[PathText] | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="User catalog directories laid over the built-in catalog (--catalog).",
    )


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config file, the positions of its keys, and where it was found."""

    path: Path
    """The file, as found or given."""
    config: ConfigFile
    source: SourceMap

    @property
    def directory(self) -> Path:
        """The directory relative paths in the file are resolved against."""
        return self.path.parent

    def line(self, path: KeyPath) -> int:
        """The line of the key at ``path`` (of its nearest ancestor written in the file)."""
        pos: Position = self.source.locate(path, prefer_key=True)[0]
        return pos.line

    def where(self, path: KeyPath) -> str:
        """``file:line`` of the key at ``path``, for messages and ``cellguard config``."""
        return f"{self.source.file}:{self.line(path)}"

    def resolve(self, text: str) -> Path:
        """A path written in the file, relative to the file's directory."""
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.directory / path


def _is_repository_root(directory: Path) -> bool:
    return (directory / ".git").exists()


def find_config(start: Path) -> Path | None:
    """The nearest ``.cellguard.yaml`` in ``start`` or its parents, or ``None``.

    The search stops at the root of the git work tree holding ``start`` (after looking there)
    and at the filesystem root.
    """
    directory = start.absolute()
    while True:
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if _is_repository_root(directory) or directory.parent == directory:
            return None
        directory = directory.parent


def _not_a_mapping(data: Any, source: SourceMap) -> SpecLoadError:
    shape = "a list" if isinstance(data, list) else "a single value"
    return SpecLoadError(
        [
            source.diagnostic(
                (),
                f"the config file is {shape}, not a mapping",
                code="not-a-mapping",
                expected="a mapping of settings: paths, rules, today, reports, check, ...",
                suggestion="see `cellguard config --help` and the README's 'Configuration file'",
            )
        ]
    )


def parse_config(text: str, path: Path, display: str | None = None) -> LoadedConfig:
    """Parse and validate the text of a config file (an empty file sets nothing)."""
    name = display or str(path)
    data, source = read_yaml(text, name)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _not_a_mapping(data, source)
    try:
        config = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise SpecLoadError(diagnostics_from(exc, ConfigFile, data, source)) from None
    loaded = LoadedConfig(path=path, config=config, source=source)
    _check_paths(loaded)
    return loaded


def _check_paths(loaded: LoadedConfig) -> None:
    """Paths and rule packs the file names must exist (a located error instead of a later,
    unlocated 'no such file')."""
    problems = []
    config = loaded.config
    named: list[tuple[KeyPath, str]] = [(("paths", i), p) for i, p in enumerate(config.paths or [])]
    if config.rules is not None:
        named += [(("rules", "packs", i), p) for i, p in enumerate(config.rules.packs or [])]
    named += [(("catalogs", i), p) for i, p in enumerate(config.catalogs or [])]
    for key, text in named:
        if not loaded.resolve(text).exists():
            problems.append(
                loaded.source.diagnostic(
                    key,
                    f"no such file or directory: {loaded.resolve(text)}",
                    code="no-such-path",
                    suggestion=f"paths are relative to the config file's directory "
                    f"({loaded.directory})",
                )
            )
    if problems:
        raise SpecLoadError(problems)


def load_config(path: Path) -> LoadedConfig:
    """Read, parse and validate the config file at ``path``."""
    name = str(path)
    raw = read_spec_bytes(path, name)
    return parse_config(decode(raw, name, max_bytes=MAX_CONFIG_BYTES), path, name)
