"""Exhaustive one-at-a-time sweep of issue 15 item 2: deleting any optional key never raises a score.

Run (from the repository root; slow, a few assessments a second):

    nice .venv/bin/python benchmarks/monotone_sweep.py [--only NAME ...] [--out FILE]

The property test ``tests/rules/test_saying_less.py`` samples random sets of one to four
deletions; this script deletes every optional key path of every example (each
``examples/*.yaml`` and the ``examples/org`` organisation) ONE AT A TIME, with the same walk,
the same FACTS exemptions and the same scoring, and lists every deletion that raised a
pillar's headline score or the overall score. A deletion the loader refuses (a key other keys
refer to) is counted as refused, not as a failure.

It prints one line per example (key paths, refused, raised) and, for each raising deletion,
the key path and the scores before and after; ``--out`` also writes them as JSON. Exit 1 when
any deletion raised a score.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cellguard.models.loader import SpecLoadError  # noqa: E402
from tests.rules.test_saying_less import (  # noqa: E402
    CORPUS,
    baseline,
    candidates,
    corpus,
    delete,
    scores_of,
)


def sweep(name: str) -> dict[str, Any]:
    """Every one-key deletion of corpus entry ``name`` and the ones that raised a score."""
    before = baseline(name)
    keys = candidates(name)
    raised: list[dict[str, Any]] = []
    refused = 0
    for index, path in keys:
        documents = [copy.deepcopy(data) for _, data in corpus(name)]
        delete(documents, index, path)
        try:
            after = scores_of(documents)
        except SpecLoadError:
            refused += 1
            continue
        risen = {
            key: [before[key], value]
            for key, value in after.items()
            if value is not None and (before[key] is None or value > before[key] + 1e-9)
        }
        if risen:
            file = corpus(name)[index][0]
            raised.append({"file": file, "path": list(path), "risen": risen})
            print(f"  RAISED {file} {'.'.join(map(str, path))}: {risen}", flush=True)
    return {"example": name, "paths": len(keys), "refused": refused, "raised": raised}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="corpus entries to sweep")
    parser.add_argument("--out", type=Path, default=None, help="write the result as JSON")
    args = parser.parse_args(argv)
    results = []
    for name in args.only or CORPUS:
        print(f"{name}: {len(candidates(name))} key paths", flush=True)
        result = sweep(name)
        results.append(result)
        print(
            f"{name}: {result['paths']} key paths, {result['refused']} refused, "
            f"{len(result['raised'])} raised a score",
            flush=True,
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if any(r["raised"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
