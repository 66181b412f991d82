"""Convex footprints checked with array arithmetic (凸轮廓快速校验), no geometry objects.

Most building footprints are rectangles or other convex polygons of one ring. For
those, what an import asks of GEOS can be answered from the coordinates alone,
vectorised over every ring of a batch with the same vertex count:

- **validity**: a closed ring whose turns all go the same way, each clearly (the sine
  of every turn above :data:`MIN_TURN_SINE`, far beyond what rounding can flip), and
  that turns once in all (2π) is a simple convex polygon, which GEOS calls valid;
- **area**: GEOS's shoelace sum (``Area::ofRingSigned``), term for term;
- **point on surface**: GEOS's ``InteriorPointArea`` — the horizontal line halfway
  between the two vertex heights around the middle of the ring's extent, and the
  middle of its section inside the ring — term for term, so that the point is the
  one ``shapely.point_on_surface`` gives, to the last bit.

Rings this cannot vouch for (concave, nearly degenerate, very many vertices) are left
to GEOS by the caller (:mod:`gis.footprints`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_VERTICES", "MIN_TURN_SINE", "ConvexRings", "check_convex_rings"]

#: Rings with more vertices (closing vertex included) are left to GEOS.
MAX_VERTICES = 32
#: Smallest |sine| of a turn between consecutive edges taken as a clear turn.
MIN_TURN_SINE = 1e-9
#: Vertices checked at once: the temporaries (a few dozen arrays of this many floats)
#: stay small enough to be reused from the allocator's free memory, not fresh pages.
_CHUNK_VERTICES = 32_768


@dataclass(frozen=True)
class ConvexRings:
    """What :func:`check_convex_rings` found, one entry per ring.

    ``convex`` marks the rings proven to be valid convex polygons; ``area`` (planar,
    in the coordinates' units squared), ``bounds`` (minx, miny, maxx, maxy) and
    ``anchor`` (GEOS's point on surface) are meaningful there and NaN elsewhere.
    """

    convex: NDArray[np.bool_]
    area: NDArray[np.float64]
    bounds: NDArray[np.float64]
    anchor: NDArray[np.float64]


def check_convex_rings(xy: NDArray[np.float64], sizes: NDArray[np.int64]) -> ConvexRings:
    """Prove rings valid and convex; measure them and find their point on surface.

    Parameters
    ----------
    xy : (vertices, 2) float array
        The coordinates of every ring, ring after ring, each ring closed (first vertex
        repeated at the end), as in one-ring WKB.
    sizes : int array
        The vertex count of each ring, closing vertex included.

    Returns
    -------
    ConvexRings

    Examples
    --------
    >>> square = [(0, 0), (2, 0), (2, 2), (0, 2), (0, 0)]
    >>> bow_tie = [(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)]
    >>> found = check_convex_rings(np.array(square + bow_tie, float), np.array([5, 5]))
    >>> found.convex.tolist(), found.area[0], found.anchor[0].tolist()
    ([True, False], 4.0, [1.0, 1.0])
    """
    n = len(sizes)
    convex = np.zeros(n, dtype=bool)
    area = np.full(n, np.nan)
    bounds = np.full((n, 4), np.nan)
    anchor = np.full((n, 2), np.nan)
    first = np.cumsum(sizes) - sizes
    x, y = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    for k in np.unique(sizes[(sizes >= 4) & (sizes <= MAX_VERTICES)]):
        of_size = np.flatnonzero(sizes == k)
        for start in range(0, len(of_size), _CHUNK_VERTICES // k):
            rings = of_size[start : start + _CHUNK_VERTICES // k]
            at = first[rings][None, :] + np.arange(k)[:, None]  # (vertex, ring)
            found = _check_group(x[at], y[at])
            convex[rings] = found[0]
            area[rings], bounds[rings], anchor[rings] = found[1], found[2], found[3]
    area[~convex] = np.nan
    bounds[~convex] = np.nan
    anchor[~convex] = np.nan
    return ConvexRings(convex, area, bounds, anchor)


def _check_group(
    x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """:func:`check_convex_rings` for rings of one vertex count: ``x``, ``y`` are
    ``(vertices, rings)``."""
    k = len(x)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ok = np.isfinite(x).all(axis=0) & np.isfinite(y).all(axis=0)
        ok &= (x[0] == x[-1]) & (y[0] == y[-1])
        ok &= _turns_once_clearly(x, y)
        area = _shoelace(x, y)
        minx, maxx = x.min(axis=0), x.max(axis=0)
        miny, maxy = y.min(axis=0), y.max(axis=0)
        anchor_x, anchor_y, found = _interior_point(x, y, miny, maxy)
    ok &= found & (k >= 4)
    bounds = np.column_stack([minx, miny, maxx, maxy])
    return ok, area, bounds, np.column_stack([anchor_x, anchor_y])


def _turns_once_clearly(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Every turn clearly the same way and one full turn in all: a simple convex ring.

    With all turns strictly one way, the direction of the edges only rotates one way,
    and a closed ring that does so through 2π (not 4π, a star) does not cross itself.
    The sign of a turn is trusted only where its sine is above :data:`MIN_TURN_SINE`:
    the rounding of the cross product is ~1e-16 of the edge lengths' product.
    """
    dx, dy = np.diff(x, axis=0), np.diff(y, axis=0)  # (edge, ring)
    next_dx, next_dy = np.roll(dx, -1, axis=0), np.roll(dy, -1, axis=0)
    cross = dx * next_dy - dy * next_dx
    length2 = dx * dx + dy * dy
    clear = cross * cross > MIN_TURN_SINE**2 * length2 * np.roll(length2, -1, axis=0)
    one_way = ((cross > 0).all(axis=0) | (cross < 0).all(axis=0)) & clear.all(axis=0)
    turning = np.arctan2(cross, dx * next_dx + dy * next_dy).sum(axis=0)
    return one_way & (np.abs(np.abs(turning) - 2 * math.pi) < math.pi)


def _shoelace(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """|area| as GEOS sums it: Σ (xᵢ − x₀)(yᵢ₋₁ − yᵢ₊₁) / 2, i = 1 … k−2, in that order."""
    total = np.zeros(x.shape[1])
    for i in range(1, len(x) - 1):
        total += (x[i] - x[0]) * (y[i - 1] - y[i + 1])
    return np.abs(total / 2.0)


def _interior_point(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    miny: NDArray[np.float64],
    maxy: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """GEOS's ``InteriorPointArea`` for one ring: ``(x, y, found)``; ``found`` is False
    where the scan line does not cross exactly two edges with room between them (left
    to GEOS)."""
    centre = (miny + maxy) / 2.0
    low = np.maximum(np.where(y <= centre, y, -np.inf).max(axis=0), miny)
    high = np.minimum(np.where(y > centre, y, np.inf).min(axis=0), maxy)
    scan = (high + low) / 2.0
    x0, x1, y0, y1 = x[:-1], x[1:], y[:-1], y[1:]  # edges (p0 → p1)
    crossing = (
        ~((y0 > scan) & (y1 > scan))
        & ~((y0 < scan) & (y1 < scan))
        & (y0 != y1)
        & ~((y0 == scan) & (y1 < scan))
        & ~((y1 == scan) & (y0 < scan))
    )
    at = np.where(x0 == x1, x0, x0 + (scan - y0) / ((y1 - y0) / (x1 - x0)))
    west = np.where(crossing, at, np.inf).min(axis=0)
    east = np.where(crossing, at, -np.inf).max(axis=0)
    found = (crossing.sum(axis=0) == 2) & (east - west > 0)
    return (west + east) / 2.0, scan, found
