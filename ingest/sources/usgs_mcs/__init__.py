"""USGS Mineral Commodity Summaries (MCS), rare earths: U.S. salient statistics and world mine
production and reserves, one set per annual edition.

Bundled: the MCS 2022–2024 data-release CSVs (ScienceBase) and the long-format tables in
`bundled/usgs_mcs/` (MCS 2025 from the official chapter; see PROVENANCE.md). Offline loads the
long tables first and the data-release CSVs after them, so for 2022–2024 USGS's own release files
are what the warehouse holds. Live: the same release CSVs from ScienceBase.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from ingest.errors import ParseError, TradewatchError
from ingest.http import HttpClient
from ingest.settings import Settings
from ingest.sources.base import (
    NO_REQUEST,
    Dataset,
    Parsed,
    Payload,
    Source,
    SourceRequest,
    bundled_path,
    file_payload,
)
from ingest.sources.usgs_mcs import compiled, release
from ingest.sources.usgs_mcs.csvfile import read_table
from ingest.sources.usgs_mcs.sciencebase import EDITION_ITEMS, EDITION_KINDS, KINDS, ScienceBase
from ingest.sources.usgs_mcs.tables import IMPORT_SOURCES, US_SALIENT, WORLD_PRODUCTION
from ingest.ziplimits import ZipLimits, read_member

SOURCE = "usgs-mcs"
BUNDLED = "usgs_mcs"

RELEASE_SALIENT = Dataset(SOURCE, "release_salient", (US_SALIENT,), release.parse_salient)
RELEASE_WORLD = Dataset(SOURCE, "release_world", (WORLD_PRODUCTION,), release.parse_world)
COMPILED_SALIENT = Dataset(SOURCE, "compiled_salient", (US_SALIENT,), compiled.parse_salient)
COMPILED_WORLD = Dataset(SOURCE, "compiled_world", (WORLD_PRODUCTION,), compiled.parse_world)
COMPILED_IMPORT_SOURCES = Dataset(
    SOURCE, "compiled_import_sources", (IMPORT_SOURCES,), compiled.parse_import_sources
)
RELEASE_DATASETS = {"salient": RELEASE_SALIENT, "world": RELEASE_WORLD}
# order matters: an edition loaded later replaces the same edition loaded earlier
BUNDLED_FILES = (
    (COMPILED_WORLD, "usgs_mcs_rare_earths_world_production_reserves.csv"),
    (COMPILED_SALIENT, "usgs_mcs_rare_earths_us_salient.csv"),
    (COMPILED_IMPORT_SOURCES, "usgs_mcs_us_import_sources.csv"),
    (RELEASE_WORLD, "mcs2022-raree_world.csv"),
    (RELEASE_SALIENT, "mcs2022-raree_salient.csv"),
    (RELEASE_WORLD, "mcs2023-raree_world.csv"),
    (RELEASE_SALIENT, "mcs2023-raree_salient.csv"),
    (RELEASE_WORLD, "mcs2024-raree_world.csv"),
    (RELEASE_SALIENT, "mcs2024-raree_salient.csv"),
)
HEADER_KINDS: tuple[tuple[Callable[[tuple[str, ...]], bool], Dataset], ...] = (
    (release.is_salient_header, RELEASE_SALIENT),
    (release.is_world_header, RELEASE_WORLD),
    (compiled.is_salient_header, COMPILED_SALIENT),
    (compiled.is_world_header, COMPILED_WORLD),
    (compiled.is_import_sources_header, COMPILED_IMPORT_SOURCES),
)
ZIP_MEMBER = re.compile(r"(?:^|/)mcs\d{4}-raree+_(salient|world)\.csv$", re.IGNORECASE)


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    for dataset, name in BUNDLED_FILES:
        yield file_payload(dataset, bundled_path(BUNDLED, name))


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    """One payload per edition and kind; each fetch reads the item's file list first."""
    sciencebase = ScienceBase(settings.usgs_sciencebase_url, client)
    editions = tuple(EDITION_ITEMS) if request.editions is None else request.editions
    dataset = request.dataset
    unknown = [edition for edition in editions if edition not in EDITION_ITEMS]
    if unknown:
        raise TradewatchError(
            f"unknown edition(s) {', '.join(unknown)}; known: {', '.join(EDITION_ITEMS)}"
        )
    choices = {*RELEASE_DATASETS, *(target.name for target in RELEASE_DATASETS.values())}
    if dataset is not None and dataset not in choices:
        raise TradewatchError(
            f"usgs-mcs --live has no dataset {dataset!r}; "
            f"choose one of {', '.join(sorted(choices))}"
        )
    for edition in editions:
        for kind in EDITION_KINDS.get(edition, KINDS):
            target = RELEASE_DATASETS[kind]
            if dataset is not None and dataset not in {kind, target.name}:
                continue
            yield Payload(
                target,
                sciencebase.origin(edition, kind),
                _fetcher(sciencebase, edition, kind),
                chunk=f"{edition}-{kind}",
            )


def _fetcher(sciencebase: ScienceBase, edition: str, kind: str) -> Callable[[], bytes]:
    return lambda: sciencebase.fetch(edition, kind)


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    """A data-release CSV, a long-format table, or a ScienceBase zip holding release CSVs."""
    if zipfile.is_zipfile(path):
        yield from _zip_payloads(path)
        return
    yield file_payload(dataset_for(path.read_bytes(), path.name), path)


def dataset_for(payload: bytes, origin: str) -> Dataset:
    """Which format a file is, from its header row."""
    header = read_table(payload.split(b"\n", 1)[0], origin).header
    for matches, dataset in HEADER_KINDS:
        if matches(header):
            return dataset
    raise ParseError(
        f"{origin}, row 1: not a USGS MCS rare-earths file; header is {', '.join(header)}"
    )


def _zip_payloads(path: Path) -> Iterator[Payload]:
    with zipfile.ZipFile(path) as opened:
        members = [
            (name, found.group(1).lower())
            for name in opened.namelist()
            if (found := ZIP_MEMBER.search(name))
        ]
    if not members:
        raise ParseError(f"{path.name}: no mcsYYYY-raree_salient.csv or _world.csv inside")
    for member, kind in sorted(members):
        yield Payload(RELEASE_DATASETS[kind], f"{path.name}#{member}", _member_reader(path, member))


def _member_reader(path: Path, member: str) -> Callable[[], bytes]:
    def read() -> bytes:
        return read_member(path, member, f"{path.name}#{member}", ZipLimits.from_env())

    return read


def frames(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    """Parse any supported file, whatever its kind (used by tests and notebooks)."""
    parse = dataset_for(payload, origin).parse
    assert parse is not None  # every USGS MCS file is parsed in memory
    parsed = parse(payload, origin)
    return parsed.frames if isinstance(parsed, Parsed) else parsed


USGS_MCS = Source(
    name=SOURCE,
    description="USGS Mineral Commodity Summaries, rare earths: U.S. salient statistics, "
    "world mine production and reserves, by edition",
    licence="U.S. Geological Survey, public domain (U.S. Government work)",
    datasets=(
        RELEASE_SALIENT,
        RELEASE_WORLD,
        COMPILED_SALIENT,
        COMPILED_WORLD,
        COMPILED_IMPORT_SOURCES,
    ),
    offline=offline,
    live=live,
    from_file=from_file,
)
