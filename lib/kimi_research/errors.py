"""Errors meant for a reader, not a debugger.

Both error classes render as a single clear message in Jupyter and papermill (IPython calls
``_render_traceback_`` instead of printing the stack), and as ``str(err)`` everywhere else.
"""

from __future__ import annotations


class KimiResearchError(Exception):
    """Base class: an error whose message says what is wrong and where."""

    def _render_traceback_(self) -> list[str]:  # IPython hook: no stack, just the message
        return [f"{type(self).__name__}: {line}" if i == 0 else line for i, line in enumerate(str(self).splitlines())]


class DataError(KimiResearchError):
    """A problem in a data file: names the file, line, column, value and what was expected."""

    def __init__(self, file: str, problems: list[dict] | None = None, message: str | None = None):
        self.file = file
        self.problems = problems or []
        self.message = message
        super().__init__(self._format())

    def _format(self) -> str:
        if self.message and not self.problems:
            return f"{self.file}: {self.message}"
        head = f"{self.file}: {len(self.problems)} problem(s)" + (f" ({self.message})" if self.message else "")
        lines = [head]
        for p in self.problems[:25]:
            where = f"line {p['line']}" if p.get("line") else "file"
            col = f", column '{p['column']}'" if p.get("column") else ""
            v = p.get("value")
            empty = v is None or (isinstance(v, float) and v != v) or v == ""
            val = (": empty cell" if empty else f": value {v!r}") if "value" in p else ""
            lines.append(f"  {where}{col}{val}: expected {p['expected']}")
        if len(self.problems) > 25:
            lines.append(f"  ... and {len(self.problems) - 25} more")
        return "\n".join(lines)


class ParameterError(KimiResearchError):
    """A notebook parameter with an unknown name, a wrong type or an out-of-range value."""
