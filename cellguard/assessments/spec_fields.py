"""An optional spec field of a model that may not have it, read without pydantic's miss path.

Rules and assessments read fields that only some kinds of component have, as
``getattr(comp, "engine", None)``. On a spec model that lacks the name, Python finds nothing
in the class and calls pydantic's ``BaseModel.__getattr__``, which looks at the private and
extra attributes and raises ``AttributeError`` for ``getattr`` to catch: 3-4 microseconds a
miss, 39,000 misses (0.1-0.15 s) when assessing 10,001 components. :func:`field_or_none`
gives what ``getattr(obj, name, None)`` gives, reading the instance's ``__dict__`` directly
where that is all ``getattr`` could find: on a spec model (extra keys forbidden, so no extra
attributes) for a public name that no class of it defines (no property, method or class
attribute; pydantic keeps field values in the instance's ``__dict__``, not on the class).
Anything else goes to ``getattr``.
"""

from __future__ import annotations

from typing import Any

from cellguard.models.base import SpecModel

_FROM_DICT: dict[tuple[type, str], bool] = {}
"""Whether ``name`` is read from an instance's ``__dict__`` alone, by (class, name)."""


def field_or_none(obj: object, name: str) -> Any:
    """``getattr(obj, name, None)``, without the cost of a miss on a spec model."""
    cls = type(obj)
    plain = _FROM_DICT.get((cls, name))
    if plain is None:
        plain = _FROM_DICT[(cls, name)] = _from_dict(cls, name)
    if plain:
        return obj.__dict__.get(name)
    return getattr(obj, name, None)


def _from_dict(cls: type, name: str) -> bool:
    """Whether an instance of ``cls`` has ``name`` only as an entry of its ``__dict__``."""
    return (
        issubclass(cls, SpecModel)
        and cls.model_config.get("extra") == "forbid"
        and not name.startswith("_")  # private attributes live elsewhere
        and not any(name in vars(k) for k in cls.__mro__)
    )
