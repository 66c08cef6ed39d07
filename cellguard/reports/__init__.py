"""Output formats: diagrams (Mermaid, DOT) and, later, terminal, json, sarif, markdown and html.

Report modules are imported directly (``from cellguard.reports.diagram import to_mermaid``) so
that one format does not pull in the dependencies of another. Nothing here imports pulumi.
"""
