"""User catalogs: directories whose YAML files add to or override the built-in catalog.

A directory given with ``--catalog DIR`` (or listed under ``catalogs`` in ``.cellguard.yaml``)
may hold any of :data:`USER_FILES`, each in the form of the built-in file of the same name
(``cellguard/models/catalog/*.yaml``), with only the entries it adds or overrides. Every file
is validated like a spec -- an unknown key, a wrong type, a value out of range or an entry
without its ``source`` is an error naming file, line and key path (exit code 2) -- and an
entry replaces the built-in one with the same identity (a GPU's ``name``, an instance
family's ``family`` and ``platforms``, a measurement's ``id``, a model's ``name``, an engine,
a prior's ``match``; mappings key by key); other entries are added ahead of the built-in
ones, so they win where the first match counts. The built-in catalog stays the default:
without user catalogs nothing changes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError, create_model

from cellguard.models.catalog import sources
from cellguard.models.catalog.sources import CatalogModel

USER_FILES: dict[str, str] = {
    "gpus.yaml": "cellguard.models.catalog.hardware:GpuCatalog",
    "instances.yaml": "cellguard.models.catalog.hardware:InstanceCatalog",
    "models.yaml": "cellguard.models.catalog.architectures:ArchitectureCatalog",
    "throughput.yaml": "cellguard.models.catalog.throughput:ThroughputCatalog",
    "engines.yaml": "cellguard.models.catalog.engines:EngineCatalog",
    "availability.yaml": "cellguard.models.catalog.availability:AvailabilityCatalog",
    "media_throughput.yaml": "cellguard.models.catalog.media:MediaCatalog",
    "gpu_obtain.yaml": "cellguard.models.catalog.gpu_obtain:ObtainCatalog",
    "mig_profiles.yaml": "cellguard.models.catalog.mig:MigCatalog",
}
"""The files a user catalog directory may hold, and the model each is validated with."""

MAX_CATALOG_BYTES = 4 * 1024 * 1024
"""Largest user catalog file read."""


def _model(name: str) -> type[BaseModel]:
    module, _, attr = USER_FILES[name].partition(":")
    __import__(module)
    found: type[BaseModel] = getattr(sys.modules[module], attr)
    return found


def _partial(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` with every top-level key optional (a user file holds only what it changes)."""
    fields: dict[str, Any] = {
        name: (info.annotation | None, None)  # type: ignore[operator]
        for name, info in model.model_fields.items()
    }
    partial: type[BaseModel] = create_model(
        f"User{model.__name__}", __base__=CatalogModel, __doc__=model.__doc__, **fields
    )
    return partial


def _read(path: Path) -> tuple[Any, Any]:
    from cellguard.models.loader.document import read_spec_bytes
    from cellguard.models.loader.source import decode, read_yaml

    name = str(path)
    return read_yaml(decode(read_spec_bytes(path, name), name, max_bytes=MAX_CATALOG_BYTES), name)


def _check_file(path: Path) -> tuple[Any, list[Any]]:
    """The data of one user catalog file, and its diagnostics (empty when valid)."""
    from cellguard.models.loader.validation_errors import diagnostics_from

    data, source = _read(path)
    if data is None:
        data = {}
    partial = _partial(_model(path.name))
    if not isinstance(data, dict):
        return data, [
            source.diagnostic(
                (),
                "a catalog file is a mapping, like the built-in file of the same name",
                code="not-a-mapping",
            )
        ]
    try:
        partial.model_validate(data)
    except ValidationError as exc:
        return data, diagnostics_from(exc, partial, data, source)
    return data, []


def _files(directory: Path) -> tuple[list[Path], list[Any]]:
    """The catalog files of ``directory`` and the diagnostics of files it should not hold."""
    from cellguard.models.loader.errors import Diagnostic

    if not directory.is_dir():
        return [], [
            Diagnostic(str(directory), 1, 1, (), "no such catalog directory", code="no-such-path")
        ]
    found, wrong = [], []
    for path in sorted(directory.iterdir()):
        if path.suffix in (".yaml", ".yml") and path.name in USER_FILES:
            found.append(path)
        elif path.suffix in (".yaml", ".yml"):
            wrong.append(
                Diagnostic(
                    str(path),
                    1,
                    1,
                    (),
                    f"{path.name} is not a catalog file",
                    code="not-a-catalog-file",
                    expected=", ".join(USER_FILES),
                    suggestion="name the file after the built-in catalog file it extends",
                )
            )
    return found, wrong


_COMMAND_LINE: list[Path] = []


def command_line_directories() -> list[Path]:
    """The directories ``--catalog`` named (they win over the config file's ``catalogs``)."""
    return list(_COMMAND_LINE)


def activate_from_command_line(directories: list[Path]) -> None:
    """:func:`activate` the directories ``--catalog`` named, and remember them."""
    activate(directories)
    _COMMAND_LINE[:] = directories


def activate(directories: list[Path]) -> None:
    """Lay the catalog files of ``directories`` (later ones win) over the built-in catalog.

    Raises :class:`~cellguard.models.loader.SpecLoadError` with every problem found; the
    catalog in use is then unchanged. An empty list restores the built-in catalog.
    """
    from cellguard.models.loader.errors import SpecLoadError

    overlays: dict[str, list[tuple[Path, Any]]] = {}
    problems: list[Any] = []
    for directory in directories:
        files, wrong = _files(directory)
        problems += wrong
        for path in files:
            data, found = _check_file(path)
            problems += found
            overlays.setdefault(path.name, []).append((path, data))
    if problems:
        raise SpecLoadError(problems)
    previous = sources.user_overlays()
    sources.set_user_overlays({k: [d for _, d in v] for k, v in overlays.items()})
    _clear_caches()
    try:
        _check_merged(overlays)
    except SpecLoadError:
        sources.set_user_overlays(previous)
        _clear_caches()
        raise


def _check_merged(overlays: dict[str, list[tuple[Path, Any]]]) -> None:
    """The merged catalogs parse, and what user entries refer to exists."""
    from cellguard.models.loader.errors import Diagnostic, SpecLoadError

    problems: list[Any] = []
    for name in overlays:
        try:
            sources.load_catalog_file(name, _model(name))
        except ValidationError as exc:
            where = ", ".join(str(p) for p, _ in overlays[name])
            problems.append(
                Diagnostic(
                    where, 1, 1, (), f"merged with the built-in {name}: {exc}", code="invalid"
                )
            )
    from cellguard.models.catalog.hardware import find_gpu

    for name, key in (("throughput.yaml", "measurements"), ("instances.yaml", "families")):
        for path, data in overlays.get(name, []):
            for i, entry in enumerate(data.get(key) or [] if isinstance(data, dict) else []):
                gpu = entry.get("gpu") if isinstance(entry, dict) else None
                if isinstance(gpu, str) and find_gpu(gpu) is None:
                    _, source = _read(path)
                    problems.append(
                        source.diagnostic(
                            (key, i, "gpu"),
                            f"GPU {gpu!r} is in neither the built-in nor a user gpus.yaml",
                            code="not-in-catalog",
                            suggestion="add it to gpus.yaml in the same catalog directory",
                        )
                    )
    if problems:
        raise SpecLoadError(problems)


def _clear_caches() -> None:
    """Forget every parsed catalog, so the next look-up reads the new overlays."""
    for module in list(sys.modules.values()):
        if module is None or not module.__name__.startswith("cellguard.models.catalog"):
            continue
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == module.__name__:
                clear()
