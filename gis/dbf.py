"""Shapefile attribute names cut mid-character (DBF field names are at most 10 bytes).

A Chinese field name such as ``建筑名称`` is 12 bytes in UTF-8; the tools that write
Shapefiles cut it at 10 bytes, in the middle of ``称``, and GDAL then hands out a name
that is not valid UTF-8 (pyogrio fails to read the layer at all). :func:`readable_shapefile`
gives a readable copy instead: the same files, linked, with a ``.dbf`` whose cut names end
at their last whole character, and a note for each name it shortened.
"""

from __future__ import annotations

import codecs
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["cut_field_names", "readable_shapefile"]

_HEADER = 32
_DESCRIPTOR = 32
_NAME = 11  # 10 bytes and a NUL
_END = 0x0D


def _sibling(shp: Path, suffix: str) -> Path | None:
    """The file beside ``shp`` with ``suffix`` in any case (``.dbf``, ``.DBF``), or None."""
    for candidate in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def _encoding(shp: Path) -> str:
    """The encoding the ``.cpg`` file names (UTF-8 when missing or unknown)."""
    cpg = _sibling(shp, ".cpg")
    name = cpg.read_text(encoding="ascii", errors="replace").strip() if cpg else ""
    aliases = {"936": "gbk", "65001": "utf-8", "utf8": "utf-8"}
    name = aliases.get(name.lower(), name) or "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def cut_field_names(header: bytes, encoding: str = "utf-8") -> dict[int, bytes]:
    """Offsets in the DBF ``header`` of the field names that do not decode, each with the
    name shortened to its last whole character (made unique among the fields).

    >>> names = b"\\x00" * 32 + "建筑名称".encode()[:10] + b"\\x00" * 22 + b"\\r"
    >>> cut_field_names(names)[32].decode()
    '建筑名'
    """
    names: list[tuple[int, bytes]] = []
    offset = _HEADER
    while offset + _DESCRIPTOR <= len(header) and header[offset] != _END:
        names.append((offset, header[offset : offset + _NAME].split(b"\x00", 1)[0]))
        offset += _DESCRIPTOR
    taken = {name for _, name in names}
    fixed: dict[int, bytes] = {}
    for offset, name in names:
        whole = _whole(name, encoding)
        if whole == name:
            continue
        candidate, number = whole or b"field", 2
        while candidate in taken:
            suffix = f"_{number}".encode()
            candidate, number = _whole(whole[: 10 - len(suffix)], encoding) + suffix, number + 1
        taken.add(candidate)
        fixed[offset] = candidate
    return fixed


def _whole(name: bytes, encoding: str) -> bytes:
    """``name`` without the trailing bytes of a character it cuts short."""
    for end in range(len(name), max(len(name) - 4, -1), -1):
        try:
            name[:end].decode(encoding)
            return name[:end]
        except UnicodeDecodeError:
            continue
    return b""


@contextmanager
def readable_shapefile(path: Path) -> Iterator[tuple[Path, list[str]]]:
    """``path`` itself, or for a Shapefile whose field names were cut mid-character a
    temporary copy that reads (the ``.dbf`` copied with whole names, the rest linked),
    with a note per renamed field. Anything else is yielded unchanged with no notes."""
    dbf = _sibling(path, ".dbf") if path.suffix.lower() == ".shp" else None
    if dbf is None:
        yield path, []
        return
    encoding = _encoding(path)
    with dbf.open("rb") as handle:
        start = handle.read(_HEADER)
        size = int.from_bytes(start[8:10], "little") if len(start) == _HEADER else 0
        header = start + handle.read(max(size - _HEADER, 0))
    fixed = cut_field_names(header, encoding)
    if not fixed:
        yield path, []
        return
    notes = []
    for offset, name in fixed.items():
        raw = header[offset : offset + _NAME].split(b"\x00", 1)[0]
        shown = raw.decode(encoding, errors="replace")
        notes.append(
            f"field name {shown!r} was cut mid-character (DBF names hold 10 bytes): "
            f"read as {name.decode(encoding)!r}"
        )
    with tempfile.TemporaryDirectory(prefix="blockgrid-shp-") as folder:
        copy = Path(folder) / path.name
        for sibling in path.parent.iterdir():
            if sibling.stem == path.stem and sibling != dbf:
                (Path(folder) / sibling.name).symlink_to(sibling.resolve())
        copied = Path(folder) / dbf.name
        shutil.copyfile(dbf, copied)
        with copied.open("r+b") as handle:
            for offset, name in fixed.items():
                handle.seek(offset)
                handle.write(name.ljust(_NAME, b"\x00"))
        yield copy, notes
