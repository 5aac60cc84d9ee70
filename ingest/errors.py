"""tradewatch's own errors. Only the CLI turns them into messages and exit codes."""

from __future__ import annotations

import errno

# the documented exit codes (docs/reliability.md): sysexits.h where one fits
EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
EXIT_SOFTWARE, EXIT_CANT_WRITE, EXIT_TEMPFAIL = 70, 74, 75


class TradewatchError(Exception):
    """Base class; `exit_code` is the documented code for every command.

    `received` is the body a live API answered with, when the error is about that body: the
    loader archives it (secrets scrubbed), so a refused answer is kept for inspection."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, *args: object, received: bytes | None = None) -> None:
        super().__init__(*args)
        self.received = received


class ParseError(TradewatchError):
    """A payload does not have the published layout: names the file, sheet, row or field."""


class SchemaDrift(ParseError):
    """A parsed frame's columns or types differ from the declared raw-table schema."""


class CannotWrite(TradewatchError):
    """The warehouse, landing or publish folder cannot be written (disk full, read-only
    filesystem): nothing changed; free space or fix the folder, then rerun."""

    exit_code = EXIT_CANT_WRITE


CANNOT_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG})
CANNOT_WRITE_TEXT = ("no space left on device", "read-only file system", "disk quota exceeded")


def cannot_write(error: BaseException) -> CannotWrite | None:
    """A full disk or a read-only filesystem, wherever it surfaced (an OSError, a DuckDB or
    dbt error quoting the OS): one `CannotWrite` line, exit 74; None for anything else."""
    text = " ".join(str(error).split())
    if isinstance(error, CannotWrite):
        return error
    if isinstance(error, OSError) and error.errno in CANNOT_WRITE_ERRNOS:
        where = f"{error.filename}: " if error.filename else ""
        return CannotWrite(f"cannot write {where}{error.strerror or text}")
    if any(marker in text.lower() for marker in CANNOT_WRITE_TEXT):
        return CannotWrite(f"cannot write: {text[:300]}")
    return None


class LandingError(CannotWrite):
    """The payload could not be archived (a full disk, a read-only folder): nothing loaded."""


class UsageError(TradewatchError):
    """A bad option or argument (click/typer's own usage errors exit 2 as well)."""

    exit_code = EXIT_USAGE


class SettingsInvalid(UsageError):
    """A TRADEWATCH_* (or key) environment variable has a value tradewatch cannot use."""


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
    """A source could not be reached or kept failing after every retry: EX_TEMPFAIL, try
    later."""

    exit_code = EXIT_TEMPFAIL


class AuthenticationError(SourceUnavailable):
    """An API rejected or did not receive its key."""


class UnusableResponse(SourceUnavailable):
    """A live API answered, but not with a complete body of the format it documents: an empty
    answer (an undocumented 204), an HTML page where data was expected, a body cut short. The
    source is as unavailable as if it had answered 503; a complete body whose content changed
    shape is a `ParseError` instead."""


class LockHeld(TradewatchError):
    """Another run holds the warehouse lock."""

    exit_code = EXIT_LOCKED
