"""What a diagnostic found: a :class:`Finding` (its kind, what was measured, the fix) and a
:class:`Report` of them, printed by :func:`axonal.diagnose` and ``axonal diagnose``.

Every check of :mod:`axonal.diagnostics` gives at most one finding of its kind per ``fit``; during
``fit`` each finding is raised once as an :class:`~axonal.advice.AxonalWarning` whose message is
``"<what was measured>; <the fix>"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Finding", "Report"]


@dataclass(frozen=True)
class Finding:
    """One problem: ``kind`` (e.g. ``"vanishing_gradient"``), ``message`` (what was measured, with
    the numbers and the threshold) and ``fix`` (what to change)."""

    kind: str
    message: str
    fix: str

    def __str__(self):
        return f"{self.message}; {self.fix}"


@dataclass
class Report:
    """The findings of :func:`axonal.diagnose`, and what was measured (``measurements``: name ->
    value, e.g. the per-layer gradient norms)."""

    findings: list = field(default_factory=list)
    measurements: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    def kinds(self) -> list:
        return [f.kind for f in self.findings]

    def __str__(self):
        lines = ["diagnosis: " + ("nothing wrong found" if self.ok else f"{len(self.findings)} problem(s)")]
        for f in self.findings:
            lines.append(f"- {f.kind}: {f}")
        if self.measurements:
            lines.append("measured:")
            for name, value in self.measurements.items():
                lines.append(f"  {name}: {_show(value)}")
        return "\n".join(lines)


def _show(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join("-" if v is None else _show(v) for v in value) + "]"
    return str(value)
