"""Errors raised by the file connectors.

A settlement or bank file is taken whole or rejected whole: parsers collect every bad row before
raising, so one upload shows the operator all that must be fixed, each with its line number.
"""

from __future__ import annotations

import msgspec


class RowProblem(msgspec.Struct, frozen=True, kw_only=True):
    """One reason a file was rejected: the 1-based line, the field at fault (if any) and why."""

    line: int
    field: str | None
    reason: str

    def __str__(self) -> str:
        if self.field is None:
            return f"line {self.line}: {self.reason}"
        return f"line {self.line}, field {self.field!r}: {self.reason}"


class ParseError(Exception):
    """A file could not be taken; `problems` lists every bad row, in file order."""

    def __init__(self, problems: list[RowProblem], *, filename: str | None = None) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.line)
        self.filename = filename
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" {self.filename!r}" if self.filename else ""
        header = f"cannot take file{where}: {len(self.problems)} problem(s)"
        return "\n".join([header, *(str(problem) for problem in self.problems)])
