"""What validation reports: every problem names its file, row, deal and field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.errors import ParseError


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # line in the file; the header is line 1
    deal_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.deal_id:
            where.append(f"deal {self.deal_id}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}"


class RegisterInvalid(ParseError):
    """A register version broke at least one rule; nothing of it was loaded or written."""

    def __init__(self, origin: str, problems: Sequence[Problem]) -> None:
        self.origin = origin
        self.problems = tuple(problems)
        listed = "; ".join(str(problem) for problem in self.problems)
        super().__init__(
            f"{origin}: the deals register has {len(self.problems)} problem(s): {listed}"
        )
