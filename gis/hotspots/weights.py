"""Spatial weights for hot-spot analysis: who neighbours whom (邻接关系).

Every builder returns a binary, symmetric ``scipy.sparse.csr_array`` of shape (n, n)
with 1.0 where two units are neighbours and an empty diagonal; Gi* adds each unit to
its own neighbourhood. Binary rather than row-standardised weights: for Gi* with
equal weights in a row the z-score does not change when a row is rescaled, so row
standardisation buys nothing and the closed-form variance (esda, ArcGIS) is exact for
binary weights (see ``docs/hotspots.md``).

- :func:`contiguity_weights` — Queen contiguity of grid or community polygons
  (sharing an edge or a corner), with islands joined to their nearest unit.
- :func:`lattice_weights` — a rows × cols lattice (tests and benchmarks).
- :func:`gis.hexagons.hexagon_weights` — H3 k-ring neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

__all__ = [
    "check_neighbours",
    "contiguity_weights",
    "islands",
    "lattice_weights",
    "neighbours_from_pairs",
]

IntArray = NDArray[np.int64]


def neighbours_from_pairs(first: ArrayLike, second: ArrayLike, n: int) -> Any:
    """A binary symmetric neighbour matrix from index pairs (either order, repeats ok).

    Parameters
    ----------
    first, second : array_like of int
        Positions of the two units of each neighbour pair, in ``0..n-1``. Pairs of a
        unit with itself are dropped.
    n : int
        Number of units.

    Returns
    -------
    scipy.sparse.csr_array of float, shape (n, n)

    Raises
    ------
    ValueError
        When the arrays differ in length or hold a position outside ``0..n-1``.

    Examples
    --------
    >>> neighbours_from_pairs([0, 1, 1], [1, 0, 2], 3).toarray().astype(int).tolist()
    [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    """
    a = np.asarray(first, dtype=np.int64).ravel()
    b = np.asarray(second, dtype=np.int64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"pair arrays differ in length: {a.size} and {b.size}")
    if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n):
        raise ValueError(f"pair positions must lie in 0..{n - 1}")
    keep = a != b
    rows = np.concatenate([a[keep], b[keep]])
    cols = np.concatenate([b[keep], a[keep]])
    matrix = sparse.csr_array((np.ones(rows.size), (rows, cols)), shape=(n, n))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    matrix.sort_indices()
    return matrix


def check_neighbours(neighbours: Any, n: int) -> Any:
    """Validate a neighbour matrix for ``n`` units and return it as a CSR array.

    Parameters
    ----------
    neighbours : scipy sparse matrix or array
        Candidate neighbour matrix.
    n : int
        Number of units it must describe.

    Returns
    -------
    scipy.sparse.csr_array

    Raises
    ------
    ValueError
        When it is not sparse, not (n, n), not binary, or links a unit to itself.
    """
    if not sparse.issparse(neighbours):
        raise ValueError("neighbours must be a scipy sparse matrix (see gis.hotspots.weights)")
    matrix = (
        neighbours if isinstance(neighbours, sparse.csr_array) else sparse.csr_array(neighbours)
    )
    if matrix.shape != (n, n):
        raise ValueError(f"neighbours has shape {matrix.shape}, expected ({n}, {n})")
    if matrix.nnz and not np.all(matrix.data == 1.0):
        raise ValueError("neighbours must be binary (1.0 for a neighbour, nothing else)")
    if matrix.nnz and np.any(matrix.diagonal() != 0):
        raise ValueError("neighbours must not link a unit to itself: Gi* adds the unit")
    return matrix


def islands(neighbours: Any) -> IntArray:
    """Positions of the units without any neighbour (孤立单元).

    Examples
    --------
    >>> islands(neighbours_from_pairs([0], [1], 3)).tolist()
    [2]
    """
    matrix = (
        neighbours if isinstance(neighbours, sparse.csr_array) else sparse.csr_array(neighbours)
    )
    return np.flatnonzero(np.diff(matrix.indptr) == 0).astype(np.int64)


def contiguity_weights(
    polygons: Sequence[Any] | NDArray[Any],
    *,
    tolerance: float = 0.0,
    connect_islands: bool = True,
) -> Any:
    """Queen contiguity of polygons: neighbours share a boundary point (edge or corner).

    Parameters
    ----------
    polygons : sequence or array of shapely geometries
        The units (basic grids 基础网格 or communities 社区), non-empty, all in one CRS.
    tolerance : float, default 0.0
        Units closer than this (in CRS units: metres when projected, degrees for
        lon/lat) also count as neighbours; use a small value (e.g. 0.5 m) when the
        coverage has slivers or gaps. 0 means they must touch or overlap.
    connect_islands : bool, default True
        Join each unit that touches nobody (an island, a grid across water) to its
        nearest unit(s) (all ties) both ways, so that its Gi* compares it with a
        neighbourhood. When False such units keep no neighbour and their Gi* reduces
        to the z-score of their own value.

    Returns
    -------
    scipy.sparse.csr_array of float, shape (n, n)
        Binary and symmetric, empty diagonal.

    Raises
    ------
    ValueError
        When a geometry is missing or empty, or ``tolerance`` is negative.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> cells = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 1, 3, 2), box(9, 9, 10, 10)]
    >>> contiguity_weights(cells).toarray().astype(int).tolist()
    [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]]
    """
    geoms = np.asarray(polygons, dtype=object)
    if geoms.ndim != 1:
        raise ValueError(f"polygons must be a 1-D sequence, got shape {geoms.shape}")
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise ValueError(f"polygons {np.flatnonzero(missing)[:5].tolist()} are missing or empty")
    n = geoms.size
    tree = shapely.STRtree(geoms)
    if tolerance > 0:
        pairs = tree.query(geoms, predicate="dwithin", distance=tolerance)
    else:
        pairs = tree.query(geoms, predicate="intersects")
    matrix = neighbours_from_pairs(pairs[0], pairs[1], n)
    lonely = islands(matrix)
    if connect_islands and lonely.size and n > 1:
        found = tree.query_nearest(geoms[lonely], exclusive=True, all_matches=True)
        existing = matrix.tocoo()
        matrix = neighbours_from_pairs(
            np.concatenate([existing.row, lonely[found[0]]]),
            np.concatenate([existing.col, found[1]]),
            n,
        )
    return matrix


def lattice_weights(rows: int, cols: int, *, queen: bool = True) -> Any:
    """Neighbours on a ``rows`` × ``cols`` lattice, units numbered row by row.

    Parameters
    ----------
    rows, cols : int
        Lattice size, both at least 1.
    queen : bool, default True
        Queen (8 neighbours: edges and corners) or rook (4: edges only) contiguity.

    Returns
    -------
    scipy.sparse.csr_array of float, shape (rows * cols, rows * cols)

    Examples
    --------
    >>> w = lattice_weights(3, 3)
    >>> int(w[[4]].sum()), int(w[[0]].sum()), int(lattice_weights(3, 3, queen=False)[[4]].sum())
    (8, 3, 4)
    """
    if rows < 1 or cols < 1:
        raise ValueError(f"lattice needs rows, cols >= 1, got {rows} x {cols}")
    index = np.arange(rows * cols, dtype=np.int64).reshape(rows, cols)
    offsets = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if queen else [])
    first, second = [], []
    for dr, dc in offsets:
        source = index[: rows - dr, max(0, -dc) : cols - max(0, dc)]
        target = index[dr:, max(0, dc) : cols - max(0, -dc)]
        first.append(source.ravel())
        second.append(target.ravel())
    return neighbours_from_pairs(np.concatenate(first), np.concatenate(second), rows * cols)
