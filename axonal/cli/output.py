"""What the command shows: every line escaped for the terminal, messages on one line."""

from __future__ import annotations

from ..names import printable

__all__ = ["say", "one_line", "maybe_plot"]


def one_line(message) -> str:
    """A message on one line, control characters escaped and at most 500 characters long."""
    return printable(" ".join(str(message).split()), limit=500)


def say(*parts, file=None, limit: int | None = None) -> None:
    """``print`` for everything the command shows: each line with its control characters,
    escape sequences and lone surrogates escaped (:func:`axonal.names.printable`)."""
    text = " ".join(str(part) for part in parts)
    print("\n".join(printable(line, limit) for line in text.split("\n")), file=file)


def maybe_plot(history, o):
    if o["no_plot"] or not o["plot"]:
        return
    from axonal import plotting
    if not plotting.matplotlib_available():
        say('(no loss plot: pip install "axonal[plot]" to get one)')
        return
    plotting.plot_history(history, o["plot"], title="axonal train")
    say(f"loss curves written to {o['plot']}")
