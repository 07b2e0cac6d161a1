"""A character-level text corpus shipped with the package, and its one-hot encoding.

=========================  ==================================================================
:func:`load_text`          a public-domain text (Shakespeare's *Macbeth* or *Sonnets*)
:func:`char_sequences`     a text cut into windows of one-hot characters ``(batch, time,
                           vocabulary)`` and the characters that follow each step
:func:`encode`, decode     text ↔ integer codes over a vocabulary
=========================  ==================================================================

Sources and licenses: ``axonal/data/files/README.md``.
"""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np

from ..generation import sample_sequence
from .sequences._common import _generator, _integer, _one_hot

__all__ = ["TEXTS", "load_text", "char_sequences", "encode", "decode", "sample_text"]


TEXTS = {
    "macbeth": "William Shakespeare, Macbeth: 103,427 characters, 67 distinct (ASCII)",
    "sonnets": "William Shakespeare, the Sonnets (154 sonnets): 95,728 characters, 62 distinct (ASCII)",
}
"""The texts :func:`load_text` knows: name -> what it is. Sources in ``axonal/data/files/README.md``."""


def load_text(name="macbeth") -> str:
    """A public-domain text shipped with axonal, for character-level language models.

    Parameters
    ----------
    name : {"macbeth", "sonnets"}, default "macbeth"
        ``"macbeth"``: Shakespeare's *Macbeth*, the whole play with its stage
        directions (103,427 characters). ``"sonnets"``: Shakespeare's 154 sonnets
        (95,728 characters).

    Returns
    -------
    str
        The text as published by Project Gutenberg without its header and license
        notice: plain ASCII, lines ended by ``"\\n"``.

    Raises
    ------
    ValueError
        An unknown ``name``.

    Notes
    -----
    Project Gutenberg e-texts (etext98/2ws3410.txt and etext97/wssnt10.txt) as
    shipped, stripped of Gutenberg's header, in the ``shakespeare`` 0.6 package of
    the Open Knowledge Foundation (Open Shakespeare). The works are in the public
    domain; sources and licenses in ``axonal/data/files/README.md``.

    Examples
    --------
    >>> from axonal.data.text import load_text
    >>> text = load_text()
    >>> len(text), text[:7]
    (103427, 'MACBETH')
    """
    if not isinstance(name, str) or name not in TEXTS:
        raise ValueError(f"load_text: unknown name {name!r}; expected one of {', '.join(map(repr, TEXTS))}")
    resource = resources.files(__package__).joinpath("files").joinpath(f"{name}.txt.gz")
    return gzip.decompress(resource.read_bytes()).decode("ascii")


def _vocabulary(vocabulary, where: str) -> str:
    if not isinstance(vocabulary, str) or not vocabulary:
        raise ValueError(f"{where}: vocabulary must be a non-empty string of characters, got {vocabulary!r}")
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError(f"{where}: vocabulary holds a character twice: {vocabulary!r}")
    return vocabulary


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def encode(text, vocabulary) -> np.ndarray:
    """The characters of ``text`` as their positions in ``vocabulary``.

    Parameters
    ----------
    text : str
    vocabulary : str
        Distinct characters; character ``vocabulary[i]`` has code ``i``.

    Returns
    -------
    ndarray (len(text),) int64

    Raises
    ------
    ValueError
        ``text`` not a string, a bad ``vocabulary``, or a character of ``text``
        missing from it (named with its position).

    Examples
    --------
    >>> from axonal.data.text import decode, encode
    >>> codes = encode("abba", "ab")
    >>> codes.tolist(), decode(codes, "ab")
    ([0, 1, 1, 0], 'abba')
    """
    if not isinstance(text, str):
        raise ValueError(f"encode: text must be a string, got {type(text).__name__}")
    vocabulary = _vocabulary(vocabulary, "encode")
    points, known = _code_points(text), _code_points(vocabulary)
    order = np.argsort(known)
    found = np.minimum(np.searchsorted(known[order], points), len(known) - 1)
    missing = np.nonzero(known[order][found] != points)[0]
    if len(missing):
        at = int(missing[0])
        raise ValueError(f"encode: text holds {text[at]!r} (at position {at}), which is not in the vocabulary")
    return order[found].astype(np.int64)


def decode(codes, vocabulary) -> str:
    """The text whose characters have these codes in ``vocabulary``; the inverse of :func:`encode`.

    Parameters
    ----------
    codes : array of int (length,)
        For one-hot rows or predicted probabilities ``(length, vocabulary)``,
        pass ``rows.argmax(-1)``.
    vocabulary : str

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Codes that are not one-dimensional integers in ``0 .. len(vocabulary)-1``.
    """
    vocabulary = _vocabulary(vocabulary, "decode")
    codes = np.asarray(codes)
    if codes.ndim != 1 or (codes.size and not np.issubdtype(codes.dtype, np.integer)):
        raise ValueError(f"decode: codes must be a one-dimensional array of integers, got {codes.dtype} "
                         f"of shape {codes.shape}")
    if codes.size and (codes.min() < 0 or codes.max() >= len(vocabulary)):
        raise ValueError(f"decode: codes must lie in 0..{len(vocabulary) - 1}, got {codes.min()}..{codes.max()}")
    return "".join(np.array(list(vocabulary))[codes.astype(np.int64)].tolist())


def char_sequences(text, length, *, step=None, seed=None, vocabulary=None):
    """Cut a text into windows of one-hot characters, each with the characters that follow.

    Window ``w`` starts at character ``s_w = w * step`` and holds ``length``
    characters; its targets are the same characters shifted by one, so
    ``y[w, t]`` is the character after ``x[w, t]`` (``text[s_w + t + 1]``): the
    next-character prediction of a character-level language model.

    Parameters
    ----------
    text : str
        For example ``load_text("macbeth")``.
    length : int
        Characters per window (time steps).
    step : int, optional
        Characters between the starts of consecutive windows; default ``length``
        (windows side by side, each character an input once). A smaller step
        overlaps them and multiplies the memory taken.
    seed : int or numpy.random.Generator, optional
        Shuffles the order of the windows. With ``None`` (the default) the windows
        stay in the order of the text, and nothing is random.
    vocabulary : str, optional
        The characters to code by, in order; default the text's own distinct
        characters, sorted. Pass the training part's vocabulary when cutting a
        held-out part.

    Returns
    -------
    x : ndarray (windows, length, len(vocabulary)) float32
        One-hot characters; ``windows = (len(text) - length - 1) // step + 1``.
    y : ndarray (windows, length, len(vocabulary)) float32
        One-hot next characters.
    vocabulary : str
        ``vocabulary[i]`` is the character of feature ``i``. :func:`decode` turns
        ``x[w].argmax(-1)`` or a network's predictions back into text.

    Raises
    ------
    ValueError
        ``text`` not a string, ``length`` or ``step`` not a positive integer, a
        text shorter than ``length + 1``, or a character missing from ``vocabulary``.

    Notes
    -----
    Memory: ``x`` and ``y`` take ``2 · windows · length · len(vocabulary) · 4`` bytes,
    about 55 MB for *Macbeth* in windows of 100 with the default step.

    Examples
    --------
    >>> from axonal.data.text import char_sequences, decode
    >>> x, y, vocabulary = char_sequences("to be or not to be", 5)
    >>> x.shape, vocabulary
    ((3, 5, 7), ' benort')
    >>> decode(x[1].argmax(-1), vocabulary), decode(y[1].argmax(-1), vocabulary)
    (' or n', 'or no')
    """
    where = "char_sequences"
    if not isinstance(text, str):
        raise ValueError(f"{where}: text must be a string, got {type(text).__name__}")
    length = _integer(length, "length", where)
    step = length if step is None else _integer(step, "step", where)
    vocabulary = "".join(sorted(set(text))) if vocabulary is None else _vocabulary(vocabulary, where)
    if len(text) < length + 1:
        raise ValueError(f"{where}: a text of {len(text)} characters is too short for one window of length "
                         f"{length} (it needs length + 1 = {length + 1} characters)")
    codes = encode(text, vocabulary)
    starts = np.arange(0, len(codes) - length, step)
    if seed is not None:
        starts = _generator(seed).permutation(starts)
    windows = codes[starts[:, None] + np.arange(length + 1)]
    return _one_hot(windows[:, :-1], len(vocabulary)), _one_hot(windows[:, 1:], len(vocabulary)), vocabulary


def sample_text(net, vocabulary: str, prompt: str, length: int, *, temperature: float = 1.0, seed=None) -> str:
    """Continue ``prompt`` with ``length`` characters drawn from a character-level network.

    ``vocabulary`` is the one the network was trained with (from
    :func:`axonal.data.char_sequences`); every prompt character must be in it.
    """
    codes = sample_sequence(net, encode(prompt, vocabulary), length, temperature=temperature, seed=seed)
    return decode(codes, vocabulary)
