"""One rule for every registry of named things (activations, initializers, layers, losses,
metrics, optimizers, schedules).

A :class:`Registry` maps names to entries. A name is looked up as given or, for a
registry that ``folds`` names, lower-cased with ``-`` read as ``_`` (``"Leaky-ReLU"``
finds ``leaky_relu``); aliases name the same entry another way. An unknown name is
a ``ValueError`` listing every valid one. Entries register themselves with
:meth:`Registry.register`, so a module that defines a new kind (a graph layer)
adds it without the registry importing that module.

>>> kinds = Registry("colour", {"red": 1, "green": 2}, aliases={"rot": "red"})
>>> kinds.lookup("Rot"), kinds.names()
(1, ['green', 'red', 'rot'])
>>> kinds.lookup("blue")
Traceback (most recent call last):
...
ValueError: unknown colour 'blue'; valid names: green, red, rot
"""

from __future__ import annotations

__all__ = ["Registry"]


class Registry(dict):
    """Entries by name, for one ``kind`` of thing (the word used in error messages).

    Parameters
    ----------
    kind : str
    entries : dict, optional
    aliases : dict of str to str, optional
        Other names of registered entries.
    folds : bool, default True
        Look names up lower-cased with ``-`` as ``_``. Layer class names are
        matched exactly (``folds=False``).
    """

    def __init__(self, kind: str, entries=None, *, aliases=None, folds: bool = True):
        super().__init__(entries or {})
        self.kind, self.aliases, self.folds = kind, dict(aliases or {}), folds

    def key(self, name) -> str:
        """The registered name ``name`` stands for (its alias resolved); it may not be registered."""
        key = str(name)
        if self.folds:
            key = key.lower().replace("-", "_")
        return self.aliases.get(key, key)

    def lookup(self, name):
        """The entry registered as ``name`` (or an alias of it); ``ValueError`` listing the valid names."""
        try:
            return self[self.key(name)]
        except KeyError:
            raise ValueError(f"unknown {self.kind} {name!r:.80}; valid names: {', '.join(self.names())}") from None

    def names(self) -> list[str]:
        """Every name :meth:`lookup` accepts, aliases included, sorted."""
        return sorted(set(self) | set(self.aliases))

    def register(self, entry=None, *, name: str | None = None):
        """Add ``entry`` under ``name`` (default: its ``name`` attribute, else its ``__name__``).

        Usable as a decorator. Registering a different entry under a taken name is an error.
        """
        def add(obj):
            key = name or getattr(obj, "name", None) or obj.__name__
            if not isinstance(key, str):
                key = obj.__name__
            if self.get(key, obj) is not obj:
                raise ValueError(f"{self.kind} {key!r} is registered already")
            self[key] = obj
            return obj
        return add if entry is None else add(entry)
