"""tradewatch: Turkey–United States trade, rare-earth flows and the deals behind them."""

__version__ = "0.1.0"
