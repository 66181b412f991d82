"""Read the pixels of a PNG screenshot without extra packages (8-bit RGB or RGBA only)."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {2: 3, 6: 4}  # colour type → bytes per pixel (RGB, RGBA)


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    channels: int
    rows: list[bytes]

    def rgb(self, x: int, y: int) -> tuple[int, int, int]:
        start = x * self.channels
        r, g, b = self.rows[y][start : start + 3]
        return r, g, b

    def count(self, box: tuple[int, int, int, int], predicate, step: int = 2) -> tuple[int, int]:
        """(matching, sampled) pixels of ``box`` = (left, top, right, bottom), every ``step``."""
        left, top, right, bottom = box
        matching = sampled = 0
        for y in range(top, min(bottom, self.height), step):
            for x in range(left, min(right, self.width), step):
                sampled += 1
                matching += bool(predicate(self.rgb(x, y)))
        return matching, sampled


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(source: bytes | Path) -> Image:
    """Decode a non-interlaced 8-bit RGB/RGBA PNG (what Chromium's screenshots are)."""
    data = source.read_bytes() if isinstance(source, Path) else source
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a PNG")
    pos, compressed = len(_SIGNATURE), b""
    width = height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in _CHANNELS or interlace:
                raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}")
            channels = _CHANNELS[colour]
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(compressed)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    offset = 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, up_left)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return Image(width, height, channels, rows)
