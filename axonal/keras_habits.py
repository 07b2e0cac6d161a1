"""What Keras users reach for and axonal spells differently: errors that name axonal's way.

Spellings that cost little and cannot mislead are accepted where they are used
(``fit(verbose=0)``, ``loss="sparse_categorical_crossentropy"``, ``Dense(8, input_shape=(4,))``,
``metrics=["auc"]``, ``evaluate(metrics=...)``); the others end here with the fix.
"""

from __future__ import annotations

__all__ = ["KerasHints", "input_dim_from_shape"]

#: method name -> what to do in axonal instead
_METHODS = {
    "save": "axonal.save(net, path) writes a model file (axonal.load(path) reads it back)",
    "compile": "give loss= and optimizer= to Sequential(...) (kept for every fit) or to fit(...)",
    "add": "give every layer to Sequential([...]) when you create it",
    "fit_generator": "fit takes arrays; for data that does not fit in memory, call fit on each chunk",
    "predict_on_batch": "predict(x) takes any batch",
}


class _Hint:
    """A Keras method that axonal spells differently: reading it raises the AttributeError Python
    would raise, with axonal's way added (``hasattr`` stays False). A class inherited after
    :class:`KerasHints` that defines the name (a mixin listed after ``Sequential``) still provides it."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, obj, owner=None):
        cls = owner if owner is not None else type(obj)
        found = _defined_after_hints(cls, self.name)
        if found is not None:
            get = getattr(type(found), "__get__", None)
            return found if get is None else get(found, obj, cls)
        raise AttributeError(f"{cls.__name__} has no {self.name}(): {_METHODS[self.name]}")


class KerasHints:
    """A mixin: asking a network for a Keras method it lacks names axonal's way.

    The hints are class attributes, one per method, and not a ``__getattr__``: a class with
    ``__getattr__`` gets no fast attribute lookups from the interpreter, and a network's
    attributes are read on every step of its hot paths (``activate``, ``fit``). ``dir()`` of a
    network leaves the hints out; a name that a subclass, a later base or the instance provides
    is listed."""

    def __dir__(self):
        own, cls = vars(self), type(self)       # a hint read on the class raises unless a class defines the name
        return [name for name in super().__dir__() if name not in _METHODS or name in own or hasattr(cls, name)]


def _defined_after_hints(cls, name: str):
    """``name`` as a class that ``cls`` inherits after :class:`KerasHints` defines it, or ``None``."""
    mro = cls.__mro__
    return next((vars(base)[name] for base in mro[mro.index(KerasHints) + 1:] if name in vars(base)), None)


for _name in _METHODS:
    setattr(KerasHints, _name, _Hint(_name))


def input_dim_from_shape(input_dim, input_shape, where: str):
    """``input_dim`` from Keras's ``input_shape`` (its last entry: the features; a time axis before it
    is free in axonal), checked against ``input_dim`` when both are given."""
    if input_shape is None:
        return input_dim
    if not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise ValueError(f"{where}: input_shape must be a tuple such as (features,) or (time, features), "
                         f"got {input_shape!r:.40}; axonal's own spelling is input_dim=features")
    features = input_shape[-1]
    if input_dim is not None and input_dim != features:
        raise ValueError(f"{where}: input_dim={input_dim!r} and input_shape={tuple(input_shape)!r} disagree")
    return features
