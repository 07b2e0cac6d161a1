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
    hint : str, optional
        Said after an unknown name, before the valid names (how to add one: the
        registries users add their own functions to say how).
    """

    def __init__(self, kind: str, entries=None, *, aliases=None, folds: bool = True, hint: str = ""):
        super().__init__(entries or {})
        self.kind, self.aliases, self.folds, self.hint = kind, dict(aliases or {}), folds, hint
        self.user: set[str] = set()   # the keys users added (add_user), which they may replace or remove

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
            hint = f" ({self.hint})" if self.hint else ""
            raise ValueError(f"unknown {self.kind} {name!r:.80}{hint}; valid names: {', '.join(self.names())}") \
                from None

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

    def add_user(self, name, entry, *, replace: bool = False) -> str:
        """Add a user's ``entry`` (a function of their own) under ``name``; return its key.

        ``name`` must be in the name alphabet (:data:`axonal.names.NAME_RULE`); it is kept
        folded as :meth:`lookup` folds it. A built-in name or alias is never taken; a name
        a user registered before is taken only with ``replace=True``.
        """
        from .names import NAME_RULE, is_name, printable

        if not is_name(name):
            raise ValueError(f"register: {self.kind} name {printable(repr(name), 70)} is not allowed; {NAME_RULE}")
        key = self.key(name)
        if key in self.aliases or (key in self and key not in self.user):
            raise ValueError(f"register: {key!r} is a built-in {self.kind}; choose another name")
        if key in self and not replace:
            raise ValueError(f"register: {self.kind} {key!r} is registered already; pass replace=True to "
                             f"replace it, or unregister({key!r}) first")
        self[key] = entry
        self.user.add(key)
        return key

    def user_decorator(self, name, function, make, *, expects: str, replace: bool = False):
        """``register(name, function)`` for users, usable as a decorator: check ``function`` is
        callable (``expects`` says what it must be), add ``make(key, function)`` with
        :meth:`add_user`, and return ``function`` unchanged."""
        def add(fn):
            if not callable(fn):
                raise TypeError(f"register: {self.kind} {str(name)!r:.70} must be a function {expects}, "
                                f"got {type(fn).__name__}")
            key = self.key(name) if isinstance(name, str) else name
            self.add_user(name, make(key, fn), replace=replace)
            return fn

        return add if function is None else add(function)

    def remove_user(self, name) -> None:
        """Remove what :meth:`add_user` registered under ``name`` (a built-in entry: ``ValueError``)."""
        key = self.key(name)
        if key not in self.user:
            raise ValueError(f"unregister: no {self.kind} of your own is registered as {str(name)!r:.80}")
        self.user.discard(key)
        del self[key]
