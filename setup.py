"""Build configuration beyond pyproject.toml: the optional C accelerator of the BDD evaluation.

``optional=True``: without a C compiler the build goes on without it and cellguard uses its
pure-Python evaluation, which gives the same numbers more slowly.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "cellguard.assessments.faulttree._cudd_walk",
            sources=[
                "cellguard/assessments/faulttree/_cudd_walk.c",
                "cellguard/assessments/faulttree/_cudd_joint.c",
                "cellguard/assessments/faulttree/_cudd_truncate.c",
            ],
            depends=["cellguard/assessments/faulttree/_cudd_dag.h"],
            optional=True,
        )
    ]
)
