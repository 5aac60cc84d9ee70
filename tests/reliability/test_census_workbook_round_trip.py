"""A generated Census `country.xlsx` (the published layout: one sheet `country`, a header of
year, CTY_CODE, CTYNAME, twelve import months, IYR, twelve export months, EYR; unpublished
months written as 0) parses with every published value unchanged, in whatever column order
the header gives, and the vintage is the World row's newest non-zero month."""

from __future__ import annotations

import io
import random
import zipfile
from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.sources.census_country import (
    ANNUAL_TOTALS,
    MONTHLY_FLOWS,
    MONTHS,
    WORKBOOK_COLUMNS,
    WORLD_NSA_CODE,
    parse_workbook,
)

NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"

# millions of USD with at most one decimal, as the workbook publishes them
values = st.tuples(st.integers(0, 999_999), st.integers(0, 9)).map(lambda p: p[0] + p[1] / 10)
codes = st.from_regex(r"[0-9]{4}", fullmatch=True).filter(lambda code: code != WORLD_NSA_CODE)
names = st.lists(
    st.sampled_from(["Türkiye", "Côte d'Ivoire", "Korea, South", "A & B", "<Area>", "中国"])
    | st.text(st.characters(categories=("L", "N")), min_size=1, max_size=10),
    min_size=1,
    max_size=3,
).map(" ".join)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell(reference: str, value: str | float) -> str:
    if isinstance(value, str):
        return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{reference}"><v>{value!r}</v></c>'


def workbook(header: list[str], rows: list[dict[str, str | float]]) -> bytes:
    """The smallest xlsx Excel writes for one sheet: text as inline strings, numbers as
    numbers."""
    lines = [header, *([row[name] for name in header] for row in rows)]
    sheet_rows = "".join(
        f'<row r="{number}">'
        + "".join(cell(f"{column_letter(i)}{number}", v) for i, v in enumerate(line))
        + "</row>"
        for number, line in enumerate(lines, start=1)
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{SPREADSHEET}.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{NAMESPACE}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            '<sheet name="country" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{NAMESPACE}"><sheetData>{sheet_rows}</sheetData></worksheet>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + xml)
    return buffer.getvalue()


@st.composite
def census_workbooks(draw: st.DrawFn) -> tuple[list[str], list[dict[str, str | float]], int, int]:
    first = draw(st.integers(1985, 2030))
    years = list(range(first, first + draw(st.integers(1, 3))))
    last_month = draw(st.integers(1, 12))
    partners = draw(
        st.lists(st.tuples(codes, names), min_size=1, max_size=4, unique_by=lambda p: p[0])
    )
    rows = []
    for year in years:
        for code, name in [(WORLD_NSA_CODE, "World, not seasonally adjusted"), *partners]:
            row: dict[str, str | float] = {"year": str(year), "CTY_CODE": code, "CTYNAME": name}
            for column in WORKBOOK_COLUMNS[3:]:
                month = MONTHS.index(column[1:]) + 1 if column[1:] in MONTHS else None
                unpublished = year == years[-1] and month is not None and month > last_month
                row[column] = 0.0 if unpublished else draw(values)
            rows.append(row)
    world_last = next(r for r in reversed(rows) if r["CTY_CODE"] == WORLD_NSA_CODE)
    world_last[f"I{MONTHS[last_month - 1]}"] = draw(values.filter(bool))
    header = list(WORKBOOK_COLUMNS)
    random.Random(draw(st.integers(0, 2**16))).shuffle(header)  # read by header, not position
    return header, rows, years[-1], last_month


@settings(max_examples=25, deadline=None)
@given(census_workbooks())
def test_a_generated_census_workbook_parses_with_every_value_unchanged(
    generated: tuple[list[str], list[dict[str, str | float]], int, int],
) -> None:
    header, rows, last_year, last_month = generated
    frames = parse_workbook(workbook(header, rows), "country.xlsx")
    vintage = f"{last_year}-{last_month:02d}"

    monthly = {
        (r["year"], r["census_code"], r["partner_name"], r["flow"], r["month"]): r["value_musd"]
        for r in frames[MONTHLY_FLOWS.name].iter_rows(named=True)
    }
    annual = {
        (r["year"], r["census_code"], r["partner_name"], r["flow"]): r["value_musd"]
        for r in frames[ANNUAL_TOTALS.name].iter_rows(named=True)
    }
    expected_monthly, expected_annual = {}, {}
    for row in rows:
        year, key = int(row["year"]), (row["CTY_CODE"], row["CTYNAME"])
        for prefix, flow in (("I", "import"), ("E", "export")):
            expected_annual[(year, *key, flow)] = row[f"{prefix}YR"]
            for month, name in enumerate(MONTHS, start=1):
                if year < last_year or month <= last_month:
                    expected_monthly[(year, *key, flow, month)] = row[prefix + name]
    assert monthly == expected_monthly
    assert annual == expected_annual
    assert set(frames[MONTHLY_FLOWS.name]["vintage"]) == {vintage}
    assert set(frames[ANNUAL_TOTALS.name]["vintage"]) == {vintage}
    assert not any(frames[MONTHLY_FLOWS.name]["is_rounded"])
