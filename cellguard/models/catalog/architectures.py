"""Model architectures (``models.yaml``): the shape the KV cache of a sequence takes.

:func:`find_architecture` matches a spec's ``model.name`` case-insensitively against each
entry's name and aliases, with or without the organisation prefix, so
``meta-llama/Llama-3.1-8B-Instruct`` and ``llama-3.1-8b-instruct`` are the same model.
"""

from functools import cache

from pydantic import Field

from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file


class Architecture(CatalogModel):
    """The attention shape of one model."""

    name: str = Field(min_length=1, description="Hugging Face id, e.g. meta-llama/Llama-3.1-8B.")
    aliases: tuple[str, ...] = Field((), description="Other ids with the same architecture.")
    params_b: float = Field(gt=0, description="Parameters, in billions.")
    layers: int = Field(gt=0, description="Transformer layers (num_hidden_layers).")
    kv_heads: int = Field(gt=0, description="Key/value heads (num_key_value_heads).")
    head_dim: int = Field(gt=0, description="Size of one attention head.")
    source: Source

    def kv_bytes_per_token(self, bytes_per_element: float) -> float:
        """Bytes of KV cache one token of context takes: 2 x layers x kv_heads x head_dim x
        bytes per element (K and V of every layer)."""
        return 2 * self.layers * self.kv_heads * self.head_dim * bytes_per_element

    def matches(self, name: str) -> bool:
        """Whether ``name`` names this model (with or without its organisation)."""
        key = _key(name)
        return any(key == _key(n) for n in (self.name, *self.aliases))


class ArchitectureCatalog(CatalogModel):
    """``models.yaml``."""

    models: tuple[Architecture, ...] = Field(min_length=1)


def _key(name: str) -> str:
    return name.strip().lower().rsplit("/", 1)[-1]


@cache
def architecture_catalog() -> ArchitectureCatalog:
    """The packaged model architectures (parsed once)."""
    return load_catalog_file("models.yaml", ArchitectureCatalog)


def find_architecture(name: str) -> Architecture | None:
    """The architecture of the model called ``name``; ``None`` when the catalog lacks it."""
    return next((m for m in architecture_catalog().models if m.matches(name)), None)
