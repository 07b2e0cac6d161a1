"""Drawing and exporting a model file: ``axonal plot`` and ``axonal export``.

``axonal export MODEL --format python|onnx|js -o FILE`` writes the model as
standalone Python (:func:`axonal.export.save_python`, the default), as ONNX
(:func:`axonal.export.save_onnx`) or as JavaScript (:func:`axonal.export.save_javascript`);
without ``-o`` the output is the model's path with the format's suffix.
"""

from __future__ import annotations

from pathlib import Path

from .output import say
from .parser import UsageError
from .use import load_model

__all__ = ["cmd_export", "cmd_plot"]


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


#: ``axonal export --format``: the suffix of the default output and the exporter, by format.
EXPORTS = {"python": (".py", "save_python"), "onnx": (".onnx", "save_onnx"), "js": (".js", "save_javascript")}


def cmd_export(args) -> int:
    from axonal import export
    fmt = getattr(args, "format", None) or "python"
    suffix, saver = EXPORTS[fmt]
    net = load_model(args.model)
    output = _output_for(args, suffix)
    getattr(export, saver)(net, output)
    say(output)
    return 0
