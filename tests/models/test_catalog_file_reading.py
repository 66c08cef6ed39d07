"""The packaged catalog files are read from the package's directory, and through
``importlib.resources`` only where the package is not a directory (issue 21 item 5: the
resources machinery's first read cost 5 ms of every run)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

import pytest

from cellguard.models.catalog import sources

read_raw = sources._raw.__wrapped__  # without the per-process cache


def test_a_catalog_file_is_read_beside_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = read_raw("services.yaml")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("importlib.resources used")

    monkeypatch.setattr(importlib.resources, "files", refuse)
    assert read_raw("services.yaml") == expected
    assert expected  # the file holds entries


def test_a_package_that_is_no_directory_is_read_through_its_importer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = read_raw("latency.yaml")
    catalog_dir = Path(sources.__file__).parent
    real = Path.read_text
    refused: list[Path] = []

    def unreadable(self: Path, *args: Any, **kwargs: Any) -> str:
        if self.parent == catalog_dir and not refused:  # the direct read, as in a zip archive
            refused.append(self)
            raise NotADirectoryError(20, "Not a directory", str(self))
        return real(self, *args, **kwargs)  # what the importer's resources read

    monkeypatch.setattr(Path, "read_text", unreadable)
    assert read_raw("latency.yaml") == expected
    assert refused == [catalog_dir / "latency.yaml"]
