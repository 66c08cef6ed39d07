"""Pulumi ComponentResources for cell-based, multi-region GPU inference (DESIGN §8).

The only package, with ``cellguard.iac``, that imports pulumi. Modules import pulumi themselves;
this package root imports nothing, so a subpackage can be loaded on its own.
"""
