"""Laying a user catalog file's data over a built-in one (see :mod:`cellguard.models.loader.user_catalogs`).

Lists merge by entry identity (a GPU's ``name``, an instance family's ``family`` and
``platforms``, a measurement's ``id``, a model's ``name``, an ``engine``, a prior's ``match``):
an entry with a built-in's identity replaces it in place, new entries come first; the
``shared_domains`` mapping merges key by key; any other value is replaced.
"""

from __future__ import annotations

from typing import Any


def _identity(entry: Any) -> Any:
    """What makes two list entries the same entry (``None``: always a new entry)."""
    if not isinstance(entry, dict):
        return None
    for key in ("id", "name", "engine", "match"):
        if key in entry:
            value = entry[key]
            return (key, str(value).lower() if isinstance(value, str) else repr(value))
    if "family" in entry:
        return ("family", entry["family"], repr(entry.get("platforms")))
    return None


def merge(base: Any, overlay: Any) -> Any:
    """``overlay`` laid over ``base``: lists by entry identity, mappings key by key."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            if key in merged and isinstance(value, list) and isinstance(merged[key], list):
                merged[key] = _merge_list(merged[key], value)
            elif key in merged and isinstance(value, dict) and key == "shared_domains":
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        return merged
    return overlay


def _merge_list(base: list[Any], overlay: list[Any]) -> list[Any]:
    """Entries with a built-in's identity replace it in place; new entries come first, so
    that they win where the first match counts (aliases, component priors)."""
    index = {_identity(e): i for i, e in enumerate(base) if _identity(e) is not None}
    merged = list(base)
    added = []
    for entry in overlay:
        key = _identity(entry)
        if key is not None and key in index:
            merged[index[key]] = entry
        else:
            added.append(entry)
    return added + merged
