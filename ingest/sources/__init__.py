"""The source registry: CLI names → source definitions. The CLI, loader and tests look here."""

from __future__ import annotations

from ingest.sources.baci import BACI
from ingest.sources.base import Source
from ingest.sources.census_country import CENSUS_COUNTRY
from ingest.sources.comtrade import COMTRADE
from ingest.sources.reference import REFERENCE
from ingest.sources.turkstat import TURKSTAT

# build order: reference lists first, then the trade sources that refer to them
SOURCES: dict[str, Source] = {
    source.name: source for source in (REFERENCE, CENSUS_COUNTRY, BACI, COMTRADE, TURKSTAT)
}


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(SOURCES)
        raise KeyError(f"unknown source {name!r}; known sources: {known}") from None
