"""The graph engine: spec -> networkx graph -> analyses -> findings -> scores.

Import from the submodules (``cellguard.assessments.graph``, ``.placement``, ...): this
package root imports nothing, so that a light command (``faulttree quantify``) does not load
the spec models, networkx and the graph to use the fault-tree engine.
"""
