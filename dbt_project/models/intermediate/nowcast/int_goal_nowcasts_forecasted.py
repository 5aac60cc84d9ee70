"""The seasonal nowcast: Holt-Winters (additive damped trend, additive seasonality, on the log
of each flow's monthly value; statsmodels) forecasts the months not yet published; the nowcast
is the year-to-date total plus that forecast. The total is the exports' plus the imports'.

Honest by construction: the smoothing parameters are fitted on the months up to the December
before the as-of year, and the forecast from an as-of month starts from the model's states at
that month, which the recursion computes from that month and earlier ones only (the same
numbers as refitting on the published months, checked against statsmodels' own forecast).
"""

import warnings

import numpy as np
import polars as pl

FIRST_YEAR = 1988  # three complete years of history, as for the plain method
FLOWS = ("export", "import")
PARAMS = ("smoothing_level", "smoothing_trend", "smoothing_seasonal", "damping_trend")


def model(dbt, session):
    dbt.config(materialized="table", packages=["statsmodels"])
    months = dbt.ref("int_goal_months_accumulated").pl()
    flows = pl.concat(
        [_nowcast_flow(months.filter(pl.col("flow") == flow).sort("month_date")) for flow in FLOWS]
    )
    total = (
        flows.group_by("as_of_month", "year", "months_published")
        .agg(pl.col("ytd_usd").sum(), pl.col("nowcast_usd").sum(), pl.len().alias("flows"))
        .filter(pl.col("flows") == len(FLOWS))
        .with_columns(flow=pl.lit("total"))
    )
    return pl.concat([flows, total.select(flows.columns)]).with_columns(
        method=pl.lit("seasonal"),
        ytd_usd=pl.col("ytd_usd").round(0).cast(pl.Decimal(18, 0)),
        nowcast_usd=pl.col("nowcast_usd").round(0).cast(pl.Decimal(18, 0)),
    )


def _nowcast_flow(series: pl.DataFrame) -> pl.DataFrame:
    log_values = np.log(series["value_usd"].cast(pl.Float64).to_numpy())
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on the short early histories
        for year in range(FIRST_YEAR, series["year"].max() + 1):
            history = int((series["year"] < year).sum())
            published = int((series["year"] <= year).sum())
            params = _holt_winters(log_values[:history]).fit(use_brute=False, method="L-BFGS-B")
            fixed = {name: float(params.params[name]) for name in PARAMS}
            states = _holt_winters(log_values[:published]).fit(**fixed, optimized=False)
            for index in range(history, published):
                rows.append(_nowcast_at(series, states, fixed["damping_trend"], index))
    return pl.DataFrame(
        rows,
        schema=["flow", "as_of_month", "year", "months_published", "ytd_usd", "nowcast_usd"],
        orient="row",
    )


def _nowcast_at(series: pl.DataFrame, states, phi: float, index: int) -> tuple:
    row = series.row(index, named=True)
    ytd = float(row["ytd_usd"])
    steps = np.arange(1, 13 - row["month"])  # the months still unpublished this year
    forecast = (
        states.level[index]
        + np.cumsum(phi**steps) * states.trend[index]
        + states.season[index + steps - 12]
    )
    nowcast = ytd + float(np.exp(forecast).sum())
    return (row["flow"], row["month_date"], row["year"], row["month"], ytd, nowcast)


def _holt_winters(log_values):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    return ExponentialSmoothing(
        log_values,
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=12,
        initialization_method="heuristic",
    )
