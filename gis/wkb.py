"""Well-known binary handled as bytes (WKB 字节级处理), for bulk loads that skip geometry objects.

Building a shapely geometry costs about a microsecond; a bulk load of footprints needs
only a few facts from most of them. :func:`as_multipolygon_wkb` turns polygon WKB into
one-part MultiPolygon WKB (so that reading yields the stored type directly) and
:func:`reproject_multipolygon_wkb` rewrites the coordinates of MultiPolygon WKB in
place (WGS 84 → Web Mercator for ``footprint_3857``) with array arithmetic. Arrays are
Arrow binary arrays (offsets plus one data buffer), as pyogrio and shapely produce them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.typing import NDArray

__all__ = [
    "ONE_RING_HEADER_BYTES",
    "MultiPolygonLayout",
    "as_multipolygon_wkb",
    "multipolygon_layout",
    "one_ring_sizes",
    "read_vertices",
    "reproject_multipolygon_wkb",
    "ring_coordinates",
    "with_ring_coordinates",
    "with_vertices",
    "wkb_array",
]

#: ``(x, y) -> (x, y)`` on float64 arrays, e.g. ``pyproj.Transformer.transform``.
Conversion = Callable[
    [NDArray[np.float64], NDArray[np.float64]], tuple[NDArray[np.float64], NDArray[np.float64]]
]

_LITTLE_ENDIAN = 1
_POLYGON, _MULTIPOLYGON = 3, 6
#: A little-endian MultiPolygon header holding one part (the polygon's WKB follows).
_ONE_PART_HEADER = (
    bytes([_LITTLE_ENDIAN]) + (_MULTIPOLYGON).to_bytes(4, "little") + (1).to_bytes(4, "little")
)
#: ... followed by a little-endian Polygon of one ring (its vertex count comes next).
_ONE_RING_HEADER = _ONE_PART_HEADER + (
    bytes([_LITTLE_ENDIAN]) + (_POLYGON).to_bytes(4, "little") + (1).to_bytes(4, "little")
)
#: Bytes before the first vertex of a one-part, one-ring MultiPolygon (header + count).
ONE_RING_HEADER_BYTES = len(_ONE_RING_HEADER) + 4


def wkb_array(values: object) -> pa.BinaryArray:
    """WKB values (numpy array of bytes, list, Arrow array or chunked array) as one Arrow array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.ExtensionArray):  # e.g. geoarrow.wkb
        values = values.storage
    if isinstance(values, pa.Array):
        return values.cast(pa.binary()) if values.type != pa.binary() else values
    return pa.array(values, pa.binary())


def _data(wkb: pa.BinaryArray) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """The data buffer and the start of each value in it (``n + 1`` offsets)."""
    _, offsets, data = wkb.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32)[wkb.offset : wkb.offset + len(wkb) + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return raw, ends.astype(np.int64)


def _uint32(data: NDArray[np.uint8], at: NDArray[np.int64]) -> NDArray[np.int64]:
    """Little-endian unsigned 32-bit integers starting at the byte positions ``at``."""
    if len(at) == 0:
        return np.zeros(0, dtype=np.int64)
    return data[at[:, None] + np.arange(4)].view("<u4").reshape(-1).astype(np.int64)


def as_multipolygon_wkb(wkb: pa.BinaryArray) -> pa.BinaryArray:
    """Wrap each little-endian 2D Polygon as a one-part MultiPolygon; leave the rest alone.

    Examples
    --------
    >>> import shapely
    >>> square = shapely.box(0, 0, 1, 1)
    >>> wrapped = as_multipolygon_wkb(wkb_array([shapely.to_wkb(square), None]))
    >>> shapely.from_wkb(wrapped.to_numpy(zero_copy_only=False)).tolist()[0].geom_type
    'MultiPolygon'
    """
    if len(wkb) == 0:
        return wkb
    data, ends = _data(wkb)
    starts, lengths = ends[:-1], np.diff(ends)
    head = lengths >= 9
    polygon = np.zeros(len(wkb), dtype=bool)
    polygon[head] = (data[starts[head]] == _LITTLE_ENDIAN) & (
        _uint32(data, starts[head] + 1) == _POLYGON
    )
    if wkb.null_count:
        polygon &= wkb.is_valid().to_numpy(zero_copy_only=False)
    if not polygon.any():
        return wkb
    header = pa.scalar(_ONE_PART_HEADER, pa.binary())
    wrapped = pc.binary_join_element_wise(header, wkb, pa.scalar(b"", pa.binary()))
    return wrapped if polygon.all() else pc.if_else(pa.array(polygon), wrapped, wkb)


@dataclass(frozen=True)
class MultiPolygonLayout:
    """Where the vertices of MultiPolygon WKB are: one entry per vertex and per ring.

    ``vertex`` holds the byte position of each vertex (x there, y 8 bytes after) in the
    data buffer, in WKB order (the order of ``shapely.get_coordinates``). Rings are in
    the same order: ``ring_size`` vertices each, ``ring_shell`` tells exterior rings
    from holes and ``ring_row`` the geometry a ring belongs to.
    """

    vertex: NDArray[np.int64]
    ring_size: NDArray[np.int64]
    ring_shell: NDArray[np.bool_]
    ring_row: NDArray[np.int64]
    rows: int


def multipolygon_layout(wkb: pa.BinaryArray) -> MultiPolygonLayout:
    """Parse the structure of little-endian 2D MultiPolygon WKB without building geometries.

    Every value must be such WKB (``shapely.to_wkb(..., byte_order=1,
    output_dimension=2)`` of MultiPolygons). The walk is vectorised over geometries: one
    pass per polygon rank and ring rank, so a few passes for building footprints.
    """
    data, ends = _data(wkb)
    starts = ends[:-1]
    if len(starts) and (
        np.any(data[starts] != _LITTLE_ENDIAN) or np.any(_uint32(data, starts + 1) != _MULTIPOLYGON)
    ):
        raise ValueError("multipolygon_layout needs little-endian 2D MultiPolygon WKB")
    runs: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], bool]] = []
    cursor = starts + 9  # first polygon of each geometry
    polygons_left = _uint32(data, starts + 5)
    rows = np.flatnonzero(polygons_left > 0)
    while len(rows):  # one polygon of each geometry that has one left
        rings_left = _uint32(data, cursor[rows] + 5)
        cursor[rows] += 9
        ring_rows = rows[rings_left > 0]
        rings_left = rings_left[rings_left > 0]
        exterior = True
        while len(ring_rows):  # one ring of each of those polygons
            points = _uint32(data, cursor[ring_rows])
            runs.append((cursor[ring_rows] + 4, points, ring_rows, exterior))
            cursor[ring_rows] += 4 + 16 * points
            rings_left -= 1
            ring_rows, rings_left = ring_rows[rings_left > 0], rings_left[rings_left > 0]
            exterior = False
        polygons_left[rows] -= 1
        rows = rows[polygons_left[rows] > 0]
    if not runs:
        empty = np.zeros(0, dtype=np.int64)
        return MultiPolygonLayout(empty, empty, np.zeros(0, dtype=bool), empty, len(starts))
    begin = np.concatenate([run[0] for run in runs])
    order = np.argsort(begin, kind="stable")  # byte order is WKB order
    begin = begin[order]
    size = np.concatenate([run[1] for run in runs])[order]
    row = np.concatenate([run[2] for run in runs])[order]
    shell = np.concatenate([np.full(len(run[0]), run[3]) for run in runs])[order]
    first = np.cumsum(size) - size  # index of each ring's first vertex
    vertex = np.repeat(begin - 16 * first, size) + 16 * np.arange(int(size.sum()))
    return MultiPolygonLayout(vertex, size, shell, row, len(starts))


def one_ring_sizes(wkb: pa.BinaryArray) -> NDArray[np.int64]:
    """Vertex count of each value that is a one-part, one-ring MultiPolygon, -1 elsewhere.

    Such a value (little-endian, 2D, nothing after the last vertex) is a header of
    :data:`ONE_RING_HEADER_BYTES` bytes followed by its vertices, 16 bytes each: most
    building footprints once wrapped by :func:`as_multipolygon_wkb`.

    Examples
    --------
    >>> import shapely
    >>> square = shapely.MultiPolygon([shapely.box(0, 0, 1, 1)])
    >>> holed = shapely.MultiPolygon([square.geoms[0].buffer(1).difference(square)])
    >>> one_ring_sizes(wkb_array([shapely.to_wkb(square), shapely.to_wkb(holed), None])).tolist()
    [5, -1, -1]
    """
    sizes = np.full(len(wkb), -1, dtype=np.int64)
    if len(wkb) == 0:
        return sizes
    _, ends = _data(wkb)
    long_enough = np.diff(ends) >= ONE_RING_HEADER_BYTES
    if wkb.null_count:
        long_enough &= wkb.is_valid().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(long_enough)
    if len(rows) == 0:
        return sizes
    candidates = wkb if len(rows) == len(wkb) else wkb.take(pa.array(rows))
    heads = pc.binary_slice(candidates, 0, ONE_RING_HEADER_BYTES)
    head_data, head_ends = _data(heads)
    block = head_data[head_ends[0] : head_ends[-1]].reshape(len(rows), ONE_RING_HEADER_BYTES)
    prefix = np.frombuffer(_ONE_RING_HEADER, dtype=np.uint8)
    counts = np.ascontiguousarray(block[:, len(prefix) :]).view("<u4").reshape(-1)
    counts = counts.astype(np.int64)
    whole = np.diff(ends)[rows] == ONE_RING_HEADER_BYTES + 16 * counts
    one_ring = (block[:, : len(prefix)] == prefix).all(axis=1) & whole
    sizes[rows[one_ring]] = counts[one_ring]
    return sizes


def ring_coordinates(wkb: pa.BinaryArray) -> NDArray[np.float64]:
    """The ``(vertices, 2)`` coordinates of one-ring values (:func:`one_ring_sizes` ≥ 0
    for every value), ring after ring."""
    body = pc.binary_slice(wkb, ONE_RING_HEADER_BYTES, 1 << 30)
    data, ends = _data(body)
    coordinates = data[ends[0] : ends[-1]].copy().view("<f8")
    return coordinates.astype(np.float64, copy=False).reshape(-1, 2)


def with_ring_coordinates(wkb: pa.BinaryArray, xy: NDArray[np.float64]) -> pa.BinaryArray:
    """One-ring values (as :func:`ring_coordinates` reads) with their vertices replaced."""
    if len(wkb) == 0:
        return wkb
    heads = pc.binary_slice(wkb, 0, ONE_RING_HEADER_BYTES)
    _, ends = _data(wkb)
    lengths = np.diff(ends) - ONE_RING_HEADER_BYTES
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    data = np.ascontiguousarray(xy, dtype="<f8")
    bodies = pa.BinaryArray.from_buffers(
        pa.binary(), len(wkb), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return pc.binary_join_element_wise(heads, bodies, pa.scalar(b"", pa.binary()))


def _windows(data: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Every 16-byte window of ``data`` (a strided view, no copy): row ``i`` starts at byte i."""
    count = max(len(data) - 15, 0)
    return np.lib.stride_tricks.as_strided(data, shape=(count, 16), strides=(1, 1))


def read_vertices(
    wkb: pa.BinaryArray, layout: MultiPolygonLayout
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The x and y of every vertex of ``layout``."""
    data, _ = _data(wkb)
    xy = np.ascontiguousarray(_windows(data)[layout.vertex]).view("<f8")
    return xy[:, 0].astype(np.float64), xy[:, 1].astype(np.float64)


def with_vertices(
    wkb: pa.BinaryArray, layout: MultiPolygonLayout, x: NDArray[np.float64], y: NDArray[np.float64]
) -> pa.BinaryArray:
    """A copy of ``wkb`` with its vertices replaced by ``x``, ``y``."""
    data, ends = _data(wkb)
    out = data[ends[0] : ends[-1]].copy() if len(ends) else data.copy()
    xy = np.empty((len(x), 2), dtype="<f8")
    xy[:, 0], xy[:, 1] = x, y
    windows = np.lib.stride_tricks.as_strided(
        out, shape=(max(len(out) - 15, 0), 16), strides=(1, 1), writeable=True
    )
    windows[layout.vertex - (ends[0] if len(ends) else 0)] = xy.view(np.uint8).reshape(-1, 16)
    offsets = (ends - (ends[0] if len(ends) else 0)).astype(np.int32)
    return pa.BinaryArray.from_buffers(
        pa.binary(), len(wkb), [None, pa.py_buffer(offsets), pa.py_buffer(out)]
    )


def reproject_multipolygon_wkb(
    wkb: pa.BinaryArray, convert: Conversion, layout: MultiPolygonLayout | None = None
) -> pa.BinaryArray:
    """The same MultiPolygon WKB with every vertex passed through ``convert``.

    Examples
    --------
    >>> import shapely
    >>> square = shapely.MultiPolygon([shapely.box(0, 0, 1, 1)])
    >>> moved = reproject_multipolygon_wkb(wkb_array([shapely.to_wkb(square)]),
    ...                                    lambda x, y: (x + 10, y * 2))
    >>> shapely.from_wkb(moved.to_numpy(zero_copy_only=False))[0].bounds
    (10.0, 0.0, 11.0, 2.0)
    """
    if layout is None:
        one_ring = one_ring_sizes(wkb) >= 0
        if one_ring.all():  # most footprints: no layout to walk
            xy = ring_coordinates(wkb)
            new_x, new_y = convert(xy[:, 0], xy[:, 1])
            return with_ring_coordinates(wkb, np.column_stack([new_x, new_y]))
        if one_ring.any():
            simple, other = np.flatnonzero(one_ring), np.flatnonzero(~one_ring)
            parts = [
                reproject_multipolygon_wkb(wkb.take(pa.array(rows)), convert)
                for rows in (simple, other)
            ]
            where = np.argsort(np.concatenate([simple, other]), kind="stable")
            return pa.concat_arrays(parts).take(pa.array(where))
        layout = multipolygon_layout(wkb)
    x, y = read_vertices(wkb, layout)
    new_x, new_y = convert(x, y)
    return with_vertices(wkb, layout, np.asarray(new_x), np.asarray(new_y))


def exact_multipolygon_wkb(
    wkb: pa.BinaryArray, geometries: NDArray[np.object_]
) -> NDArray[np.bool_]:
    """Where ``wkb`` already is the little-endian 2D MultiPolygon WKB of ``geometries``.

    True when the value is such WKB, ends with its last vertex and has as many vertices
    as the geometry parsed from it (the parser adds one where it closed a ring), so that
    the bytes can be stored instead of writing the geometry out again.

    Examples
    --------
    >>> import shapely
    >>> square = shapely.MultiPolygon([shapely.box(0, 0, 1, 1)])
    >>> blobs = wkb_array([shapely.to_wkb(square), shapely.to_wkb(square.geoms[0])])
    >>> exact_multipolygon_wkb(blobs, [square, square]).tolist()
    [True, False]
    """
    n = len(wkb)
    exact = np.zeros(n, dtype=bool)
    if n == 0:
        return exact
    data, ends = _data(wkb)
    starts, lengths = ends[:-1], np.diff(ends)
    head = lengths >= 9
    if wkb.null_count:
        head &= wkb.is_valid().to_numpy(zero_copy_only=False)
    head[head] = (data[starts[head]] == _LITTLE_ENDIAN) & (
        _uint32(data, starts[head] + 1) == _MULTIPOLYGON
    )
    rows = np.flatnonzero(head)
    if len(rows) == 0:
        return exact
    subset = wkb if len(rows) == n else wkb.take(pa.array(rows))
    layout = multipolygon_layout(subset)
    counts = np.bincount(layout.ring_row, weights=layout.ring_size, minlength=len(rows))
    counts = counts.astype(np.int64)
    _, sub_ends = _data(subset)
    last = np.full(len(rows), -1, dtype=np.int64)  # byte position of each row's last vertex
    some = counts > 0
    last[some] = layout.vertex[np.cumsum(counts)[some] - 1]  # vertices are in byte order
    whole = (last + 16 == sub_ends[1:]) | (~some & (np.diff(sub_ends) == 9))
    parsed = shapely.get_num_coordinates(np.asarray(geometries, dtype=object)[rows])
    exact[rows] = whole & (counts == parsed)
    return exact
