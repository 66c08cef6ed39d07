"""Importers: what teams already run (Kubernetes manifests) -> a draft stack spec, and drift.

A layer above the models and the loader and below the command line: ``import k8s`` reads
manifests with the loader's line-aware YAML reader (:mod:`cellguard.importers.manifests`),
extracts one :class:`~cellguard.importers.facts.Workload` per deployable thing, each value
with the file and line it came from (:mod:`~cellguard.importers.k8s`), and writes a draft
spec whose every imported value carries a ``# from FILE:LINE`` comment
(:mod:`~cellguard.importers.draft`, :mod:`~cellguard.importers.writer`). ``drift`` compares a
spec with the same facts (:mod:`~cellguard.importers.drift`).
"""
