"""The ``axonal`` command: train, evaluate, predict, inspect, diagnose, draw and export models from a shell.

``axonal train`` with no arguments trains the default network on the bundled
handwritten digits, shows progress, prints the test accuracy and confusion
matrix, and writes ``model.axonal`` (and ``model_loss.png`` when matplotlib is
installed). Every option can also come from a TOML file (``--config``), whose keys
are the option names with ``_`` for ``-``; options on the command line win.

Every bad argument or file ends in a one-line error and exit status 2, never a
traceback. The CLI uses only axonal's public API.

==========  ===================================================================
module      what it holds
==========  ===================================================================
parser      the commands, their options and defaults
options     ``train``'s options from the command line and TOML, checked
train       ``axonal train`` on a table
tasks       ``axonal train --task``: the ready-made sequence-task runs
use         ``evaluate``, ``predict``, ``info``
diagnose    ``diagnose``: :func:`axonal.diagnose`'s report on a model and data
draw        ``plot``, ``export``
output      terminal-safe printing
==========  ===================================================================
"""

from __future__ import annotations

import sys

from .diagnose import cmd_diagnose
from .draw import cmd_export, cmd_plot
from .output import one_line
from .parser import EXIT_USAGE, UsageError, build_parser
from .train import cmd_train
from .use import cmd_evaluate, cmd_info, cmd_predict

__all__ = ["main", "build_parser"]


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        return {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict,
                "info": cmd_info, "plot": cmd_plot, "export": cmd_export,
                "diagnose": cmd_diagnose}[args.command](args)
    except UsageError as exc:
        print(f"axonal: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("axonal: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `axonal info m.axonal | head -2`
        sys.stderr.close()
        return 0
    except MemoryError:
        print("axonal: error: out of memory (is the network or the data too large?)", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, ImportError, FloatingPointError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        if isinstance(exc, OSError) and exc.filename:
            message = f"{exc.filename}: {exc.strerror or exc}"
        print(f"axonal: error: {one_line(message)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug of ours: still one line, with what to report
        print(f"axonal: error: unexpected {one_line(type(exc).__name__)}: {one_line(exc)} (please report this)",
              file=sys.stderr)
        return EXIT_USAGE
