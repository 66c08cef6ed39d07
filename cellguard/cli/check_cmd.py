"""``cellguard check``: gate a change on its findings, optionally only on what it made worse.

Exit codes (DESIGN §7): 0 no blocking finding, 1 blocking findings, 2 usage or input error,
3 a rule crashed (its checks did not run, so a clean result cannot be claimed; 3 wins over 1).
A finding blocks when it FAILs at or above ``--fail-on`` and, with ``--baseline``, its
fingerprint did not FAIL in the base. WAIVED, UNKNOWN, PASS and NOT_APPLICABLE never block.
``--min-score`` and ``--min-assurance`` also exit 1 when the overall score (what the spec
proves) or its assurance (the weighted share of verdicts known) is below the bar.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path

import typer

from cellguard.cli.assessing import exit_if_rules_crashed
from cellguard.cli.exit_codes import ExitCode, UserError, handle_errors
from cellguard.cli.git_revision import git_ref, paths_at_revision
from cellguard.cli.options import (
    BaselineOption,
    ConfigOption,
    ConfiguredPluginsOption,
    FailOnOption,
    ForceOption,
    IgnoreOption,
    MinAssuranceOption,
    MinScoreOption,
    MinSeverityOption,
    PathsArgument,
    QuietOption,
    RulesOption,
    SelectOption,
    TodayOption,
)
from cellguard.cli.report_options import FormatsOption, OutputsOption, write_reports
from cellguard.cli.settings import (
    Setting,
    Settings,
    assess_configured,
    read_config,
    require_paths,
    resolve_settings,
)
from cellguard.cli.signoff_report import report_signoff
from cellguard.models.loader import SpecLoadError
from cellguard.models.text import inert
from cellguard.models.wording import plural
from cellguard.reports.baseline import (
    Baseline,
    BaselineError,
    Comparison,
    compare,
    empty_baseline,
    from_assessment,
    load_baseline,
)
from cellguard.reports.formats import ReportContext
from cellguard.rules.engine import Assessment

LISTED_BLOCKING = 20
"""Blocking findings named on standard error (the report lists them all)."""


def _notice(text: str) -> None:
    typer.echo(f"cellguard: {inert(text)}", err=True)


Assess = Callable[[list[Path]], Assessment]
"""Assess spec paths with the rule choice of the command line (``run_assessment`` bound)."""


def _git_baseline(paths: list[Path], ref: str, assess: Assess) -> Baseline:
    source = f"git:{ref}"
    with paths_at_revision(paths, ref) as base:
        for root in base.unborn:
            _notice(
                f"the git repository {root} has no commit yet: every finding of its specs "
                "counts as new"
            )
        for path in base.missing:
            if not any(path.resolve().is_relative_to(root) for root in base.unborn):
                _notice(f"{path} has no spec file at {ref}: all of its findings count as new")
        if not base.at_ref:
            return empty_baseline(source)
        try:
            assessment = assess(list(base.at_ref))
        except SpecLoadError as exc:
            raise UserError(
                str(base.load_error(exc)),
                hint="so they cannot be the baseline: pick another revision, "
                "or pass a JSON report as --baseline",
            ) from None
    if assessment.errors:
        crashed = len({f.rule for f in assessment.errors})
        _notice(
            f"{plural(crashed, 'rule')} crashed on the baseline at {ref}; "
            "their findings count as new"
        )
    return from_assessment(assessment, source)


def resolve_baseline(value: str, paths: list[Path], assess: Assess) -> Baseline:
    """The baseline named by ``--baseline`` (a JSON report file or ``git:REF``, whose specs
    ``assess`` assesses like the current ones)."""
    ref = git_ref(value)
    if ref is not None:
        return _git_baseline(paths, ref, assess)
    try:
        baseline = load_baseline(Path(value))
    except BaselineError as exc:
        raise UserError(
            f"bad --baseline: {exc}",
            hint="write one with `cellguard assess PATH --format json -o base.json`, "
            "or use git:REF",
        ) from None
    if not baseline.complete:
        _notice(
            f"{value} lists fewer FAIL findings than it counts (written with --min-severity?); "
            "the missing ones count as new"
        )
    return baseline


def _configured_baseline(
    value: str, settings: Settings, paths: list[Path], assess: Assess
) -> Baseline:
    """The baseline ``value`` of the command line or the config file; an error about a
    configured one names the config line it came from."""
    where = settings.from_file(("check.baseline", settings.baseline))
    try:
        return resolve_baseline(value, paths, assess)
    except UserError as exc:
        if where is None:
            raise
        raise UserError(f"{exc} ({where})", hint=exc.hint) from None


def _summary(
    assessment: Assessment,
    ctx: ReportContext,
    comparison: Comparison | None,
    *,
    quiet: bool = False,
) -> str:
    threshold = ctx.fail_on.value if ctx.fail_on else "info"
    blocking = [f for f in assessment.findings if ctx.blocking(f)]
    since = ", new since the baseline" if comparison is not None else ""
    parts = [f"{len(blocking)} blocking (FAIL >= {threshold}{since})"]
    if comparison is not None:
        parts.append(f"{len(comparison.baselined)} baselined")
        parts.append(f"{len(comparison.resolved)} resolved since the baseline")
    lines = ["check: " + ", ".join(parts)]
    worst = sorted(blocking, key=lambda f: (-f.severity.rank, f.rule, f.stack, f.target))
    for f in worst[:LISTED_BLOCKING]:
        where = f" ({f.location.file}:{f.location.line})" if f.location else ""
        lines.append(
            inert(
                f"  blocking {f.severity.value:<8} {f.rule} {f.stack}/{f.target}{where}",
                single_line=True,
            )
        )
    if len(worst) > LISTED_BLOCKING:
        where = "run without --quiet for the report" if quiet else "see the report"
        lines.append(f"  ... and {len(worst) - LISTED_BLOCKING} more ({where})")
    return "\n".join(lines)


def _bar(setting: Setting[float | None], option: str) -> float | None:
    """A gate's bar: a finite number from 0 to 100 (``None``: no gate; the config file's bars
    are checked when it is read)."""
    value = setting.value
    if value is not None and not (math.isfinite(value) and 0 <= value <= 100):
        raise UserError(
            f"{option} {value:g} is not a percentage",
            hint=f"give a number from 0 to 100, e.g. {option} 60",
        )
    return value


def score_gates(
    assessment: Assessment, min_score: float | None, min_assurance: float | None
) -> list[str]:
    """One line per gate the overall score misses (an empty list when it meets them all).

    A score that does not exist (nothing weighted) meets no bar: nothing was proven.
    """
    s = assessment.scores["overall"]
    lines: list[str] = []
    for option, bar, value, unit in (
        ("--min-score", min_score, s.score, ""),
        ("--min-assurance", min_assurance, s.assurance, "%"),
    ):
        if bar is None or (value is not None and value >= bar):
            continue
        shown = "-, nothing weighted" if value is None else f"{value:.1f}{unit}"
        lines.append(
            f"check: overall {option.removeprefix('--min-')} {shown} is below {option} "
            f"{bar:g}{unit} (score {_figure(s.score)}, upper {_figure(s.upper)}, "
            f"assurance {_figure(s.assurance)}%)"
        )
    return lines


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@handle_errors
def check(
    paths: PathsArgument = None,
    baseline: BaselineOption = None,
    fail_on: FailOnOption = None,
    output_format: FormatsOption = None,
    output: OutputsOption = None,
    force: ForceOption = False,
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    min_severity: MinSeverityOption = None,
    today: TodayOption = None,
    plugins: ConfiguredPluginsOption = None,
    min_score: MinScoreOption = None,
    min_assurance: MinAssuranceOption = None,
    quiet: QuietOption = None,
    config: ConfigOption = None,
) -> None:
    """Assess stacks and fail (exit 1) on blocking findings, for CI and pre-commit.

    A finding blocks when it FAILs at or above --fail-on (default medium). With --baseline,
    only findings whose fingerprint (rule, stack, target) did not fail in the base block;
    the others are reported as baselined. --min-score and --min-assurance also fail the check
    when the overall score or its assurance is below the bar. Options not given come from the
    config file (.cellguard.yaml; see `cellguard config`). Exit codes: 0 clean, 1 blocking
    findings or a score below its bar, 2 bad input, 3 a rule crashed.
    """
    settings = resolve_settings(
        read_config(config),
        paths=paths,
        select=select,
        ignore=ignore,
        packs=rules,
        plugins=plugins,
        today=today,
        min_severity=min_severity,
        quiet=quiet,
        formats=output_format,
        outputs=output,
        baseline=baseline,
        fail_on=fail_on,
        min_score=min_score,
        min_assurance=min_assurance,
    )
    spec_paths = require_paths(settings)
    score_bar = _bar(settings.min_score, "--min-score")
    assurance_bar = _bar(settings.min_assurance, "--min-assurance")
    assess: Assess = functools.partial(assess_configured, settings=settings)
    assessment = assess(spec_paths)
    comparison: Comparison | None = None
    base_scores = None
    if settings.baseline.value is not None:
        base = _configured_baseline(settings.baseline.value, settings, spec_paths, assess)
        comparison = compare(assessment, base)
        base_scores = base.scores or None
    formats = settings.formats.value
    ctx = ReportContext(
        baselined=comparison.baselined_fingerprints if comparison else frozenset(),
        fail_on=settings.fail_on.value,
        baseline_scores=base_scores,
        min_severity=settings.min_severity.value,
        graph=assessment.graph,
        signoff=report_signoff(spec_paths, formats, assessment),
    )
    write_reports(
        assessment,
        formats,
        settings.outputs.value,
        force=force,
        ctx=ctx,
        quiet=settings.quiet.value,
    )
    _notice(_summary(assessment, ctx, comparison, quiet=settings.quiet.value))
    gates = score_gates(assessment, score_bar, assurance_bar)
    for line in gates:
        _notice(line)
    exit_if_rules_crashed(assessment, consequence="their checks did not run")
    if gates or any(ctx.blocking(f) for f in assessment.findings):
        raise typer.Exit(ExitCode.FINDINGS)
