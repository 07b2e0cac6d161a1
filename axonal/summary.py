"""The summary table of a network: its layers, their output shapes and parameter counts."""

from __future__ import annotations

__all__ = ["summary_table"]


def summary_table(net) -> str:
    """Rows ``#, layer (with its activation), output shape (batch, ...), parameters`` and the total,
    under a line naming the network, its input shape and dtype (``time`` for a free time axis)."""
    rows = [("#", "layer", "output shape", "parameters")]
    for i, layer in enumerate(net.layers):
        act = getattr(layer, "activation", None)
        label = layer.describe() + (f" {act.name}" if act is not None else "")
        rows.append((str(i), label, "(batch, " + ", ".join(_dims(layer.output_shape)) + ")",
                     f"{layer.count_parameters():,}"))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines = [f"{net.name or 'Sequential'}: {len(net.layers)} layers, input (batch, "
             + ", ".join(_dims(net.input_shape)) + f"), {net.dtype}"]
    for r in rows:
        lines.append("  ".join([r[0].rjust(widths[0]), r[1].ljust(widths[1]),
                                r[2].ljust(widths[2]), r[3].rjust(widths[3])]))
    lines.append(f"Total parameters: {net.count_parameters():,}")
    return "\n".join(lines)


def _dims(shape) -> list[str]:
    return ["time" if d is None else str(d) for d in shape]
