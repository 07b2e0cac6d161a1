"""The closed set of layer classes a saved network may name, and layers rebuilt from their specs.

Every layer class registers itself here where it is defined (``@REGISTRY.register``),
containers too (``Sequential``, ``GraphLayer``), so rebuilding a layer from a file
never imports or evaluates a name: it looks the class up, or refuses it.
"""

from __future__ import annotations

from ..registry import Registry

__all__ = ["REGISTRY", "get_class", "layer_from_spec"]

#: Layer classes by class name (matched exactly).
REGISTRY = Registry("layer", folds=False)
#: The layer class of a registered name; ``ValueError`` listing the registered ones.
get_class = REGISTRY.lookup


def layer_from_spec(spec):
    """Build an (unbuilt) layer from ``{"class": name, "config": {...}}``, naming only registered classes.

    A container that builds itself from its config (``Sequential``) is rebuilt
    unbuilt: its parent builds it.
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("class"), str):
        raise ValueError(f"a layer spec must be a mapping with a 'class' name, got {spec!r:.80}")
    cls = get_class(spec["class"])
    config = spec.get("config", {})
    return cls.from_config(config, build=False) if getattr(cls, "builds_from_config", False) \
        else cls.from_config(config)
