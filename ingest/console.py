"""The one console every command prints through: text is always literal.

Error messages, ledger rows, deal titles and query results carry data and user input, so
`[/x]` or `[link=…]` in them must print as written, not as Rich markup (which crashed on an
unmatched closing tag and made hyperlinks out of data). Style is given explicitly instead:
`console.print(text, style="yellow")` or `Text.assemble((label, style), literal)`.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

SETTINGS: dict[str, Any] = {"markup": False, "emoji": False, "highlight": False}

console = Console(**SETTINGS)
errors = Console(stderr=True, **SETTINGS)
