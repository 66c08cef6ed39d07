"""``--catalog``'s help names every file a user catalog directory may hold (review: it named
six of nine after gpu_obtain.yaml, mig_profiles.yaml and media_throughput.yaml joined)."""

from __future__ import annotations

import inspect
import typing

from cellguard.cli.app import main
from cellguard.models.loader.user_catalogs import USER_FILES


def test_the_catalog_option_names_every_user_catalog_file() -> None:
    hints = typing.get_type_hints(inspect.unwrap(main), include_extras=True)
    option = hints["catalog"].__metadata__[0]
    missing = [name for name in USER_FILES if name not in option.help]
    assert not missing, f"--catalog's help (cellguard/cli/app.py) does not name {missing}"
