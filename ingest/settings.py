"""Every path, base URL and key, read once from the environment with defaults."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ingest import lake

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

DEFAULT_CENSUS_BALANCE_URL = "https://www.census.gov/foreign-trade/balance/country.xlsx"
DEFAULT_DEALS_DIR = BUNDLED_DIR / "deals"  # the deals register: edited by pull request
DEFAULT_CENSUS_API_BASE_URL = "https://api.census.gov/data/timeseries/intltrade"
DEFAULT_USGS_SCIENCEBASE_URL = "https://www.sciencebase.gov/catalog"
DEFAULT_COMTRADE_BASE_URL = "https://comtradeapi.un.org"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    landing_dir: Path
    census_balance_url: str = DEFAULT_CENSUS_BALANCE_URL
    census_api_key: str | None = field(default=None, repr=False)
    census_api_base_url: str = DEFAULT_CENSUS_API_BASE_URL
    usgs_sciencebase_url: str = DEFAULT_USGS_SCIENCEBASE_URL
    http_timeout_s: float = 60.0
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
        return tuple(value for value in (self.census_api_key, self.comtrade_api_key) if value)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            db_path=_path(env.get("TRADEWATCH_DB", "warehouse/tradewatch.duckdb")),
            landing_dir=_path(env.get("TRADEWATCH_LANDING", "data/landing")),
            census_balance_url=env.get("CENSUS_BALANCE_URL", DEFAULT_CENSUS_BALANCE_URL),
            census_api_key=env.get("CENSUS_API_KEY") or None,
            census_api_base_url=env.get("CENSUS_API_BASE_URL", DEFAULT_CENSUS_API_BASE_URL).rstrip(
                "/"
            ),
            usgs_sciencebase_url=env.get("USGS_SCIENCEBASE_URL", DEFAULT_USGS_SCIENCEBASE_URL),
            http_timeout_s=float(env.get("TRADEWATCH_HTTP_TIMEOUT_S", "60")),
            http_attempts=int(env.get("TRADEWATCH_HTTP_ATTEMPTS", "5")),
            http_max_bytes=int(env.get("TRADEWATCH_HTTP_MAX_BYTES", str(2 * 1024**3))),
            deals_dir=_path(env.get("TRADEWATCH_DEALS_DIR", str(DEFAULT_DEALS_DIR))),
            file_roots=_file_roots(env.get("TRADEWATCH_FILE_ROOTS")),
            comtrade_base_url=env.get("COMTRADE_BASE_URL", DEFAULT_COMTRADE_BASE_URL).rstrip("/"),
            comtrade_api_key=env.get("COMTRADE_API_KEY") or None,
            comtrade_calls_per_day=int(env.get("COMTRADE_CALLS_PER_DAY", "500")),
            comtrade_max_records=int(env.get("COMTRADE_MAX_RECORDS", "100000")),
            comtrade_pause_s=float(env.get("COMTRADE_PAUSE_S", "6")),
            duckdb_memory_limit=env.get("TRADEWATCH_DUCKDB_MEMORY_LIMIT") or "1GB",
            zip_max_bytes=int(env.get("TRADEWATCH_ZIP_MAX_BYTES", str(64 * 1024**3))),
            zip_max_ratio=float(env.get("TRADEWATCH_ZIP_MAX_RATIO", "200")),
            publish_storage_version=env.get("TRADEWATCH_PUBLISH_STORAGE_VERSION") or None,
            lake=lake.from_env(env),
        )


def _file_roots(value: str | None) -> tuple[Path, ...]:
    if value:
        return tuple(Path(part).expanduser().resolve() for part in value.split(os.pathsep) if part)
    defaults = (Path.cwd(), Path.home(), Path(tempfile.gettempdir()), PROJECT_ROOT)
    return tuple(dict.fromkeys(path.resolve() for path in defaults))


def _path(value: str) -> Path:
    """Relative paths are relative to the project, not to wherever the command runs."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path)
