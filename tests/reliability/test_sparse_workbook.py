"""A workbook that claims an absurd sheet is refused before the spreadsheet reader sizes it.

The issue's case: the published Census `country.xlsx` with one extra cell at `XFD1048576`
(16,384 columns x 1,048,576 rows) made calamine allocate ~550 GB and abort the process
(SIGABRT, exit 134, no ledger row). Each test generates that workbook from the bundled one."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ingest import pipeline
from ingest.cli import app
from ingest.errors import ParseError
from ingest.settings import Settings
from ingest.sources import census_country
from ingest.sources.base import bundled_path
from ingest.workbook import check_workbook
from ingest.ziplimits import ZipLimits
from tests.ingest.test_loader import ledger, raw_state

WORKBOOK = bundled_path("census_country", "country_xlsx_2023-01.xlsx")
FAR_CELL = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'


def with_far_cell(original: bytes = WORKBOOK.read_bytes(), cell: bytes = FAR_CELL) -> bytes:
    """The workbook with `cell` inserted before `</sheetData>` of sheet1.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", cell, 1)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_the_published_workbook_passes_its_bounds() -> None:
    check_workbook(WORKBOOK.read_bytes(), WORKBOOK.name, 5_000_000, ZipLimits(2**30, 200))


def test_one_cell_at_xfd1048576_is_refused_before_the_reader_allocates() -> None:
    with pytest.raises(ParseError, match="TRADEWATCH_XLSX_MAX_CELLS") as raised:
        check_workbook(with_far_cell(), "country.xlsx", 5_000_000, ZipLimits(2**30, 200))
    assert "row 1,048,576, column 16,384" in str(raised.value)


def test_a_cell_beyond_excels_grid_is_refused() -> None:
    beyond = b'<row r="2000000"><c r="A2000000"><v>1</v></c></row></sheetData>'
    with pytest.raises(ParseError, match="outside Excel's grid"):
        check_workbook(with_far_cell(cell=beyond), "x.xlsx", 5_000_000, ZipLimits(2**30, 200))


def test_a_sparse_workbook_given_with_file_is_refused_archived_and_ledgered(
    inbox: tuple[Settings, Path],
) -> None:
    settings, folder = inbox
    sparse = folder / "country.xlsx"
    sparse.write_bytes(with_far_cell())
    before = raw_state(settings.db_path)

    result = CliRunner().invoke(app, ["ingest", "census-country", "--file", str(sparse)])

    assert result.exit_code == 1, result.output
    assert "TRADEWATCH_XLSX_MAX_CELLS" in result.output and "Traceback" not in result.output
    assert raw_state(settings.db_path) == before
    row = ledger(settings.db_path)[-1]
    assert row["status"] == "failed"
    assert Path(row["payload_path"]).read_bytes() == sparse.read_bytes()


def test_a_sparse_workbook_answered_live_is_refused_archived_and_ledgered(
    seeded_settings: Settings,
) -> None:
    answer = with_far_cell()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=answer))
    before = raw_state(seeded_settings.db_path)

    with pytest.raises(ParseError, match="TRADEWATCH_XLSX_MAX_CELLS"):
        pipeline.ingest_source("census-country", seeded_settings, live=True, transport=transport)

    assert raw_state(seeded_settings.db_path) == before
    row = ledger(seeded_settings.db_path)[-1]
    assert row["status"] == "failed" and Path(row["payload_path"]).read_bytes() == answer


def test_a_sparse_bundled_workbook_is_refused_too(
    seeded_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sparse = tmp_path / WORKBOOK.name
    sparse.write_bytes(with_far_cell())
    monkeypatch.setattr(census_country, "BUNDLED_WORKBOOKS", (WORKBOOK.name,))
    real_bundled_path = census_country.bundled_path  # the other bundled files stay real
    monkeypatch.setattr(
        census_country,
        "bundled_path",
        lambda folder, name: (
            tmp_path / name if name == WORKBOOK.name else real_bundled_path(folder, name)
        ),
    )

    with pytest.raises(ParseError, match="TRADEWATCH_XLSX_MAX_CELLS"):
        pipeline.ingest_source("census-country", seeded_settings)

    assert ledger(seeded_settings.db_path)[-1]["status"] == "failed"
