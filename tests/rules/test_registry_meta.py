"""The built-in pack's bookkeeping: ids, metadata, files and case files stay in step."""

from __future__ import annotations

import importlib

from cellguard.models.findings import Status
from cellguard.rules.builtin import PACK_DIR, PILLAR_PACKAGES, builtin_rules
from cellguard.rules.cases import CASES_DIR, load_case_file

RULES = builtin_rules()


def test_ids_are_unique_and_follow_the_scheme() -> None:
    ids = [r.meta.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(f"CG-{r.meta.pillar.code}-") for i, r in zip(ids, RULES, strict=True))


def test_every_rule_file_is_registered() -> None:
    for pillar in PILLAR_PACKAGES:
        package = importlib.import_module(f"cellguard.rules.builtin.{pillar}")
        folder = PACK_DIR / pillar
        files = {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("_")}
        listed = {f"{m}.py" for m in package.PYTHON_RULES} | set(package.YAML_RULES)
        assert files == listed, f"{pillar}: files and registry differ"
        assert len(package.PYTHON_RULES) == len(set(package.PYTHON_RULES))


def test_file_names_match_rule_ids_and_pillars() -> None:
    for rule in RULES:
        stem = rule.meta.id.lower().replace("-", "_")
        origin = rule.origin.replace("/", ".")
        pillar = rule.meta.pillar.code.lower()
        assert f"builtin.{pillar}.{stem}_" in origin, (rule.meta.id, origin)


def test_metadata_is_complete() -> None:
    for rule in RULES:
        meta = rule.meta
        assert meta.title[0].isupper() and not meta.title.endswith("."), meta.id
        assert meta.rationale.strip() and meta.source.strip() and meta.remediation.strip()
        assert meta.action


def test_every_rule_has_a_case_file_with_pass_and_fail() -> None:
    for rule in RULES:
        path = CASES_DIR / f"{rule.meta.id}.yaml"
        assert path.is_file(), f"{rule.meta.id} has no case file {path.name}"
        spec = load_case_file(path)
        assert spec.rule == rule.meta.id
        statuses = {e.status for case in spec.cases for e in case.expect}
        assert Status.PASS in statuses, f"{rule.meta.id}: no passing example"
        assert Status.FAIL in statuses, f"{rule.meta.id}: no failing example"


def test_no_orphaned_case_files() -> None:
    ids = {r.meta.id for r in RULES}
    orphans = [
        p.name for p in CASES_DIR.glob("*.yaml") if not p.name.startswith("_") and p.stem not in ids
    ]
    assert not orphans
