"""Framing of the messages between the host and the harness.

Every message is one frame::

    b"GNN1" | uint32 header length (big endian) | JSON header | blobs

The header is a JSON object; its key ``"blobs"`` lists the byte lengths of the
binary attachments that follow it (arrays as ``.npz``, figures as PNG). The
reader on the host never trusts a length: every one is checked against a cap
before anything is read. ``NaN`` and ``Infinity`` are no JSON: a header that
holds them is refused, since it could never be written on again.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from typing import BinaryIO

MAGIC = b"GNN1"
MAX_HEADER = 4 << 20
"""The cap on a frame's JSON header, unless the reader sets its own."""
_LENGTH = struct.Struct(">I")


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed frame."""


def encode(header: dict, blobs: list[bytes] = ()) -> bytes:
    """Encode one frame."""
    header = dict(header, blobs=[len(b) for b in blobs])
    text = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
    return b"".join([MAGIC, _LENGTH.pack(len(text)), text, *blobs])


def write(stream: BinaryIO, header: dict, blobs: list[bytes] = ()) -> None:
    stream.write(encode(header, blobs))
    stream.flush()


def read(
    read_exactly: Callable[[int], bytes],
    max_header: int = MAX_HEADER,
    max_blobs: int = 256 << 20,
) -> tuple[dict, list[bytes]]:
    """Read one frame with ``read_exactly(n)``, which returns n bytes or raises.

    Raises ProtocolError when the magic is wrong, a length is over its cap, or
    the header is not a JSON object with a list of non-negative blob lengths.
    """
    magic = read_exactly(4)
    if magic != MAGIC:
        raise ProtocolError(f"unexpected bytes {magic!r} instead of a frame")
    (size,) = _LENGTH.unpack(read_exactly(4))
    if size > max_header:
        raise ProtocolError(f"header of {size} bytes is over the cap of {max_header}")
    try:
        header = json.loads(read_exactly(size), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not a JSON object")
    lengths = header.get("blobs", [])
    if not isinstance(lengths, list) or not all(
        type(n) is int and n >= 0 for n in lengths
    ):
        raise ProtocolError("blob lengths are not a list of non-negative integers")
    if sum(lengths) > max_blobs:
        raise ProtocolError(f"attachments of {sum(lengths)} bytes are over the cap of {max_blobs}")
    return header, [read_exactly(n) for n in lengths]


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def stream_reader(stream: BinaryIO) -> Callable[[int], bytes]:
    """``read_exactly`` for a blocking binary stream (used inside the sandbox)."""

    def read_exactly(n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = stream.read(left)
            if not chunk:
                raise EOFError(f"stream ended {left} bytes before the end of a frame")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    return read_exactly
