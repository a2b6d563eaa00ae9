"""Just enough protobuf to read what Anki 2.1.50+ stores that way (note type,
template and deck configs, the package's meta and media map): fields by
number, without the schema and without the protobuf package."""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["pb_fields", "pb_get", "pb_str"]


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated protobuf varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def pb_fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of a protobuf message: ints for varints, bytes otherwise."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos > len(buf):
            raise ValueError("truncated protobuf message")
        yield number, value


def pb_get(buf: bytes | None, number: int, default: int | bytes | None = None) -> int | bytes | None:
    """The last value of field ``number`` (protobuf's rule for scalars)."""
    value = default
    for n, v in pb_fields(buf or b""):
        if n == number:
            value = v
    return value


def pb_str(buf: bytes | None, number: int) -> str:
    """Field ``number`` as text ("" when absent)."""
    value = pb_get(buf, number, b"")
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""
