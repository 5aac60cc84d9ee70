"""Deterministic BACI-format release zips for the benchmarks (synthetic: never real figures).

A file is shaped like a CEPII release: `BACI_HS22_Y<year>_V202601.csv` members of
`t,i,j,k,v,q` (one row per year, exporter, importer and HS6 product, unique on t,i,j,k),
plus the release's country table, deflate-compressed in one zip. Cardinalities follow the
real release: the ~240 BACI country codes (the bundled, real country table), ~5,000 HS6
codes including the rare-earth basket, ~5 % empty quantities, and one year per ~10M rows.
The same seed and size always give byte-identical members.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

import numpy as np
import polars as pl

from ingest.basket import basket_codes

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / "data"
COUNTRY_TABLE = ROOT / "ingest" / "bundled" / "baci" / "country_codes_V202601.csv"
VINTAGE, REVISION = "V202601", "HS22"
ROWS_PER_YEAR = 10_000_000
LAST_YEAR = 2024
PRODUCTS = 5_000
EMPTY_QUANTITY_SHARE = 0.05
FIXED_DATE = (2026, 1, 15, 0, 0, 0)  # members carry no wall-clock time: same seed, same bytes
SIZES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000, "50m": 50_000_000}


def release_path(size: str, seed: int = 7) -> Path:
    return DATA_DIR / f"BACI_{REVISION}_{VINTAGE}_{size}_s{seed}.zip"


def basket() -> list[str]:
    return list(basket_codes())


def _products(rng: np.random.Generator) -> np.ndarray:
    """~5,000 distinct HS6 codes across chapters 01–97, the basket among them."""
    codes = set(basket())
    while len(codes) < PRODUCTS:
        chapter = int(rng.integers(1, 98))
        codes.add(f"{chapter:02d}{int(rng.integers(1, 100)):02d}{int(rng.integers(0, 100)):02d}")
    return np.array(sorted(codes))


def _weights(rng: np.random.Generator, count: int, sigma: float) -> np.ndarray:
    # trade is concentrated: a few large economies and products carry most rows
    weights = rng.lognormal(0.0, sigma, count)
    return weights / weights.mean()


def _year_rows(
    rng: np.random.Generator,
    countries: np.ndarray,
    products: np.ndarray,
    target: int,
) -> pl.DataFrame:
    exporter_w = _weights(rng, len(countries), 1.0)
    importer_w = _weights(rng, len(countries), 1.0)
    product_w = _weights(rng, len(products), 0.8)
    pairs = len(countries) * (len(countries) - 1) * len(products)
    scale = target / pairs * 1.05
    frames, kept = [], 0
    for index, exporter in enumerate(countries):
        importers = np.delete(np.arange(len(countries)), index)
        chance = np.minimum(
            1.0, scale * exporter_w[index] * np.outer(importer_w[importers], product_w)
        )
        hit = rng.random(chance.shape) < chance
        rows, cols = np.nonzero(hit)
        if kept + len(rows) > target:
            rows, cols = rows[: target - kept], cols[: target - kept]
        frames.append(
            pl.DataFrame(
                {
                    "i": np.full(len(rows), exporter),
                    "j": countries[importers[rows]],
                    "k": products[cols],
                }
            )
        )
        kept += len(rows)
        if kept >= target:
            break
    frame = pl.concat(frames)
    height = frame.height
    value = np.round(rng.lognormal(2.0, 2.5, height), 3)  # thousands of USD
    quantity = np.round(value * rng.lognormal(-1.0, 1.5, height), 3)  # tonnes
    empty = rng.random(height) < EMPTY_QUANTITY_SHARE
    return frame.with_columns(
        v=pl.Series(np.maximum(value, 0.001)),
        q=pl.Series(quantity).set(pl.Series(empty), None),
    )


def generate(rows: int, target: Path, seed: int = 7) -> Path:
    """Write the release zip for `rows` rows (split into years of ≤ 10M rows)."""
    rng = np.random.default_rng(seed)
    countries = pl.read_csv(COUNTRY_TABLE, infer_schema_length=0)["country_code"].to_numpy()
    products = _products(rng)
    years = max(1, -(-rows // ROWS_PER_YEAR))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        country = zipfile.ZipInfo(f"country_codes_{VINTAGE}.csv", FIXED_DATE)
        country.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(country, COUNTRY_TABLE.read_bytes())
        for number in range(years):
            year = LAST_YEAR - years + 1 + number
            share = rows // years + (1 if number < rows % years else 0)
            frame = _year_rows(rng, countries, products, share)
            member = f"BACI_{REVISION}_Y{year}_{VINTAGE}.csv"
            info = zipfile.ZipInfo(member, FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as writer:
                writer.write(b"t,i,j,k,v,q\n")
                for start in range(0, frame.height, 1_000_000):
                    buffer = io.BytesIO()
                    frame.slice(start, 1_000_000).select(
                        pl.lit(year).alias("t"),
                        "i",
                        "j",
                        "k",
                        "v",
                        "q",
                    ).write_csv(buffer, include_header=False, float_precision=3)
                    writer.write(buffer.getvalue())
    partial.replace(target)
    return target


def ensure(size: str, seed: int = 7) -> Path:
    """The release zip for a named size, generated once."""
    path = release_path(size, seed)
    if not path.exists():
        generate(SIZES[size], path, seed)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for size in args.sizes:
        print(ensure(size, args.seed))


if __name__ == "__main__":
    main()
