"""Limits on what a zip may expand to, so a tiny archive cannot fill the disk (a zip bomb).

Checked twice: on the sizes the archive declares before anything is extracted, and on the
bytes actually written while extracting. A header that understates a member's size cannot
get more out: CPython's zipfile stops at the size the central directory declares and then
checks the CRC-32, so the forged member fails as "Bad CRC-32" (a `ParseError` here, or the
loader's net for streamed releases) and at most the declared bytes reach the disk.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ingest.errors import ParseError
from ingest.settings import Settings

COPY_BLOCK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int  # total uncompressed size of the members read
    max_ratio: float  # uncompressed / compressed, per member

    @classmethod
    def from_env(cls) -> ZipLimits:
        settings = Settings.from_env()
        return cls(settings.zip_max_bytes, settings.zip_max_ratio)


def check_members(
    archive: zipfile.ZipFile, members: list[str], origin: str, limits: ZipLimits
) -> None:
    """Refuse the archive on its declared sizes, before a byte is extracted."""
    total = 0
    for name in members:
        info = archive.getinfo(name)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise ParseError(
                f"{origin}: {name} expands {ratio:,.0f}-fold ({info.compress_size:,} → "
                f"{info.file_size:,} bytes), more than the {limits.max_ratio:,.0f}-fold limit "
                "(TRADEWATCH_ZIP_MAX_RATIO); refused as a possible zip bomb"
            )
    if total > limits.max_bytes:
        raise ParseError(
            f"{origin}: members expand to {total:,} bytes, more than the "
            f"{limits.max_bytes:,}-byte limit (TRADEWATCH_ZIP_MAX_BYTES)"
        )


def copy_member(reader: IO[bytes], writer: IO[bytes], origin: str, limits: ZipLimits) -> int:
    """Copy one member, stopping at the byte limit whatever its header claimed."""
    written = 0
    while block := reader.read(COPY_BLOCK_BYTES):
        written += len(block)
        if written > limits.max_bytes:
            raise ParseError(
                f"{origin}: a member expands past the {limits.max_bytes:,}-byte limit "
                "(TRADEWATCH_ZIP_MAX_BYTES)"
            )
        writer.write(block)
    return written


def read_member(path: Path, member: str, origin: str, limits: ZipLimits) -> bytes:
    """One member's bytes, in memory: for small release CSVs only, so bounded by the limits."""
    try:
        with zipfile.ZipFile(path) as opened:
            check_members(opened, [member], origin, limits)
            buffer = io.BytesIO()
            with opened.open(member) as reader:
                copy_member(reader, buffer, origin, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        # a member that does not match its header (forged size, bad CRC, cut deflate stream)
        raise ParseError(f"{origin}: unreadable zip member: {error}") from None
    return buffer.getvalue()


GZIP_MAGIC = b"\x1f\x8b"


def gunzip_if_gzipped(payload: bytes, origin: str, limits: ZipLimits | None = None) -> bytes:
    """The payload itself, or its gzip content, stopping at the byte limit (a gzip bomb is
    refused like a zip bomb); a cut or corrupt stream is a ParseError."""
    if not payload.startswith(GZIP_MAGIC):
        return payload
    limits = limits or ZipLimits.from_env()
    output = bytearray()
    rest = payload
    try:
        while rest:  # a .gz may hold several members back to back
            stream = zlib.decompressobj(wbits=31)
            output += stream.decompress(rest, limits.max_bytes + 1 - len(output))
            if len(output) > limits.max_bytes or stream.unconsumed_tail:
                raise ParseError(
                    f"{origin}: the gzip content expands past the {limits.max_bytes:,}-byte "
                    "limit (TRADEWATCH_ZIP_MAX_BYTES)"
                )
            if not stream.eof:
                raise ParseError(f"{origin}: not a readable gzip file: the stream is cut short")
            rest = stream.unused_data
    except zlib.error as error:
        raise ParseError(f"{origin}: not a readable gzip file: {error}") from None
    return bytes(output)
