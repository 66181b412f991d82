"""Grid assignment and building codes for the footprint importer (网格归属与楼栋编码).

Done in Python rather than in PostGIS so that new buildings can be COPYed straight into
``buildings``: the basic grids are read once, each footprint goes to the grid holding
its point-on-surface (each prepared grid polygon tests the points of its bounding box;
the lowest code wins where grids overlap), and new buildings get the grid
code + a 5-digit sequence continuing the highest one already used in that grid
(SPEC §2.1). The numbering is a function of the data alone: the new footprints of a
whole file, within each grid, north→south in ~55 m rows, west→east within a row, ties
by source id — never of how the file was read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.typing import NDArray

from grids.codes import digits

__all__ = [
    "CodeIssuer",
    "Grids",
    "GridsFull",
    "assign_grids",
    "load_grids",
    "numbering_order",
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


def numbering_order(
    grid: NDArray[np.int64], anchors: NDArray[np.float64], source_ids: pa.StringArray
) -> NDArray[np.int64]:
    """The order in which new buildings are numbered: by grid, then north→south in
    ~55 m rows, west→east within a row, then by source id (SPEC §2.1).

    Parameters
    ----------
    grid : int array
        Index of each footprint's grid.
    anchors : (n, 2) float array
        Each footprint's point on surface (lon, lat).
    source_ids : Arrow string array
        Each footprint's source id, unique within the file.

    Returns
    -------
    int array
        Positions of the footprints, in numbering order.

    Examples
    --------
    >>> anchors = np.array([[114.02, 22.53], [114.01, 22.54], [114.03, 22.54], [114.01, 22.54]])
    >>> numbering_order(np.zeros(4, int), anchors, pa.array(["d", "c", "a", "b"])).tolist()
    [3, 1, 2, 0]
    """
    x, row = anchors[:, 0], np.floor(-anchors[:, 1] / ROW_DEGREES)
    order = np.lexsort((x, row, grid))
    keys = (grid[order], row[order], x[order])
    if not (len(order) > 1 and np.logical_and.reduce([k[1:] == k[:-1] for k in keys]).any()):
        return order
    ties = pc.rank(source_ids, sort_keys="ascending", tiebreaker="first").to_numpy()
    return np.lexsort((ties, x, row, grid))


class CodeIssuer:
    """Issues building codes grid by grid (楼栋编码), continuing each grid's sequence.

    The highest sequence already used in every grid is read once (one probe of the code
    index per grid, so before a bulk load sets that index aside). The importer issues
    the codes of a whole file in one call, so that they depend on its data only; a
    later call would continue from what earlier calls issued. The caller holds the
    code-issuing advisory lock.
    """

    def __init__(self, connection: psycopg.Connection, grids: Grids) -> None:
        self.grids = grids
        self.last = np.zeros(len(grids), dtype=np.int64)
        if len(grids):
            used = dict(connection.execute(_LAST_USED, (grids.codes.tolist(),)).fetchall())
            self.last[:] = [used[str(code)] for code in grids.codes]
        self._grid_bytes = grids.codes.astype("S14").view(np.uint8).reshape(len(grids), 14)

    def issue(
        self, grid: NDArray[np.int64], anchors: NDArray[np.float64], source_ids: pa.StringArray
    ) -> tuple[NDArray[np.int64], NDArray[np.uint8]]:
        """Codes for new buildings in grids ``grid`` (indexes into the grids), numbered in
        :func:`numbering_order` within each grid.

        Returns ``(order, codes)``: the buildings sorted by code and their 19-digit codes
        as an ``(n, 19)`` ASCII array.

        Raises
        ------
        GridsFull
            A grid would need a sequence above 99999 (nothing is issued then).
        """
        order = numbering_order(grid, anchors, source_ids)
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
