"""Bytes out of a zip member, or a zstd stream, within a size budget: what
stops a zip bomb before it fills the disk or the memory.

Every member is checked against what it declares (size, ratio, encryption)
before it is opened, and counted while it is read: it may not hold more
than it declared, nor expand past the budget or the ratio.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from quizapp.anki.errors import Damaged, Refused, first_line

__all__ = ["MAX_RATIO", "MAX_UNCOMPRESSED_BYTES", "RATIO_FLOOR", "Budget", "chunks", "extract", "read_member", "unzstd"]

#: Uncompressed bytes read out of one package (collection and media map), all told.
MAX_UNCOMPRESSED_BYTES = 500 * 2**20
#: A member larger than RATIO_FLOOR may not expand more than MAX_RATIO times:
#: SQLite collections compress 3-20x; a zip bomb, a thousand times.
MAX_RATIO = 100
RATIO_FLOOR = 8 * 2**20


class Budget:
    """Counts the uncompressed bytes taken out of the package."""

    def __init__(self, limit: int = MAX_UNCOMPRESSED_BYTES) -> None:
        self.left = limit
        self.limit = limit

    def take(self, n: int, what: str) -> None:
        self.left -= n
        if self.left < 0:
            raise Refused(f"{what} expands past {self.limit // 2**20} MB: refused (zip bomb?)")


def _check_member(info: zipfile.ZipInfo, budget: Budget, limit: int | None = None) -> None:
    if info.flag_bits & 0x1:
        raise Refused(f"{info.filename} is encrypted")
    limit = budget.left if limit is None else min(limit, budget.left)
    if info.file_size > limit:
        raise Refused(
            f"{info.filename} declares {info.file_size / 2**20:.1f} MB uncompressed, "
            f"over the {budget.limit // 2**20} MB limit: refused (zip bomb?)"
        )
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise Refused(f"{info.filename} expands {ratio}:1 when unpacked: refused as a zip bomb")


def chunks(archive: zipfile.ZipFile, member: str, budget: Budget, limit: int | None = None) -> Iterator[bytes]:
    """The member's bytes, refusing more than declared or allowed."""
    info = archive.getinfo(member)
    _check_member(info, budget, limit)
    declared = info.file_size
    seen = 0
    with archive.open(info) as src:
        while chunk := src.read(1 << 20):
            seen += len(chunk)
            if seen > declared:
                raise Refused(f"{member} holds more than its declared size: refused (zip bomb?)")
            budget.take(len(chunk), member)
            yield chunk


def read_member(archive: zipfile.ZipFile, member: str, budget: Budget, limit: int) -> bytes:
    """The whole member, at most ``limit`` bytes (a small member: meta, the media map)."""
    return b"".join(chunks(archive, member, budget, limit))


def extract(archive: zipfile.ZipFile, member: str, dest: Path, budget: Budget, *, zstd: bool) -> None:
    """Copy ``member`` (zstd-decompressed when ``zstd``) to ``dest``, within the budget."""
    with open(dest, "wb") as out:
        if not zstd:
            for chunk in chunks(archive, member, budget):
                out.write(chunk)
            return
        compressed = archive.getinfo(member).file_size
        for chunk in unzstd(chunks(archive, member, budget), member, budget, compressed):
            out.write(chunk)


def _zstd() -> ModuleType:
    try:
        import zstandard
    except ImportError:  # pragma: no cover - zstandard is a dependency of quizapp
        raise Refused(
            "this package is in Anki's 2.1.50+ format, which needs the 'zstandard' module "
            "(pip install zstandard), or export it with 'Support older Anki versions' ticked"
        ) from None
    return zstandard


class _ChunkStream:
    """A file-like view of an iterator of byte chunks (what zstandard reads from)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def unzstd(chunks: Iterator[bytes], member: str, budget: Budget, compressed: int) -> Iterator[bytes]:
    """Decompress zstd ``chunks``, refusing what expands past the budget or ratio."""
    zstandard = _zstd()
    produced = 0
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(_ChunkStream(chunks), read_across_frames=True)
        while chunk := reader.read(1 << 20):
            produced += len(chunk)
            budget.take(len(chunk), member)
            if produced > RATIO_FLOOR and produced > MAX_RATIO * max(compressed, 1):
                raise Refused(f"{member} expands over {MAX_RATIO}:1 when unpacked: refused as a zip bomb")
            yield chunk
    except zstandard.ZstdError as exc:
        raise Damaged(f"{member} is damaged: not valid zstd data ({first_line(exc)})") from None
