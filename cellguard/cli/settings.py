"""Effective settings of ``assess``, ``check`` and ``validate``: flag, config file, or default.

Each setting comes from the first of: the command-line option, (for the date)
``$CELLGUARD_TODAY``, the config file (``.cellguard.yaml``, found upwards from the working
directory or named with ``--config``), the built-in default. A list given on the command line
(``--select``, ``--rules``, ``--format``/``--output``) replaces the file's list, it does not add
to it. Every :class:`Setting` records where its value came from (``--fail-on``,
``.cellguard.yaml:7``, ``default``), which ``cellguard config`` prints.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cellguard.cli.assessing import TODAY_ENV, parse_today, run_assessment

if TYPE_CHECKING:
    from cellguard.rules.engine import Assessment
from cellguard.cli.exit_codes import UserError
from cellguard.cli.options import DEFAULT_FAIL_ON
from cellguard.models.config import (
    CONFIG_NAME,
    CheckConfig,
    ConfigFile,
    LoadedConfig,
    RulesConfig,
    find_config,
    load_config,
)
from cellguard.models.findings import Severity
from cellguard.reports.formats import ReportFormat

T = TypeVar("T")

DEFAULT = "default"
"""Origin of a value nobody set."""


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A value and where it came from: a flag, ``file:line`` of the config, or ``default``."""

    value: T
    origin: str


@dataclass(frozen=True)
class Settings:
    """Everything ``assess``, ``check`` and ``validate`` read from flags and the config file."""

    config: LoadedConfig | None
    paths: Setting[list[Path]]
    select: Setting[list[str]]
    ignore: Setting[list[str]]
    packs: Setting[list[Path]]
    plugins: Setting[bool]
    today: Setting[dt.date]
    min_severity: Setting[Severity | None]
    quiet: Setting[bool]
    formats: Setting[list[ReportFormat] | None]
    outputs: Setting[list[Path] | None]
    baseline: Setting[str | None]
    fail_on: Setting[Severity]
    min_score: Setting[float | None]
    min_assurance: Setting[float | None]
    catalogs: Setting[list[Path]]

    def from_file(self, *named: tuple[str, Setting[Any]]) -> str | None:
        """Which of ``named`` (config key, setting) came from the config file, for a message:
        ``rules.select at .cellguard.yaml:4``; None when all came from flags or defaults."""
        parts = [
            f"{key} at {s.origin}"
            for key, s in named
            if self.config is not None and s.origin.startswith(f"{self.config.source.file}:")
        ]
        return ", ".join(parts) or None

    @property
    def patterns_from(self) -> str | None:
        """Where configured rule patterns came from (see :meth:`from_file`)."""
        return self.from_file(("rules.select", self.select), ("rules.ignore", self.ignore))

    def rows(self) -> list[tuple[str, Setting[Any]]]:
        """Each setting under its config key, in the file's order (for ``cellguard config``)."""
        return [
            ("paths", self.paths),
            ("rules.select", self.select),
            ("rules.ignore", self.ignore),
            ("rules.packs", self.packs),
            ("rules.plugins", self.plugins),
            ("today", self.today),
            ("min_severity", self.min_severity),
            ("quiet", self.quiet),
            ("reports", self.reports),
            ("check.baseline", self.baseline),
            ("check.fail_on", self.fail_on),
            ("check.min_score", self.min_score),
            ("check.min_assurance", self.min_assurance),
            ("catalogs", self.catalogs),
        ]

    @property
    def reports(self) -> Setting[Any]:
        """The --format/--output pairs as one setting (they are given or configured together)."""
        formats = self.formats.value or [ReportFormat.TABLE]
        outputs = self.outputs.value or []
        pairs = [
            {"format": fmt.value, "output": str(outputs[i]) if i < len(outputs) else "-"}
            for i, fmt in enumerate(formats)
        ]
        return Setting(pairs, self.formats.origin)


def read_config(option: Path | None, *, cwd: Path | None = None) -> LoadedConfig | None:
    """The config file named by ``--config``, else the nearest ``.cellguard.yaml``, else None."""
    if option is not None:
        if not option.exists() and not option.is_symlink():
            raise UserError(
                f"--config {option}: no such file",
                hint=f"give the path of a {CONFIG_NAME} file, or leave --config out to find one",
            )
        return load_config(option)
    found = find_config(cwd or Path.cwd())
    return load_config(_shown(found)) if found is not None else None


def _shown(path: Path) -> Path:
    """A config found in the working directory or a parent, relative to the working directory
    (``.cellguard.yaml``, ``../../.cellguard.yaml``): shorter messages, and the same text on
    every machine."""
    return Path(os.path.relpath(path))


def _pick(
    flag: T | None, name: str, loaded: LoadedConfig | None, key: tuple[str, ...], value: T | None
) -> Setting[T] | None:
    """The flag's value if given, else the config's if it sets the key; None if neither."""
    if flag is not None:
        return Setting(flag, name)
    if loaded is not None and value is not None:
        return Setting(value, loaded.where(key))
    return None


def _or(found: Setting[T] | None, default: T) -> Setting[T]:
    return found if found is not None else Setting(default, DEFAULT)


def _today(flag: str | None, loaded: LoadedConfig | None) -> Setting[dt.date]:
    if flag is not None:
        return Setting(parse_today(flag), "--today")
    if os.environ.get(TODAY_ENV):
        return Setting(parse_today(None), f"${TODAY_ENV}")
    if loaded is not None and loaded.config.today is not None:
        return Setting(loaded.config.today, loaded.where(("today",)))
    return Setting(dt.date.today(), "default (the system date)")


def _reports(
    formats: list[ReportFormat] | None, outputs: list[Path] | None, loaded: LoadedConfig | None
) -> tuple[Setting[list[ReportFormat] | None], Setting[list[Path] | None]]:
    if formats or outputs:
        origin = "--format/--output"
        return Setting(formats, origin), Setting(outputs, origin)
    if loaded is not None and loaded.config.reports:
        where = loaded.where(("reports",))
        configured = loaded.config.reports
        fmts = [ReportFormat(r.format) for r in configured]
        outs = [loaded.resolve(r.output) if r.output else Path("-") for r in configured]
        return Setting(fmts, where), Setting(outs, where)
    return Setting(None, DEFAULT), Setting(None, DEFAULT)


def resolve_settings(
    loaded: LoadedConfig | None,
    *,
    paths: list[Path] | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    packs: list[Path] | None = None,
    plugins: bool | None = None,
    today: str | None = None,
    min_severity: Severity | None = None,
    quiet: bool | None = None,
    formats: list[ReportFormat] | None = None,
    outputs: list[Path] | None = None,
    baseline: str | None = None,
    fail_on: Severity | None = None,
    min_score: float | None = None,
    min_assurance: float | None = None,
) -> Settings:
    """Merge the command line (``None``: not given) with the config file and the defaults."""
    c = loaded.config if loaded is not None else ConfigFile()
    rules = c.rules or RulesConfig()
    check = c.check or CheckConfig()

    def files(texts: list[str] | None) -> list[Path] | None:
        return [loaded.resolve(t) for t in texts] if loaded is not None and texts else None

    baseline_text = check.baseline
    if loaded is not None and baseline_text is not None and not baseline_text.startswith("git:"):
        baseline_text = str(loaded.resolve(baseline_text))
    fmts, outs = _reports(formats, outputs, loaded)
    catalogs = _catalogs(loaded, files(c.catalogs))
    return Settings(
        catalogs=catalogs,
        config=loaded,
        paths=_or(_pick(paths or None, "PATH", loaded, ("paths",), files(c.paths)), []),
        select=_or(_pick(select, "--select", loaded, ("rules", "select"), rules.select), []),
        ignore=_or(_pick(ignore, "--ignore", loaded, ("rules", "ignore"), rules.ignore), []),
        packs=_or(
            _pick(packs, "--rules", loaded, ("rules", "packs"), files(rules.packs)),
            [],
        ),
        plugins=_or(
            _pick(
                plugins,
                "--plugins/--no-plugins",
                loaded,
                ("rules", "plugins"),
                rules.plugins,
            ),
            True,
        ),
        today=_today(today, loaded),
        min_severity=_or(
            _pick(min_severity, "--min-severity", loaded, ("min_severity",), c.min_severity),
            None,
        ),
        quiet=_or(_pick(quiet or None, "--quiet", loaded, ("quiet",), c.quiet), False),
        formats=fmts,
        outputs=outs,
        baseline=_or(
            _pick(baseline, "--baseline", loaded, ("check", "baseline"), baseline_text), None
        ),
        fail_on=_or(
            _pick(fail_on, "--fail-on", loaded, ("check", "fail_on"), check.fail_on),
            DEFAULT_FAIL_ON,
        ),
        min_score=_or(
            _pick(min_score, "--min-score", loaded, ("check", "min_score"), check.min_score),
            None,
        ),
        min_assurance=_or(
            _pick(
                min_assurance,
                "--min-assurance",
                loaded,
                ("check", "min_assurance"),
                check.min_assurance,
            ),
            None,
        ),
    )


def _catalogs(loaded: LoadedConfig | None, configured: list[Path] | None) -> Setting[list[Path]]:
    """The user catalog directories: ``--catalog`` (laid over when the command line was read),
    else the config file's ``catalogs``, laid over the built-in catalog here."""
    from cellguard.models.loader import user_catalogs as user

    given = user.command_line_directories()
    found = _or(_pick(given or None, "--catalog", loaded, ("catalogs",), configured), [])
    if not given and found.value:
        user.activate(found.value)
    return found


def require_paths(settings: Settings) -> list[Path]:
    """The spec paths to work on; a usage error when neither the command nor the config names any."""
    if not settings.paths.value:
        where = (
            f", and {settings.config.source.file}:1 lists none under 'paths'"
            if settings.config is not None
            else ""
        )
        raise UserError(
            f"no spec paths given{where}",
            hint=f"pass spec files or directories, or list them under 'paths:' in {CONFIG_NAME}",
        )
    return settings.paths.value


def assess_configured(paths: list[Path], settings: Settings) -> Assessment:
    """:func:`run_assessment` of ``paths`` with the rules, date and plugins ``settings`` resolved
    from the flags and ``.cellguard.yaml`` (what assess, check, diff and signoff share)."""
    return run_assessment(
        paths,
        rules=settings.packs.value,
        select=settings.select.value,
        ignore=settings.ignore.value,
        today=settings.today.value,
        plugins=settings.plugins.value,
        patterns_from=settings.patterns_from,
    )
