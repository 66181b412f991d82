"""Grid assignment and building codes for the footprint importer (网格归属与楼栋编码).

Done in Python rather than in PostGIS so that new buildings can be COPYed straight into
``buildings``: the basic grids are read once, each footprint goes to the grid holding
its point-on-surface (each prepared grid polygon tests the points of its bounding box;
the lowest code wins where grids overlap), and new buildings get the grid
code + a 5-digit sequence continuing the highest one already used in that grid,
numbered north→south in ~55 m rows and west→east within a row (SPEC §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import psycopg
import shapely
from numpy.typing import NDArray

from grids.codes import digits

__all__ = [
    "CodeIssuer",
    "Grids",
    "GridsFull",
    "assign_grids",
    "load_grids",
    "reading_rank",
    "sort_by",
]

ROW_DEGREES = 0.0005  #: height of a numbering row (~55 m)
MAX_SEQUENCE = 99_999

_GRIDS = """
SELECT code, ST_AsBinary(geom) FROM areas
WHERE level = 'grid' AND retired_at IS NULL ORDER BY code
"""

# The highest sequence already used by codes of each grid (the code index answers each
# with one probe: codes sort by grid first).
_LAST_USED = """
SELECT g.code, coalesce((SELECT right(max(b.code), 5)::integer FROM buildings b
                         WHERE b.code BETWEEN g.code || '00000' AND g.code || '99999'), 0)
FROM unnest(%s::text[]) AS g(code)
"""


class GridsFull(Exception):
    """A grid would need a building sequence above 99999."""

    def __init__(self, grid_code: str, sequence: int) -> None:
        super().__init__(
            f"grid {grid_code} would need building sequence {sequence}; "
            "a grid holds at most 99999 building codes"
        )


@dataclass(frozen=True)
class Grids:
    """The basic grids (基础网格) in force: codes in ascending order and their polygons."""

    codes: NDArray[np.str_]
    polygons: NDArray[np.object_]

    def __len__(self) -> int:
        return len(self.codes)


def load_grids(connection: psycopg.Connection) -> Grids:
    """Read the basic grids in force (level ``grid``, not retired)."""
    rows = connection.execute(_GRIDS).fetchall()
    codes = np.array([code for code, _ in rows], dtype="U14")
    polygons = shapely.from_wkb([bytes(blob) for _, blob in rows]) if rows else np.zeros(0, object)
    return Grids(codes, np.asarray(polygons, dtype=object))


def assign_grids(anchors: NDArray[np.float64], grids: Grids) -> NDArray[np.int64]:
    """Index into ``grids`` of the grid holding each anchor point (lowest code), -1 for none.

    ``anchors`` is ``(n, 2)`` lon/lat. The points are sorted by longitude once; each
    grid polygon, prepared, tests the points of its bounding box (``intersects``: the
    boundary counts as inside). Grids go from the highest code down, so the lowest code
    is the one that stays.
    """
    placed = np.full(len(anchors), -1, dtype=np.int64)
    if len(anchors) == 0 or len(grids) == 0:
        return placed
    x, y = np.ascontiguousarray(anchors[:, 0]), np.ascontiguousarray(anchors[:, 1])
    by_x = np.argsort(x)
    sorted_x = x[by_x]
    shapely.prepare(grids.polygons)
    bounds = shapely.bounds(grids.polygons)
    west = np.searchsorted(sorted_x, bounds[:, 0], side="left")
    east = np.searchsorted(sorted_x, bounds[:, 2], side="right")
    for i in range(len(grids) - 1, -1, -1):
        near = by_x[west[i] : east[i]]
        near = near[(y[near] >= bounds[i, 1]) & (y[near] <= bounds[i, 3])]
        if len(near):
            placed[near[shapely.intersects_xy(grids.polygons[i], x[near], y[near])]] = i
    return placed


def reading_rank(anchors: NDArray[np.float64]) -> NDArray[np.int64]:
    """Rank of each ``(lon, lat)`` point read north→south in ~55 m rows, west→east within
    a row."""
    x, y = anchors[:, 0], anchors[:, 1]
    rank = np.empty(len(anchors), dtype=np.int64)
    rank[sort_by(np.floor(-y / ROW_DEGREES).astype(np.int64), x)] = np.arange(len(anchors))
    return rank


def sort_by(primary: NDArray[np.int64], secondary: NDArray) -> NDArray[np.int64]:
    """The order of ``np.lexsort((secondary, primary))`` (by ``primary``, then
    ``secondary``, then position) in two stable sorts, the second a radix sort of narrow
    integers when ``primary`` spans fewer than 2¹⁵ values: about twice as fast."""
    order = np.argsort(secondary, kind="stable")
    key = primary[order]
    if len(key) and int(key.max()) - int(key.min()) < 2**15:
        key = (key - key.min()).astype(np.int16)
    return order[np.argsort(key, kind="stable")]


class CodeIssuer:
    """Issues building codes grid by grid (楼栋编码), continuing each grid's sequence.

    The highest sequence already used in every grid is read once (one probe of the code
    index per grid, so before a bulk load sets that index aside); later calls continue
    from what earlier calls issued. The caller holds the code-issuing advisory lock.
    """

    def __init__(self, connection: psycopg.Connection, grids: Grids) -> None:
        self.grids = grids
        self.last = np.zeros(len(grids), dtype=np.int64)
        if len(grids):
            used = dict(connection.execute(_LAST_USED, (grids.codes.tolist(),)).fetchall())
            self.last[:] = [used[str(code)] for code in grids.codes]
        self._grid_bytes = grids.codes.astype("S14").view(np.uint8).reshape(len(grids), 14)

    def issue(
        self, grid: NDArray[np.int64], rank: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.uint8]]:
        """Codes for new buildings in grids ``grid`` (indexes into the grids), in ``rank``
        order within each grid.

        Returns ``(order, codes)``: the buildings sorted by code and their 19-digit codes
        as an ``(n, 19)`` ASCII array.

        Raises
        ------
        GridsFull
            A grid would need a sequence above 99999 (nothing is issued then).
        """
        order = sort_by(grid, rank)
        if len(order) == 0:
            return order, np.zeros((0, 19), dtype=np.uint8)
        grid = grid[order]
        starts = np.r_[0, np.flatnonzero(grid[1:] != grid[:-1]) + 1]
        sizes = np.diff(np.r_[starts, len(grid)])
        base = self.last[grid[starts]]
        full = np.flatnonzero(base + sizes > MAX_SEQUENCE)
        if len(full):
            first = full[0]
            raise GridsFull(
                str(self.grids.codes[grid[starts[first]]]), int(base[first] + sizes[first])
            )
        self.last[grid[starts]] = base + sizes
        sequence = np.arange(len(grid)) - np.repeat(starts, sizes) + np.repeat(base, sizes) + 1
        return order, np.concatenate([self._grid_bytes[grid], digits(sequence, 5)], axis=1)
