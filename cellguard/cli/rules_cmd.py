"""``cellguard rules list|explain``: what the rules check, why, and how scores are computed."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from cellguard.cli.exit_codes import UserError, handle_errors
from cellguard.cli.files import emit
from cellguard.cli.options import ForceOption, OutputOption, PluginsOption, RulesOption
from cellguard.models.json_text import dumps
from cellguard.models.loader.errors import suggest
from cellguard.models.quoting import quoted
from cellguard.models.text import inert

rules_app = typer.Typer(
    name="rules",
    help="List the rules, or explain one rule or the scoring formula.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class ListFormat(StrEnum):
    """Output formats of ``rules list``."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


@rules_app.command("list")
@handle_errors
def list_rules(
    output_format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ListFormat.TABLE,
    output: OutputOption = None,
    force: ForceOption = False,
    rules: RulesOption = None,
    plugins: PluginsOption = True,
) -> None:
    """List every rule: id, pillar, default severity and title."""
    from cellguard.reports.rules_doc import rules_markdown
    from cellguard.rules.packs import load_rules

    registry = load_rules(rules or [], plugins=plugins)
    if output_format is ListFormat.MARKDOWN:
        text = rules_markdown(registry)
    elif output_format is ListFormat.JSON:
        data = [r.meta.model_dump(mode="json") | {"origin": r.origin} for r in registry]
        text = dumps({"rules": data}, indent=2, sort_keys=True) + "\n"
    else:
        rows = [
            inert(
                f"{r.meta.id:<12} {r.meta.pillar.code:<4} {r.meta.severity.value:<9} {r.meta.title}",
                single_line=True,
            )
            + (" (advisory)" if r.meta.advisory else "")
            for r in registry
        ]
        text = "\n".join(rows) + f"\n{len(rows)} rules\n"
    emit(text, output, force=force)


@rules_app.command("explain")
@handle_errors
def explain(
    rule_id: Annotated[
        str | None, typer.Argument(help="Rule id, e.g. CG-RED-004.", show_default=False)
    ] = None,
    scoring: Annotated[
        bool, typer.Option("--scoring", help="Explain the scoring and business-impact formula.")
    ] = False,
    rules: RulesOption = None,
    plugins: PluginsOption = True,
) -> None:
    """Explain a rule (rationale, source, remediation, passing and failing example) or the scoring."""
    from cellguard.reports.rules_doc import explain_text, scoring_text
    from cellguard.rules.packs import load_rules

    if scoring:
        typer.echo(scoring_text(), nl=False)
        return
    if rule_id is None:
        raise UserError(
            "give a rule id or --scoring", hint="e.g. cellguard rules explain CG-RED-004"
        )
    registry = load_rules(rules or [], plugins=plugins)
    rule = registry.get(rule_id)
    if rule is None:
        near = suggest(rule_id.upper(), registry.ids())
        raise UserError(
            f"no rule {quoted(rule_id, escape=True)}",
            hint=f"did you mean {near}?" if near else "see `cellguard rules list`",
        )
    typer.echo(explain_text(rule), nl=False)
