"""UN Comtrade API v1: goods trade as each country reports it, annual and monthly, at HS.

https://comtradeapi.un.org — the keyed data endpoint (`/data/v1/get/C/{A|M}/HS`, key in the
`Ocp-Apim-Subscription-Key` header, never in a URL) or, without a key, the public preview
endpoint (`/public/v1/preview/...`, 500 records a call, one period a call). Default live
queries: Türkiye (792) and the United States (842) against all partners for the rare-earth
basket, and Türkiye–U.S. totals reported by each side (the mirror of the Census view).

UN Comtrade's terms restrict redistributing its data: nothing is bundled and `offline()`
yields nothing. Every pull is a vintage (its UTC retrieval date). Each query is a chunk: a
rerun after the daily call limit or an error fetches only the chunks the ledger does not have
as loaded; `--refresh` fetches them all again, as a new vintage.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from ingest import warehouse
from ingest.csvlimits import read_csv
from ingest.errors import AuthenticationError, ParseError, SourceUnavailable, TradewatchError
from ingest.http import JSON, RetryPolicy, documented_body, get, redact
from ingest.quality import ExpectationOutcome
from ingest.settings import Settings
from ingest.sources.base import Dataset, Parsed, Payload, RawTable, Source, file_payload

SOURCE = "comtrade"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
PREVIEW_MAX_RECORDS = 500
MAX_PERIODS_PER_CALL = 12  # comtradr refuses more; the API's URL length is the real bound
TURKEY, USA = "792", "842"
DUPLICATES_REMOVED = "exact_duplicate_records_removed"

# API field → raw column, in the API's order. Codes are text; `mosCode` is a string even in
# JSON while `motCode` is a number: both are stored as text.
FIELDS: tuple[tuple[str, str, type[pl.DataType]], ...] = (
    ("typeCode", "type_code", pl.String),
    ("freqCode", "freq_code", pl.String),
    ("refPeriodId", "ref_period_id", pl.Int32),
    ("refYear", "ref_year", pl.Int32),
    ("refMonth", "ref_month", pl.Int32),
    ("period", "period", pl.String),
    ("reporterCode", "reporter_code", pl.String),
    ("reporterISO", "reporter_iso", pl.String),
    ("reporterDesc", "reporter_desc", pl.String),
    ("flowCode", "flow_code", pl.String),
    ("flowDesc", "flow_desc", pl.String),
    ("partnerCode", "partner_code", pl.String),
    ("partnerISO", "partner_iso", pl.String),
    ("partnerDesc", "partner_desc", pl.String),
    ("partner2Code", "partner2_code", pl.String),
    ("partner2ISO", "partner2_iso", pl.String),
    ("partner2Desc", "partner2_desc", pl.String),
    ("classificationCode", "classification_code", pl.String),
    ("classificationSearchCode", "classification_search_code", pl.String),
    ("isOriginalClassification", "is_original_classification", pl.Boolean),
    ("cmdCode", "cmd_code", pl.String),
    ("cmdDesc", "cmd_desc", pl.String),
    ("aggrLevel", "aggr_level", pl.Int32),
    ("isLeaf", "is_leaf", pl.Boolean),
    ("customsCode", "customs_code", pl.String),
    ("customsDesc", "customs_desc", pl.String),
    ("mosCode", "mos_code", pl.String),
    ("motCode", "mot_code", pl.String),
    ("motDesc", "mot_desc", pl.String),
    ("qtyUnitCode", "qty_unit_code", pl.String),
    ("qtyUnitAbbr", "qty_unit_abbr", pl.String),
    ("qty", "qty", pl.Float64),
    ("isQtyEstimated", "is_qty_estimated", pl.Boolean),
    ("altQtyUnitCode", "alt_qty_unit_code", pl.String),
    ("altQtyUnitAbbr", "alt_qty_unit_abbr", pl.String),
    ("altQty", "alt_qty", pl.Float64),
    ("isAltQtyEstimated", "is_alt_qty_estimated", pl.Boolean),
    ("netWgt", "net_wgt", pl.Float64),
    ("isNetWgtEstimated", "is_net_wgt_estimated", pl.Boolean),
    ("grossWgt", "gross_wgt", pl.Float64),
    ("isGrossWgtEstimated", "is_gross_wgt_estimated", pl.Boolean),
    ("cifvalue", "cif_value", pl.Float64),
    ("fobvalue", "fob_value", pl.Float64),
    ("primaryValue", "primary_value", pl.Float64),
    ("legacyEstimationFlag", "legacy_estimation_flag", pl.Int32),
    ("isReported", "is_reported", pl.Boolean),
    ("isAggregate", "is_aggregate", pl.Boolean),
)
NATURAL_KEY = (
    "freq_code",
    "period",
    "reporter_code",
    "flow_code",
    "partner_code",
    "partner2_code",
    "cmd_code",
    "customs_code",
    "mot_code",
    "classification_code",
)

RECORDS = RawTable(
    name="raw_comtrade.records",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "layout": pl.String,
            **{column: dtype for _, column, dtype in FIELDS},
        }
    ),
    replace_key=("vintage", *NATURAL_KEY),
    description="One row per pull (vintage) and Comtrade record, every field as published; "
    "exact duplicate records are removed (and counted) before loading.",
)


# --- parsing: API JSON bodies, API CSV files, and the atlas's trimmed CSV ---


def parse_response(payload: bytes, origin: str, *, vintage: str) -> Parsed:
    """A response body `{"elapsedTime", "count", "data": [...], "error"}`."""
    try:
        body = json.loads(payload)
    except ValueError as error:
        raise ParseError(f"{origin}: not JSON: {error}") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ParseError(f"{origin}: no `data` list in the response")
    if body.get("error"):
        raise ParseError(f"{origin}: the response reports an error: {body['error']}")
    strings = _strings_from_records(body["data"], origin)
    return _finish(strings, origin, vintage=vintage, layout="api", where="data[{}]", first=0)


def parse_api_csv(payload: bytes, origin: str, *, vintage: str) -> Parsed:
    """The API's CSV format (same field names); columns a downloader appended are ignored."""
    frame = _read_csv(payload, origin)
    lowered = {column.lower(): column for column in frame.columns}
    missing = [api for api, _, _ in FIELDS if api.lower() not in lowered]
    if missing:
        raise ParseError(f"{origin}, row 1: missing Comtrade field(s) {', '.join(missing)}")
    strings = frame.select(pl.col(lowered[api.lower()]).alias(column) for api, column, _ in FIELDS)
    return _finish(strings, origin, vintage=vintage, layout="api", where="row {}", first=2)


ATLAS_COLUMNS = {
    "reporter": "reporter_code",
    "partner": "partner_code",
    "cmd": "cmd_code",
    "flow": "flow_code",
    "value": "primary_value",
    "netwgt": "net_wgt",
    "qty": "qty",
    "qtyunit": "qty_unit_code",
}
ATLAS_NAME = re.compile(r"comtrade_(\d{4})\.csv(\.gz)?$")


def parse_atlas_trimmed(payload: bytes, origin: str, *, vintage: str) -> Parsed:
    """critical-materials-atlas's nine-column trim (`year,reporter,partner,cmd,flow,value,
    netwgt,qty,qtyunit`; the 2024 file has no year, qty or qtyunit). The breakdown fields
    were dropped, so they stay null and such rows never count as totals downstream."""
    if payload[:2] == b"\x1f\x8b":
        import gzip
        import zlib

        try:
            payload = gzip.decompress(payload)
        except (OSError, EOFError, zlib.error) as error:  # cut or corrupt gzip
            raise ParseError(f"{origin}: not a readable gzip file: {error}") from None
    frame = _read_csv(payload, origin)
    needed = ("reporter", "partner", "cmd", "flow", "value")
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise ParseError(f"{origin}, row 1: missing column(s) {', '.join(missing)}")
    if "year" not in frame.columns:
        match = ATLAS_NAME.search(origin.rsplit("/", 1)[-1])
        if not match:
            raise ParseError(
                f"{origin}: no year column, and the file name does not name "
                "the year (comtrade_YYYY.csv)"
            )
        frame = frame.with_columns(year=pl.lit(match.group(1)))
    present = {
        source: target for source, target in ATLAS_COLUMNS.items() if source in frame.columns
    }
    strings = frame.select(
        *(pl.col(source).alias(target) for source, target in present.items()),
        pl.col("year").alias("period"),
        pl.col("year").alias("ref_year"),
        pl.lit("C").alias("type_code"),
        pl.lit("A").alias("freq_code"),
    )
    strings = strings.with_columns(
        pl.lit(None, pl.String).alias(column)
        for _, column, _ in FIELDS
        if column not in strings.columns
    ).select([column for _, column, _ in FIELDS])
    return _finish(
        strings, origin, vintage=vintage, layout="atlas_trimmed", where="row {}", first=2
    )


def _strings_from_records(records: list[Any], origin: str) -> pl.DataFrame:
    """Every field as text (None stays None), field names matched case-insensitively
    (one public loader met `isnetWgtEstimated`)."""
    columns: dict[str, list[str | None]] = {column: [] for _, column, _ in FIELDS}
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ParseError(f"{origin}: data[{index}] is not a record")
        lowered = {str(key).lower(): value for key, value in record.items()}
        for api, column, _ in FIELDS:
            if api.lower() not in lowered:
                raise ParseError(f"{origin}: data[{index}] has no field {api}")
            columns[column].append(_text(lowered[api.lower()]))
    return pl.DataFrame(columns, schema={column: pl.String for column in columns})


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _finish(
    strings: pl.DataFrame, origin: str, *, vintage: str, layout: str, where: str, first: int
) -> Parsed:
    typed = _typed(strings.with_row_index("_row", offset=first), origin, where)
    typed = typed.with_columns(vintage=pl.lit(vintage), layout=pl.lit(layout))
    return _deduplicated(typed.select(list(RECORDS.schema)), origin)


def _typed(frame: pl.DataFrame, origin: str, where: str) -> pl.DataFrame:
    for _, column, dtype in FIELDS:
        text = pl.col(column).str.strip_chars()
        if dtype == pl.Boolean:
            parsed = text.str.to_lowercase().replace_strict(
                {"true": True, "false": False}, default=None, return_dtype=pl.Boolean
            )
        elif dtype == pl.String:
            continue
        else:
            parsed = (
                text.cast(pl.Float64, strict=False)
                if dtype == pl.Float64
                else (text.cast(pl.Float64, strict=False).cast(dtype, strict=False))
            )
        bad = frame.filter(pl.col(column).is_not_null() & parsed.is_null())
        if bad.height:
            row = bad.row(0, named=True)
            raise ParseError(
                f"{origin}, {where.format(row['_row'])}, {column}: "
                f"{row[column]!r} is not a valid {dtype}"
            )
        frame = frame.with_columns(parsed.alias(column))
    return frame.drop("_row")


def _deduplicated(frame: pl.DataFrame, origin: str) -> Parsed:
    """Exact duplicates (every field equal) are one record sent twice: keep one, count the
    rest, never sum them. Records that share a key but differ stay, and the suite's
    uniqueness expectation then stops the load."""
    distinct = frame.unique(maintain_order=True).sort(
        list(NATURAL_KEY), nulls_last=True, maintain_order=True
    )
    removed = frame.height - distinct.height
    repeated = (
        frame.filter(frame.is_duplicated())
        .unique(maintain_order=True)
        .select(list(NATURAL_KEY))
        .head(5)
        .to_dicts()
    )
    outcome = ExpectationOutcome(
        raw_table=RECORDS.name,
        expectation_type=DUPLICATES_REMOVED,
        column_name=None,
        kwargs=json.dumps({"compared": "every field", "origin": origin}, sort_keys=True),
        success=True,
        element_count=frame.height,
        unexpected_count=removed,
        unexpected_sample=json.dumps(repeated) if repeated else None,
        observed_value=json.dumps(removed),
    )
    return Parsed({RECORDS.name: distinct}, (outcome,))


def _read_csv(payload: bytes, origin: str) -> pl.DataFrame:
    return read_csv(payload, origin, infer_schema_length=0)


# --- live: queries, chunks, limits ---


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


def live(settings: Settings, client: httpx.Client, **options: Any) -> Iterator[Payload]:
    if options.get("all_products"):
        raise TradewatchError(
            "comtrade does not take --all-products: a query for every "
            "product and partner exceeds the API's limits; use --products"
        )
    frequency = {"annual": "A", "monthly": "M"}.get(options.get("dataset") or "annual")
    if frequency is None:
        raise TradewatchError(
            f"comtrade --dataset is annual or monthly, not {options.get('dataset')!r}"
        )
    today = options.get("today") or datetime.now(UTC).date()
    from ingest.sources.baci import product_filter

    basket = product_filter(False, options.get("products"))
    assert basket is not None
    keyed = settings.comtrade_api_key is not None
    per_call = MAX_PERIODS_PER_CALL if keyed else 1  # the preview: one period a call
    periods = periods_for(frequency, options.get("from_month"), options.get("to_month"), today)
    caller = _Caller(settings, client, options.get("sleep") or time.sleep, today.isoformat())
    dataset = ANNUAL if frequency == "A" else MONTHLY
    # a rerun resumes: chunks already loaded are skipped unless --refresh asks for revisions
    done = (
        set()
        if options.get("refresh")
        else warehouse.loaded_chunks(settings.db_path, SOURCE, dataset.name)
    )
    for query in default_queries(frequency, periods, basket, per_call):
        yield from caller.payloads(dataset, query, done)


class _Caller:
    """Requests with the daily budget, the pause between calls and truncation splits."""

    def __init__(
        self,
        settings: Settings,
        client: httpx.Client,
        sleep: Callable[[float], None],
        vintage: str,
    ) -> None:
        self.settings, self.client, self.sleep, self.vintage = settings, client, sleep, vintage
        self.keyed = settings.comtrade_api_key is not None
        self.cap = settings.comtrade_max_records if self.keyed else PREVIEW_MAX_RECORDS
        self.budget = settings.comtrade_calls_per_day - _calls_today(settings, vintage)
        self.calls = 0

    def payloads(self, dataset: Dataset, query: Query, done: set[str]) -> Iterator[Payload]:
        chunk = query.chunk()
        bound = dataclasses.replace(dataset, parse=partial(parse_response, vintage=self.vintage))
        url = self._url(query.freq)
        origin = str(httpx.URL(url, params=query.params(self.cap)))
        if chunk in done:
            return
        try:
            body = self._call(url, query)
        except TradewatchError as error:
            yield Payload(bound, redact(origin), _raise(error), chunk=chunk)
            return
        content = body["_bytes"]
        if body["data"] is None:  # not the documented shape: the parser says what is wrong
            yield Payload(bound, redact(origin), lambda: content, chunk=chunk)
            return
        count = len(body["data"])
        if count >= self.cap:
            parts = query.split()
            if not parts:
                error = SourceUnavailable(
                    f"{redact(origin)}: {count} records, the per-call "
                    "limit, and the request cannot be split further"
                )
                yield Payload(bound, redact(origin), _raise(error), chunk=chunk)
                return
            for part in parts:
                yield from self.payloads(dataset, part, done)
            return
        yield Payload(
            bound, redact(origin), (lambda: content) if count else (lambda: None), chunk=chunk
        )

    def _url(self, freq: str) -> str:
        base = self.settings.comtrade_base_url
        if self.keyed:
            return f"{base}/data/v1/get/C/{freq}/HS"
        return f"{base}/public/v1/preview/C/{freq}/HS"

    def _call(self, url: str, query: Query) -> dict[str, Any]:
        if self.calls >= self.budget:
            raise SourceUnavailable(
                f"UN Comtrade: the daily budget of {self.settings.comtrade_calls_per_day} calls "
                "is used up (COMTRADE_CALLS_PER_DAY); run again tomorrow"
            )
        if self.calls:
            self.sleep(self.settings.comtrade_pause_s)
        self.calls += 1
        headers = {KEY_HEADER: self.settings.comtrade_api_key} if self.keyed else {}
        response = get(
            self.client,
            url,
            params=query.params(self.cap),
            headers=headers,  # type: ignore[arg-type]
            policy=RetryPolicy(attempts=self.settings.http_attempts, base_wait_s=2.0),
            sleep=self.sleep,
        )
        return _checked_body(response)


def _checked_body(response: httpx.Response) -> dict[str, Any]:
    """Comtrade's official client only prints errors; tradewatch raises on every one. A body
    that is complete JSON but has no `data` list is handed on as it is: the parser names it
    (a changed shape, exit 1)."""
    shown = redact(response.request.url)
    try:
        body = response.json()
    except ValueError:
        body = None
    message = ""
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("error") or "")
    if response.status_code in (401, 403):
        raise AuthenticationError(
            f"{shown}: HTTP {response.status_code}: "
            f"{message or 'the API refused the key'} (COMTRADE_API_KEY)"
        )
    if not response.is_success:
        detail = message or " ".join(response.text[:200].split())
        raise SourceUnavailable(f"{shown}: HTTP {response.status_code}: {detail}")
    content = documented_body(response, JSON)
    if isinstance(body, dict) and body.get("error"):
        raise SourceUnavailable(
            f"{shown}: UN Comtrade reports an error: {body['error']}", received=content
        )
    data = body.get("data") if isinstance(body, dict) else None
    return {"data": data if isinstance(data, list) else None, "_bytes": content}


def _calls_today(settings: Settings, today: str) -> int:
    """API calls already made today (UTC), one ledger row each (retries not counted)."""
    if not settings.db_path.exists():
        return 0
    with warehouse.connect(settings.db_path) as con:
        row = con.execute(
            "select count(*) from ops.loads where source = ? and dataset in (?, ?) "
            "and starts_with(origin, 'http') "
            "and strftime(started_at at time zone 'UTC', '%Y-%m-%d') = ?",
            [SOURCE, ANNUAL.name, MONTHLY.name, today],
        ).fetchone()
    return int(row[0]) if row else 0


def _raise(error: TradewatchError) -> Callable[[], bytes | None]:
    def fetch() -> bytes | None:
        raise error

    return fetch


# --- datasets and the source ---

ANNUAL = Dataset(SOURCE, "annual", (RECORDS,))
MONTHLY = Dataset(SOURCE, "monthly", (RECORDS,))
API_CSV = Dataset(SOURCE, "api_csv", (RECORDS,))
ATLAS_TRIMMED = Dataset(SOURCE, "atlas_trimmed", (RECORDS,))


def offline() -> Iterator[Payload]:
    return iter(())  # UN Comtrade data may not be redistributed: nothing is bundled


def from_file(path: Path) -> Iterator[Payload]:
    """A saved response body (.json), an API CSV, or the atlas's trimmed CSV (.csv/.csv.gz).
    A file's vintage is its name: when it was retrieved is not recorded inside it."""
    vintage = f"file:{path.name}"
    raw = path.read_bytes()[:4096]
    if raw[:2] == b"\x1f\x8b":
        import gzip

        with gzip.open(path, "rb") as handle:
            raw = handle.read(4096)
    text = raw.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("{"):
        dataset = MONTHLY if re.search(r'"freqCode"\s*:\s*"M"', text) else ANNUAL
        parser: Any = parse_response
    elif "primaryvalue" in text.split("\n", 1)[0].lower():
        dataset, parser = API_CSV, parse_api_csv
    elif text.split("\n", 1)[0].strip().split(",")[:1] in (["year"], ["reporter"]):
        dataset, parser = ATLAS_TRIMMED, parse_atlas_trimmed
    else:
        raise ParseError(f"{path.name}: not a Comtrade response body, API CSV or atlas extract")
    bound = dataclasses.replace(dataset, parse=partial(parser, vintage=vintage))
    yield file_payload(bound, path)


COMTRADE = Source(
    name=SOURCE,
    description="UN Comtrade API v1: reported goods trade by HS, partner and flow",
    licence="UN Comtrade terms of use: data fetched live; not redistributed",
    datasets=(ANNUAL, MONTHLY, API_CSV, ATLAS_TRIMMED),
    offline=offline,
    live=live,
    from_file=from_file,
    live_options=("from_month", "to_month", "dataset", "products", "refresh"),
    chunked=True,
)
