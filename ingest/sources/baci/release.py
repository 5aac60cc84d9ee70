"""A native BACI release, streamed into DuckDB: the zip's country table and year members
are extracted one at a time next to the archive and read by DuckDB's `read_csv`, filtered
to the products asked for; nothing of the file is held in Python memory."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from ingest.csvlimits import duckdb_options, read_line
from ingest.errors import ParseError
from ingest.sources.baci.tables import (
    COUNTRY_CODES,
    COUNTRY_MEMBER,
    TRADE_FLOWS,
    TRADE_HEADER,
    TRADE_MEMBER,
    basename,
    country_columns,
    matched,
)
from ingest.sources.base import Sink
from ingest.ziplimits import ZipLimits, check_members, copy_member


def stage_release(path: Path, origin: str, sink: Sink, *, codes: tuple[str, ...] | None) -> None:
    """A release zip: the country table, then every year member, one at a time."""
    limits = ZipLimits.from_env()
    with zipfile.ZipFile(path) as archive:
        trade, country = _release_members(archive, origin)
        check_members(archive, [country, *trade], origin, limits)
        with tempfile.TemporaryDirectory(prefix=".baci-", dir=path.parent) as scratch:
            country_path = _extract(archive, country, Path(scratch), origin, limits)
            sink(COUNTRY_CODES.name, *_country_select(country_path, origin, country))
            country_path.unlink()
            for member in trade:
                with archive.open(member) as reader:
                    check_trade_header(read_line(reader, f"{origin}: {member}"), origin, member)
                member_path = _extract(archive, member, Path(scratch), origin, limits)
                sink(TRADE_FLOWS.name, *_trade_select(member_path, basename(member), codes))
                member_path.unlink()


def stage_release_year(
    path: Path, origin: str, sink: Sink, *, codes: tuple[str, ...] | None
) -> None:
    """One year's CSV already taken out of a release (named as in the zip)."""
    name = basename(origin)
    if not TRADE_MEMBER.match(name):
        raise ParseError(
            f"{origin}: a BACI year file must keep its release name, "
            "e.g. BACI_HS22_Y2022_V202601.csv (it names the release)"
        )
    with open(path, "rb") as handle:
        check_trade_header(read_line(handle, origin), origin, name)
    sink(TRADE_FLOWS.name, *_trade_select(path, name, codes))


def _release_members(archive: zipfile.ZipFile, origin: str) -> tuple[list[str], str]:
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    trade = sorted(name for name in names if TRADE_MEMBER.match(basename(name)))
    countries = [name for name in names if COUNTRY_MEMBER.match(basename(name))]
    if not trade:
        raise ParseError(
            f"{origin}: no BACI_HSnn_Yyyyy_Vyyyymm.csv member; found "
            f"{', '.join(names[:8]) or 'nothing'}"
        )
    if len(countries) != 1:
        raise ParseError(
            f"{origin}: expected one country_codes_V*.csv member, found {len(countries)}"
        )
    releases = {matched(TRADE_MEMBER, name).group(3) for name in trade}
    revisions = {matched(TRADE_MEMBER, name).group(1) for name in trade}
    country_release = matched(COUNTRY_MEMBER, countries[0]).group(1)
    if len(releases) != 1 or len(revisions) != 1 or releases != {country_release}:
        raise ParseError(
            f"{origin}: members from more than one release: "
            f"{sorted(releases | {country_release})}, {sorted(revisions)}"
        )
    return trade, countries[0]


def _extract(
    archive: zipfile.ZipFile, member: str, folder: Path, origin: str, limits: ZipLimits
) -> Path:
    target = folder / basename(member)
    with archive.open(member) as reader, open(target, "wb") as writer:
        copy_member(reader, writer, origin, limits)
    return target


def check_trade_header(line: bytes, origin: str, member: str) -> None:
    header = tuple(
        field.strip().strip('"')
        for field in line.decode("utf-8-sig", errors="replace").strip().split(",")
    )
    if header != TRADE_HEADER:
        raise ParseError(
            f"{origin}: {member}, line 1: header {','.join(header)[:120]!r}; "
            f"expected {','.join(TRADE_HEADER)}"
        )


def _trade_select(
    csv_path: Path, member: str, codes: tuple[str, ...] | None
) -> tuple[str, list[object]]:
    match = TRADE_MEMBER.match(member)
    assert match is not None
    revision, _, vintage = match.groups()
    reader = (
        f"read_csv({_literal(csv_path)}, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', nullstr = '', {duckdb_options()}, "
        "columns = {'t': 'INTEGER', "
        "'i': 'VARCHAR', 'j': 'VARCHAR', 'k': 'VARCHAR', 'v': 'DOUBLE', 'q': 'VARCHAR'})"
    )
    params: list[object] = [vintage, revision]
    where = ""
    if codes is not None:
        where = "where list_contains(?::varchar[], lpad(k, 6, '0'))"
        params.append(list(codes))
    # BACI writes a missing quantity as NA (padded with spaces in some releases)
    select = (
        "select ?::varchar as vintage, ?::varchar as hs_revision, t, i, j, k, v, "
        "case when trim(q) in ('', 'NA') then null else cast(trim(q) as double) end as q "
        f"from {reader} {where}"
    )
    return select, params


def _country_select(csv_path: Path, origin: str, member: str) -> tuple[str, list[object]]:
    with open(csv_path, "rb") as handle:
        header = [
            field.strip().strip('"')
            for field in read_line(handle, f"{origin}: {member}")
            .decode("utf-8-sig", errors="replace")
            .strip()
            .split(",")
        ]
    chosen = country_columns(header, origin, member)
    vintage = matched(COUNTRY_MEMBER, member).group(1)
    picked = ", ".join(
        f"nullif(trim(\"{source}\"), '') as {column}" for column, source in chosen.items()
    )
    select = (
        f"select ?::varchar as vintage, {picked} from read_csv({_literal(csv_path)}, "
        f"header = true, all_varchar = true, delim = ',', quote = '\"', {duckdb_options()})"
    )
    return select, [vintage]


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
