"""Every path, base URL and key, read once from the environment with defaults."""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest import lake
from ingest.errors import SettingsInvalid

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

DEFAULT_CENSUS_BALANCE_URL = "https://www.census.gov/foreign-trade/balance/country.xlsx"
DEFAULT_DEALS_DIR = BUNDLED_DIR / "deals"  # the deals register: edited by pull request
DEFAULT_CENSUS_API_BASE_URL = "https://api.census.gov/data/timeseries/intltrade"
DEFAULT_USGS_SCIENCEBASE_URL = "https://www.sciencebase.gov/catalog"
DEFAULT_COMTRADE_BASE_URL = "https://comtradeapi.un.org"
DEFAULT_CSV_MAX_LINE_BYTES = 1024**2  # real rows are under 1 KB


@dataclass(frozen=True)
class Settings:
    db_path: Path
    landing_dir: Path
    census_balance_url: str = DEFAULT_CENSUS_BALANCE_URL
    census_api_key: str | None = field(default=None, repr=False)
    census_api_base_url: str = DEFAULT_CENSUS_API_BASE_URL
    usgs_sciencebase_url: str = DEFAULT_USGS_SCIENCEBASE_URL
    http_timeout_s: float = 60.0  # per read (connect: at most 15 s)
    # one request: redirects, headers and body included: a server dripping bytes cannot hold a run
    http_deadline_s: float = 900.0
    http_attempts: int = 5
    # a response larger than this is refused while streaming, never buffered whole
    http_max_bytes: int = 2 * 1024**3
    deals_dir: Path = DEFAULT_DEALS_DIR
    # `--file` reads only below these folders (TRADEWATCH_FILE_ROOTS, os.pathsep-separated)
    file_roots: tuple[Path, ...] = ()
    comtrade_base_url: str = DEFAULT_COMTRADE_BASE_URL
    # keyed calls use the data endpoint; without a key, the public preview endpoint
    comtrade_api_key: str | None = field(default=None, repr=False)
    comtrade_calls_per_day: int = 500  # the free key's documented daily limit
    comtrade_max_records: int = 100_000  # per keyed call; treat a full page as truncated
    comtrade_pause_s: float = 6.0  # between calls: about 10 a minute, as comtradr does
    # caps DuckDB's buffer memory for file-backed loads: a 50M-row BACI release then loads
    # in about 1.2 GB peak RSS instead of 4.7 GB (DuckDB spills to disk past the cap)
    duckdb_memory_limit: str | None = "1GB"
    # a zip (a BACI release, a ScienceBase zip) may expand to at most this, and at most this
    # many times its compressed size per member: a zip bomb is refused, not extracted
    zip_max_bytes: int = 64 * 1024**3
    zip_max_ratio: float = 200.0
    # DuckDB storage version of the published copy, e.g. "v1.4.0" for BI tools that embed
    # an older DuckDB; None writes DuckDB's default for new files (docs/bi.md)
    publish_storage_version: str | None = None
    # every CSV reader refuses a longer line (a field can be no longer): bounded memory
    csv_max_line_bytes: int = DEFAULT_CSV_MAX_LINE_BYTES
    # a workbook sheet may claim at most this many cells (rows x columns of its dimension)
    xlsx_max_cells: int = 5_000_000
    # `tradewatch query`: DuckDB memory, spill-to-disk space and wall time
    query_memory_limit: str = "2GB"
    query_temp_limit: str = "2GB"
    query_timeout_s: float = 60.0
    # alerts after `tradewatch run` (ingest/alerts.py): apprise URLs, e.g. json://host/path,
    # mailto://..., slack://...; none = alerts are recorded in ops.alerts but not sent
    notify_urls: tuple[str, ...] = field(default=(), repr=False)
    alert_min_change_pct: float = 1.0  # money and tonnes: relative change, percent
    alert_min_change_points: float = 0.5  # shares and % of goal: percentage points
    alert_min_rank_change: int = 1  # Turkey's partner rank: places
    # TRADEWATCH_TARGET=lake: the warehouse is this DuckLake (catalog + data path), not the
    # file at db_path, whose folder still holds the landing archive, dbt's files and logs
    lake: lake.LakeTarget | None = None

    @property
    def target(self) -> str:
        return "local" if self.lake is None else "lake"

    @property
    def published_dir(self) -> Path:
        return self.db_path.parent / "published"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log, the ledger, a sidecar or an error."""
        keys = (self.census_api_key, self.comtrade_api_key, *self.notify_urls)
        return tuple(value for value in keys if value)  # notify URLs often embed tokens

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every value checked once, here: a bad one is one `SettingsInvalid` line naming the
        variable (exit 2), never a traceback later."""
        env = os.environ if environ is None else environ
        read = _Reader(env)
        return cls(
            db_path=_path(env.get("TRADEWATCH_DB", "warehouse/tradewatch.duckdb")),
            landing_dir=_path(env.get("TRADEWATCH_LANDING", "data/landing")),
            census_balance_url=read.url("CENSUS_BALANCE_URL", DEFAULT_CENSUS_BALANCE_URL),
            census_api_key=read.key("CENSUS_API_KEY"),
            census_api_base_url=read.url("CENSUS_API_BASE_URL", DEFAULT_CENSUS_API_BASE_URL).rstrip(
                "/"
            ),
            usgs_sciencebase_url=read.url("USGS_SCIENCEBASE_URL", DEFAULT_USGS_SCIENCEBASE_URL),
            http_timeout_s=read.number("TRADEWATCH_HTTP_TIMEOUT_S", 60.0),
            http_deadline_s=read.number("TRADEWATCH_HTTP_DEADLINE_S", 900.0),
            http_attempts=read.integer("TRADEWATCH_HTTP_ATTEMPTS", 5, minimum=1),
            http_max_bytes=read.integer("TRADEWATCH_HTTP_MAX_BYTES", 2 * 1024**3, minimum=1),
            deals_dir=_path(env.get("TRADEWATCH_DEALS_DIR", str(DEFAULT_DEALS_DIR))),
            file_roots=_file_roots(env.get("TRADEWATCH_FILE_ROOTS")),
            comtrade_base_url=read.url("COMTRADE_BASE_URL", DEFAULT_COMTRADE_BASE_URL).rstrip("/"),
            comtrade_api_key=read.key("COMTRADE_API_KEY"),
            comtrade_calls_per_day=read.integer("COMTRADE_CALLS_PER_DAY", 500, minimum=1),
            comtrade_max_records=read.integer("COMTRADE_MAX_RECORDS", 100_000, minimum=1),
            comtrade_pause_s=read.number("COMTRADE_PAUSE_S", 6.0, minimum=0.0),
            duckdb_memory_limit=env.get("TRADEWATCH_DUCKDB_MEMORY_LIMIT") or "1GB",
            zip_max_bytes=read.integer("TRADEWATCH_ZIP_MAX_BYTES", 64 * 1024**3, minimum=1),
            zip_max_ratio=read.number("TRADEWATCH_ZIP_MAX_RATIO", 200.0, minimum=1.0),
            publish_storage_version=env.get("TRADEWATCH_PUBLISH_STORAGE_VERSION") or None,
            csv_max_line_bytes=read.integer(
                "TRADEWATCH_CSV_MAX_LINE_BYTES", DEFAULT_CSV_MAX_LINE_BYTES, minimum=64
            ),
            xlsx_max_cells=read.integer("TRADEWATCH_XLSX_MAX_CELLS", 5_000_000, minimum=1),
            query_memory_limit=read.size("TRADEWATCH_QUERY_MEMORY_LIMIT", "2GB"),
            query_temp_limit=read.size("TRADEWATCH_QUERY_TEMP_LIMIT", "2GB"),
            query_timeout_s=read.number("TRADEWATCH_QUERY_TIMEOUT_S", 60.0),
            notify_urls=tuple(env.get("TRADEWATCH_NOTIFY_URLS", "").replace(",", " ").split()),
            alert_min_change_pct=read.number("TRADEWATCH_ALERT_MIN_CHANGE_PCT", 1.0),
            alert_min_change_points=read.number("TRADEWATCH_ALERT_MIN_CHANGE_POINTS", 0.5),
            alert_min_rank_change=read.integer("TRADEWATCH_ALERT_MIN_RANK_CHANGE", 1, minimum=1),
            lake=lake.from_env(env),
        )


class _Reader:
    """Typed, bounded reads of environment variables."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def integer(self, name: str, default: int, *, minimum: int) -> int:
        text = self.env.get(name, "").strip()
        if not text:
            return default
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            raise SettingsInvalid(f"{name}={_shown(text)} is not a whole number") from None
        if value < minimum:
            raise SettingsInvalid(f"{name}={value} must be at least {minimum}")
        return value

    def number(self, name: str, default: float, *, minimum: float | None = None) -> float:
        text = self.env.get(name, "").strip()
        if not text:
            return default
        try:
            value = float(text)
        except ValueError:
            raise SettingsInvalid(f"{name}={_shown(text)} is not a number") from None
        if not math.isfinite(value):
            raise SettingsInvalid(f"{name}={_shown(text)} must be a finite number")
        if minimum is None and value <= 0:
            raise SettingsInvalid(f"{name}={_shown(text)} must be more than 0")
        if minimum is not None and value < minimum:
            raise SettingsInvalid(f"{name}={_shown(text)} must be at least {minimum:g}")
        return value

    def size(self, name: str, default: str) -> str:
        """A DuckDB size such as `2GB` or `500MiB`: checked here, since DuckDB's own error
        would come later and say less."""
        text = self.env.get(name, "").strip() or default
        if not re.fullmatch(r"\d+(\.\d+)?\s*(B|[KMGT]i?B)", text, re.IGNORECASE):
            raise SettingsInvalid(f"{name}={_shown(text)} is not a size such as 2GB or 500MB")
        return text

    def key(self, name: str) -> str | None:
        """An API key: printable, no spaces or control characters (a key read from a CRLF env
        file ends in a carriage return). The value itself is never shown."""
        value = self.env.get(name) or None
        if value is None:
            return None
        if any(not char.isprintable() or char.isspace() for char in value):
            raise SettingsInvalid(
                f"{name} contains a space or control character (a carriage return from a "
                "CRLF env file?); set it to the key alone"
            )
        return value

    def url(self, name: str, default: str) -> str:
        value = self.env.get(name, default).strip()
        if not re.match(r"https?://[^\s/]+", value, re.IGNORECASE):
            raise SettingsInvalid(f"{name}={_shown(value)} is not an http(s) URL")
        return value


def _shown(text: str) -> str:
    return repr(text[:60])


def _file_roots(value: str | None) -> tuple[Path, ...]:
    if value:
        return tuple(Path(part).expanduser().resolve() for part in value.split(os.pathsep) if part)
    defaults = (Path.cwd(), Path.home(), Path(tempfile.gettempdir()), PROJECT_ROOT)
    # a working folder or home of `/` would allow every file (/proc/self/environ …): a
    # filesystem root is allowed only when TRADEWATCH_FILE_ROOTS names it
    resolved = (path.resolve() for path in defaults)
    return tuple(dict.fromkeys(path for path in resolved if path != path.parent))


def dbt_work_dir(settings: Settings) -> Path:
    """dbt's own folder beside the warehouse: artifacts (per command), logs."""
    return settings.db_path.parent / "dbt"


def _path(value: str) -> Path:
    """Relative paths are relative to the project, not to wherever the command runs."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path)
