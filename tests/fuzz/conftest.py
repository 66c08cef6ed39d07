"""The fuzz harness's pytest wiring: the ``fuzz`` marker and the end-of-session summary."""

from __future__ import annotations

import pytest

from tests.fuzz.campaign import STATS


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fuzz`` marker (``-m "not fuzz"`` skips the harness)."""
    config.addinivalue_line(
        "markers", "fuzz: structure-aware fuzzing of the CLI (budget: CELLGUARD_FUZZ_EXAMPLES)"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the case count, duration and failure signatures of the session."""
    if not STATS.cases:
        return
    terminalreporter.section("fuzz")
    for line in STATS.summary():
        terminalreporter.write_line(line)
