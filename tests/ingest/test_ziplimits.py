"""read_member turns every way a zip member can disagree with its header into ParseError."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ingest.errors import ParseError
from ingest.ziplimits import ZipLimits, read_member
from tests.reliability.test_forged_zip import forged

LIMITS = ZipLimits(max_bytes=10**9, max_ratio=10**6)
CONTENT = b"DataSource,Commodity,Year\n" + b"MCS2024,Rare Earths,2023\n" * 5_000


def test_a_member_read_whole_is_returned_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "ok.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("member.csv", CONTENT)
    assert read_member(path, "member.csv", "ok.zip#member.csv", LIMITS) == CONTENT


def test_an_understated_size_is_a_parse_error_not_a_zipfile_error(tmp_path: Path) -> None:
    path = tmp_path / "forged.zip"
    path.write_bytes(forged({"member.csv": CONTENT}, "member.csv", 100))
    with pytest.raises(ParseError, match=r"forged\.zip#member\.csv: unreadable zip member.*CRC"):
        read_member(path, "member.csv", "forged.zip#member.csv", LIMITS)


def test_a_corrupt_deflate_stream_is_a_parse_error(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("member.csv", CONTENT)
    data = bytearray(buffer.getvalue())
    start = 30 + len("member.csv")  # the deflate stream follows the first local header
    data[start : start + 64] = bytes(range(64))
    path = tmp_path / "corrupt.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError, match="unreadable zip member"):
        read_member(path, "member.csv", "corrupt.zip#member.csv", LIMITS)
