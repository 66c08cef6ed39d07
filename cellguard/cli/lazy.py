"""A typer group whose commands are imported when they are used (issue 19: fast start).

``cellguard --version`` imports no command and ``cellguard validate`` only the module of
``validate`` (and what it imports). The group's ``commands`` is a mapping whose keys are known up
front and whose values are built on first access, so everything typer does with it (resolving a
name, "did you mean", a command's own ``--help``) is unchanged. ``cellguard --help`` lists the
commands from their first help paragraphs given with the table (``command_help``; a test keeps
them equal to the commands' own), so it imports no command either.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from importlib import import_module
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group
from typer.models import CommandInfo

from cellguard.cli.importing import importing


def load_command(name: str, target: str, *, rich_markup_mode: Any) -> Any:
    """The click command of ``target`` (``module:attribute``): a command function or a Typer
    sub-application, built as ``app.command()`` or ``app.add_typer`` would build it."""
    module, _, attribute = target.partition(":")
    with importing():
        value = getattr(import_module(module), attribute)
    if isinstance(value, typer.Typer):
        return get_group(value)
    info = CommandInfo(name=name, callback=value)
    return get_command_from_info(
        info, pretty_exceptions_short=True, rich_markup_mode=rich_markup_mode
    )


class LazyCommands(MutableMapping[str, Any]):
    """Command name -> click command; the lazy ones are imported on first access."""

    def __init__(
        self, eager: Mapping[str, Any], lazy: Mapping[str, str], rich_markup_mode: Any
    ) -> None:
        self._lazy = dict(lazy)
        self._loaded: dict[str, Any] = {}
        self._eager = dict(eager)
        self._rich_markup_mode = rich_markup_mode

    def __getitem__(self, name: str) -> Any:
        if name in self._eager:
            return self._eager[name]
        if name not in self._loaded:
            target = self._lazy[name]  # KeyError: not a command
            self._loaded[name] = load_command(name, target, rich_markup_mode=self._rich_markup_mode)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._lazy.pop(name, None)
        self._loaded.pop(name, None)
        self._eager[name] = command

    def __delitem__(self, name: str) -> None:
        found = name in self
        self._lazy.pop(name, None)
        self._loaded.pop(name, None)
        self._eager.pop(name, None)
        if not found:
            raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        yield from self._lazy
        yield from (name for name in self._eager if name not in self._lazy)

    def __len__(self) -> int:
        return len(self._lazy.keys() | self._eager.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._lazy or name in self._eager

    def peek(self, name: str, help_text: str | None) -> Any:
        """The command if it is built; else, given its help, a stand-in for listing it."""
        if name in self._eager or name in self._loaded or help_text is None:
            return self.get(name)
        return TyperCommand(name=name, help=help_text)


class LazyGroup(TyperGroup):
    """A ``TyperGroup`` that adds the commands of ``lazy_commands`` (name -> ``module:attribute``,
    in the order of the help) to those registered on the app, importing each when it is used.
    ``command_help`` (name -> the first paragraph of the command's help) lists them in the
    group's help without importing them."""

    lazy_commands: ClassVar[Mapping[str, str]] = {}
    command_help: ClassVar[Mapping[str, str]] = {}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = LazyCommands(self.commands, self.lazy_commands, self.rich_markup_mode)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing and isinstance(self.commands, LazyCommands):
            return self.commands.peek(cmd_name, self.command_help.get(cmd_name))
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False
