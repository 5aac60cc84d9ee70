"""A zip whose headers understate a member's size (the local header and the central
directory say 1,000 bytes; the deflate stream expands to megabytes). The declared sizes pass
the zip-bomb check, so what stops it is the extraction: zipfile stops at the declared size
and the CRC-32 no longer matches, and the load is refused like any unreadable file."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest import pipeline
from ingest.cli import app
from ingest.errors import ParseError
from ingest.settings import Settings
from ingest.sources.base import bundled_path
from ingest.ziplimits import ZipLimits, check_members, copy_member
from tests.ingest.test_loader import ledger, raw_state

DECLARED = 1_000
YEAR_MEMBER = "BACI_HS22_Y2022_V202601.csv"
COUNTRIES = bundled_path("baci", "country_codes_V202601.csv").read_bytes()
USGS_MEMBER = "mcs2024-raree_salient.csv"
# 4 MiB of real-looking rows: far more than the header admits
BIG_YEAR = b"t,i,j,k,v,q\n" + b"2022,792,842,850511,1.0,2\n" * 160_000


def forged(members: dict[str, bytes], name: str, size: int, *, crc: int | None = None) -> bytes:
    """A real deflated zip, then `name`'s uncompressed size (and optionally its CRC-32)
    rewritten in both its local header and its central-directory entry."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        for member, content in members.items():
            packed.writestr(member, content)
    data = bytearray(buffer.getvalue())
    encoded = name.encode()
    local = data.find(b"PK\x03\x04")
    while data[local + 30 : local + 30 + len(encoded)] != encoded:
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(encoded)] != encoded:
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, local + 22, size)  # local header: uncompressed size
    struct.pack_into("<I", data, central + 24, size)  # central directory: uncompressed size
    if crc is not None:
        struct.pack_into("<I", data, local + 14, crc)
        struct.pack_into("<I", data, central + 16, crc)
    return bytes(data)


def test_the_forged_headers_say_small_and_pass_the_declared_size_check() -> None:
    content = forged({YEAR_MEMBER: BIG_YEAR}, YEAR_MEMBER, DECLARED)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(YEAR_MEMBER)
        assert info.file_size == DECLARED  # the central directory lies
        check_members(archive, [YEAR_MEMBER], "forged.zip", ZipLimits(10**9, 200))
        with archive.open(YEAR_MEMBER) as reader, pytest.raises(zipfile.BadZipFile, match="CRC"):
            reader.read()


def test_a_baci_release_with_a_forged_member_size_is_refused_and_nothing_changes(
    inbox: tuple[Settings, Path],
) -> None:
    settings, folder = inbox
    path = folder / "BACI_HS22_V202601.zip"
    path.write_bytes(
        forged(
            {YEAR_MEMBER: BIG_YEAR, "country_codes_V202601.csv": COUNTRIES},
            YEAR_MEMBER,
            DECLARED,
        )
    )
    before_rows, before_ledger = raw_state(settings.db_path), ledger(settings.db_path)

    result = CliRunner().invoke(app, ["ingest", "baci", "--file", str(path)])

    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    assert "error:" in message and "Bad CRC-32" in message and YEAR_MEMBER in message
    assert raw_state(settings.db_path) == before_rows
    new = ledger(settings.db_path)[len(before_ledger) :]
    assert [entry["status"] for entry in new] == ["failed"]
    assert "Bad CRC-32" in new[0]["error"]
    archived = Path(new[0]["payload_path"])
    assert archived.read_bytes() == path.read_bytes()  # kept byte-exact for inspection
    assert not list(settings.landing_dir.rglob(".baci-*"))  # no scratch extraction left
    assert not list(settings.landing_dir.rglob("*.partial"))


def test_a_usgs_zip_with_a_forged_member_size_is_refused_and_nothing_changes(
    inbox: tuple[Settings, Path],
) -> None:
    settings, folder = inbox
    real = bundled_path("usgs_mcs", USGS_MEMBER).read_bytes()
    padded = real + b"," * 22 * 100_000 + b"\n"  # comma-only spacer lines are legal: 2 MB
    path = folder / "salient.zip"
    path.write_bytes(forged({USGS_MEMBER: padded}, USGS_MEMBER, DECLARED))
    before_rows, before_ledger = raw_state(settings.db_path), ledger(settings.db_path)

    with pytest.raises(ParseError, match="Bad CRC-32") as raised:
        pipeline.ingest_source("usgs-mcs", settings, file=path)

    assert raised.value.exit_code == 1
    assert f"salient.zip#{USGS_MEMBER}" in str(raised.value)
    assert raw_state(settings.db_path) == before_rows
    new = ledger(settings.db_path)[len(before_ledger) :]
    assert [(entry["dataset"], entry["status"]) for entry in new] == [("release_salient", "failed")]
    # the member could not be read, so there is no payload to archive and nothing half-written
    assert not list(settings.landing_dir.rglob("*.partial"))
    assert not list((settings.landing_dir / "usgs-mcs").rglob("*.csv"))


def test_a_usgs_zip_with_a_forged_size_exits_1_with_one_line(
    inbox: tuple[Settings, Path],
) -> None:
    _, folder = inbox
    real = bundled_path("usgs_mcs", USGS_MEMBER).read_bytes()
    path = folder / "salient.zip"
    path.write_bytes(forged({USGS_MEMBER: real}, USGS_MEMBER, 100))

    result = CliRunner().invoke(app, ["ingest", "usgs-mcs", "--file", str(path)])

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "unreadable zip member" in " ".join(result.output.split())


def test_a_forged_size_with_a_matching_crc_extracts_only_the_declared_bytes() -> None:
    """The forger also rewrites the CRC to the first 1,000 bytes': zipfile reads those and
    stops, so extraction is still bounded by the header, never by the deflate stream."""
    content = forged(
        {YEAR_MEMBER: BIG_YEAR}, YEAR_MEMBER, DECLARED, crc=zlib.crc32(BIG_YEAR[:DECLARED])
    )
    written = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(YEAR_MEMBER) as reader:
        count = copy_member(reader, written, "forged.zip", ZipLimits(10**9, 200))
    assert count == DECLARED
    assert written.getvalue() == BIG_YEAR[:DECLARED]
