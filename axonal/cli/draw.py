"""Drawing and exporting a model file: ``axonal plot`` and ``axonal export``."""

from __future__ import annotations

from pathlib import Path

from .output import say
from .parser import UsageError
from .use import load_model

__all__ = ["cmd_plot", "cmd_export"]


def _output_for(args, suffix) -> str:
    """``--output``, or the model's path with ``suffix``; never the model file itself."""
    output = args.output or str(Path(args.model).with_suffix(suffix))
    if Path(output).resolve() == Path(args.model).resolve():
        raise UsageError(f"--output {output} is the model file; choose another name")
    if Path(output).is_dir():
        raise UsageError(f"--output {output} is a directory; give a file name")
    return output


def cmd_plot(args) -> int:
    from axonal import export
    net = load_model(args.model)
    output = _output_for(args, f".{args.format}")
    export.save_diagram(net, output, format=args.format)
    say(output)
    return 0


def cmd_export(args) -> int:
    from axonal import export
    net = load_model(args.model)
    output = _output_for(args, ".py")
    export.save_python(net, output)
    say(output)
    return 0
