from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from ingest.deals_register import FILE_NAMES, bundle, read_folder, read_path, unbundle
from ingest.deals_register.files import COLUMNS, render
from ingest.errors import ParseError
from ingest.settings import DEFAULT_DEALS_DIR
from tests.ingest.deals_register.cases import copy_register, read_rows


def test_the_same_register_bundles_to_the_same_bytes(tmp_path: Path) -> None:
    folder = copy_register(tmp_path / "deals")
    assert bundle(read_folder(folder)) == bundle(read_folder(DEFAULT_DEALS_DIR))


def test_the_bundle_holds_each_file_byte_for_byte() -> None:
    files = read_folder(DEFAULT_DEALS_DIR)
    payload = bundle(files)
    with zipfile.ZipFile(BytesIO(payload)) as archive:
        assert archive.namelist() == list(FILE_NAMES)
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    assert unbundle(payload, "register.zip") == files


def test_a_register_is_read_from_its_folder_a_csv_in_it_or_a_zip(tmp_path: Path) -> None:
    expected = read_folder(DEFAULT_DEALS_DIR)
    archive = tmp_path / "register.zip"
    archive.write_bytes(bundle(expected))
    assert read_path(DEFAULT_DEALS_DIR) == expected
    assert read_path(DEFAULT_DEALS_DIR / "deal_events.csv") == expected
    assert read_path(archive) == expected


def test_not_a_register_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(ParseError, match="not a deals register"):
        read_path(other)
    with pytest.raises(ParseError, match="not a register zip"):
        unbundle(b"deal_id,announced_on\n", "deals.csv")


@pytest.mark.parametrize("name", FILE_NAMES)
def test_the_bundled_files_are_in_the_register_layout(name: str) -> None:
    """What `tradewatch deals` writes is what is committed: edits diff only their rows."""
    content = (DEFAULT_DEALS_DIR / name).read_bytes()
    assert render(COLUMNS[name], read_rows(DEFAULT_DEALS_DIR, name)) == content
