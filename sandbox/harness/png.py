"""PNG files that cases hand to the module under test (Aufgabe 4 reads images)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np


def write_png(path: Path, pixels) -> str:
    """Write an 8-bit PNG of uint8 ``pixels``: gray (H, W), RGB (H, W, 3) or RGBA (H, W, 4).

    matplotlib's imsave always writes RGBA; a true one-channel gray PNG, the
    usual "Schwarz-Weiß-Bild", needs this small writer (no imaging library
    is assumed in the sandbox). Returns the path as a string, the way
    students pass file names.
    """
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    colour_type = {1: 0, 3: 2, 4: 6}[channels]
    rows = pixels.reshape(height, width * channels)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 per row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )
    return str(path)
