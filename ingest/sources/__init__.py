"""The source registry: CLI names → source definitions. The CLI, loader and tests look here."""

from __future__ import annotations

from ingest.sources.baci import BACI
from ingest.sources.base import Source
from ingest.sources.beylikova import BEYLIKOVA
from ingest.sources.census_country import CENSUS_COUNTRY
from ingest.sources.census_hs import CENSUS_HS
from ingest.sources.comtrade import COMTRADE
from ingest.sources.deals import DEALS_SOURCE
from ingest.sources.reference import REFERENCE
from ingest.sources.turkstat import TURKSTAT
from ingest.sources.usatradeonline import USATRADEONLINE
from ingest.sources.usgs_mcs import USGS_MCS

# build order: reference lists first, then the trade sources that refer to them
SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        REFERENCE,
        CENSUS_COUNTRY,
        CENSUS_HS,
        USATRADEONLINE,
        USGS_MCS,
        BEYLIKOVA,
        DEALS_SOURCE,
        BACI,
        COMTRADE,
        TURKSTAT,
    )
}


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(SOURCES)
        raise KeyError(f"unknown source {name!r}; known sources: {known}") from None
