"""tradewatch's own errors. Only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class TradewatchError(Exception):
    """Base class; `exit_code` is the documented code for scheduled runs.

    `received` is the body a live API answered with, when the error is about that body: the
    loader archives it (secrets scrubbed), so a refused answer is kept for inspection."""

    exit_code = 1

    def __init__(self, *args: object, received: bytes | None = None) -> None:
        super().__init__(*args)
        self.received = received


class ParseError(TradewatchError):
    """A payload does not have the published layout: names the file, sheet, row or field."""


class SchemaDrift(ParseError):
    """A parsed frame's columns or types differ from the declared raw-table schema."""


class LandingError(TradewatchError):
    """The payload could not be archived (a full disk, a read-only folder): nothing loaded."""


class FileRefused(TradewatchError):
    """A --file path outside the folders tradewatch may read, or not a regular file."""


class DataQualityError(TradewatchError):
    """A frame failed its Great Expectations suite; nothing was published."""

    def __init__(self, raw_table: str, failures: list[str]) -> None:
        self.raw_table = raw_table
        self.failures = failures
        shown = "; ".join(failures[:5]) + (" …" if len(failures) > 5 else "")
        super().__init__(f"{raw_table}: {len(failures)} expectation(s) failed: {shown}")


class SourceUnavailable(TradewatchError):
    """A source could not be reached or kept failing after every retry."""

    exit_code = 2


class AuthenticationError(SourceUnavailable):
    """An API rejected or did not receive its key."""


class UnusableResponse(SourceUnavailable):
    """A live API answered, but not with a complete body of the format it documents: an empty
    answer (an undocumented 204), an HTML page where data was expected, a body cut short. The
    source is as unavailable as if it had answered 503; a complete body whose content changed
    shape is a `ParseError` instead."""


class LockHeld(TradewatchError):
    """Another run holds the warehouse lock."""

    exit_code = 3
