"""What a live Comtrade pull asks for: queries by reporter, partner, products and periods,
split in halves when the API truncates an answer."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date

from ingest.errors import TradewatchError

TURKEY, USA = "792", "842"


@dataclass(frozen=True)
class Query:
    name: str  # "basket" or "totals"
    freq: str  # "A" or "M"
    reporter: str
    partner: str | None  # None: every partner (World included)
    cmds: tuple[str, ...]
    periods: tuple[str, ...]
    flows: tuple[str, ...] = ("M", "X")

    def params(self, max_records: int) -> dict[str, str]:
        params = {
            "reporterCode": self.reporter,
            "period": ",".join(self.periods),
            "cmdCode": ",".join(self.cmds),
            "flowCode": ",".join(self.flows),
            # pinned totals: breakdowns would double count when summed
            "partner2Code": "0",
            "customsCode": "C00",
            "motCode": "0",
            "maxRecords": str(max_records),
            "includeDesc": "true",
        }
        if self.partner is not None:
            params["partnerCode"] = self.partner
        return params

    def chunk(self) -> str:
        partner = self.partner or "all"
        return (
            f"{self.name}|{self.freq}|{self.reporter}|{partner}|"
            f"{','.join(self.cmds)}|{','.join(self.flows)}|{','.join(self.periods)}"
        )

    def split(self) -> list[Query]:
        """Halve a truncated request: by period first, then commodity, then flow."""
        for field_name in ("periods", "cmds", "flows"):
            values = getattr(self, field_name)
            if len(values) > 1:
                middle = len(values) // 2
                return [
                    dataclasses.replace(self, **{field_name: values[:middle]}),
                    dataclasses.replace(self, **{field_name: values[middle:]}),
                ]
        return []


def default_queries(
    freq: str, periods: list[str], basket: tuple[str, ...], per_call: int
) -> list[Query]:
    chunks = [
        tuple(periods[start : start + per_call]) for start in range(0, len(periods), per_call)
    ]
    queries = []
    for chunk in chunks:
        for reporter in (TURKEY, USA):
            queries.append(Query("basket", freq, reporter, None, basket, chunk))
        queries.append(Query("totals", freq, TURKEY, USA, ("TOTAL",), chunk))
        queries.append(Query("totals", freq, USA, TURKEY, ("TOTAL",), chunk))
    return queries


def periods_for(freq: str, from_month: str | None, to_month: str | None, today: date) -> list[str]:
    """Annual: years; monthly: YYYYMM. Defaults: the last five complete years."""
    first = _month(from_month, "--from") if from_month else (today.year - 5, 1)
    last = _month(to_month, "--to") if to_month else (today.year - 1, 12)
    if first > last:
        raise TradewatchError(f"--from {from_month} is after --to {to_month}")
    if freq == "A":
        return [str(year) for year in range(first[0], last[0] + 1)]
    months = []
    year, month = first
    while (year, month) <= last:
        months.append(f"{year}{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month(text: str, option: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text.strip())
    if not match or not 1 <= int(match.group(2) or 1) <= 12:
        raise TradewatchError(f"{option} takes YYYY or YYYY-MM, got {text!r}")
    return int(match.group(1)), int(match.group(2) or 1)
