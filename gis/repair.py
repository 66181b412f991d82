"""Repair of building footprints (轮廓修复): valid MultiPolygons in WGS 84, no slivers.

:func:`repair_polygons` runs ``shapely.make_valid`` on invalid footprints, keeps their
polygonal parts, drops parts under 1 m² and returns one MultiPolygon per usable
feature with a status saying what happened. Nearly every footprint is already a valid
polygon or one-part multipolygon: those take a fast path that builds no new geometry
(only polygons still need their one-part MultiPolygon). Used by
:func:`gis.footprints.read_footprints`.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "EMPTY",
    "MIN_AREA_M2",
    "NOT_POLYGON",
    "OK",
    "REPAIRED",
    "SLIVER",
    "UNREPAIRABLE",
    "area_m2",
    "repair_polygons",
]

MIN_AREA_M2 = 1.0  #: polygon parts smaller than this are slivers and dropped
_M_PER_DEGREE = 6_371_008.8 * math.pi / 180.0

#: Repair status of each feature (the second result of :func:`repair_polygons`).
OK, REPAIRED, EMPTY, NOT_POLYGON, UNREPAIRABLE, SLIVER = range(6)


def repair_polygons(
    geometries: ArrayLike, *, min_area_m2: float = MIN_AREA_M2
) -> tuple[NDArray[np.object_], NDArray[np.int8]]:
    """Make lon/lat footprints valid MultiPolygons: ``make_valid``, polygonal parts, no slivers.

    Parameters
    ----------
    geometries : array_like of shapely geometries
        WGS 84 geometries (None allowed).
    min_area_m2 : float
        Polygon parts smaller than this (approximate square metres) are dropped.

    Returns
    -------
    (multipolygons, status)
        ``multipolygons`` holds a valid MultiPolygon per usable feature (None elsewhere);
        ``status`` is 0 unchanged, 1 repaired, 2 empty, 3 not a polygon, 4 invalid and
        unrepairable, 5 only slivers.

    Examples
    --------
    >>> from shapely import Polygon
    >>> fixed, status = repair_polygons([Polygon([(114, 22.5), (114.001, 22.501),
    ...                                           (114.001, 22.5), (114, 22.501)])])
    >>> len(fixed[0].geoms), status.tolist()
    (2, [1])
    """
    geoms = np.asarray(geometries, dtype=object)
    n = len(geoms)
    status = np.full(n, OK, dtype=np.int8)
    kind = shapely.get_type_id(geoms)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    status[empty] = EMPTY
    status[~empty & ~np.isin(kind, (3, 6, 7))] = NOT_POLYGON
    work = np.flatnonzero(status == OK)
    valid = shapely.is_valid(geoms[work])
    result = np.full(n, None, dtype=object)
    # Fast path, nearly every footprint: a valid polygon or one-part multipolygon.
    simple = work[valid & (shapely.get_num_geometries(geoms[work]) == 1) & (kind[work] != 7)]
    small = _area_m2(geoms[simple]) < min_area_m2
    status[simple[small]] = SLIVER
    simple = simple[~small]
    is_multi = kind[simple] == 6
    result[simple[is_multi]] = geoms[simple[is_multi]]
    polygons = simple[~is_multi]
    result[polygons] = shapely.multipolygons(geoms[polygons], indices=np.arange(len(polygons)))
    done = np.zeros(n, dtype=bool)
    done[simple] = True
    done[status != OK] = True
    rest = np.flatnonzero(~done)
    if len(rest):
        _repair_parts(
            geoms, rest, rest[~shapely.is_valid(geoms[rest])], status, result, min_area_m2
        )
    return result, status


def _area_m2(geoms: NDArray[np.object_]) -> NDArray[np.float64]:
    """Approximate areas in square metres of lon/lat geometries."""
    return area_m2(shapely.area(geoms), shapely.bounds(geoms))


def area_m2(area: ArrayLike, bounds: NDArray[np.float64]) -> NDArray[np.float64]:
    """Approximate square metres of lon/lat areas (square degrees) given their bounds
    (minx, miny, maxx, maxy): a degree of longitude shrinks with the cosine of the
    latitude in the middle of the bounds."""
    scale = _M_PER_DEGREE**2 * np.cos(np.radians((bounds[:, 1] + bounds[:, 3]) / 2))
    return np.asarray(np.asarray(area) * scale, dtype=np.float64)


def _repair_parts(
    geoms: NDArray[np.object_],
    work: NDArray[np.intp],
    invalid: NDArray[np.intp],
    status: NDArray[np.int8],
    result: NDArray[np.object_],
    min_area_m2: float,
) -> None:
    """The general path of :func:`repair_polygons` for the features ``work``: ``make_valid``
    the ``invalid`` ones, split into polygonal parts, drop slivers, regroup."""
    n = len(geoms)
    fixed = geoms.copy()
    fixed[invalid] = shapely.make_valid(geoms[invalid])
    parts, owner = shapely.get_parts(fixed[work], return_index=True)
    owner = work[owner]
    while len(nested := np.flatnonzero(np.isin(shapely.get_type_id(parts), (6, 7)))):
        inner, which = shapely.get_parts(parts[nested], return_index=True)
        keep = np.ones(len(parts), dtype=bool)
        keep[nested] = False
        parts = np.concatenate([parts[keep], inner])
        owner = np.concatenate([owner[keep], owner[nested][which]])
    polygonal = shapely.get_type_id(parts) == 3
    big = polygonal & (_area_m2(parts) >= min_area_m2)
    counts = np.bincount(owner, minlength=n)
    kept = np.bincount(owner[big], minlength=n)
    has_polygon = np.bincount(owner[polygonal], minlength=n) > 0
    was_invalid = np.zeros(n, dtype=bool)
    was_invalid[invalid] = True
    ok = np.zeros(n, dtype=bool)
    ok[work] = True
    status[ok & (kept == 0) & was_invalid] = UNREPAIRABLE
    status[ok & (kept == 0) & ~was_invalid & has_polygon] = SLIVER
    status[ok & (kept == 0) & ~was_invalid & ~has_polygon] = NOT_POLYGON
    status[ok & (kept > 0) & (was_invalid | (kept < counts))] = REPAIRED
    grouped = np.full(n, None, dtype=object)
    order = np.argsort(owner[big], kind="stable")
    shapely.multipolygons(parts[big][order], indices=owner[big][order], out=grouped)
    result[work] = grouped[work]
