"""``python -m cellguard`` runs the command-line interface."""

from cellguard.cli.main import run

run()
