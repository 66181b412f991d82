"""Repairs for polygon coverages (sets of polygons that tile an area without overlap).

A coverage is *conforming* when neighbours share their edges vertex for vertex: then
unions are exact, shared borders simplify identically and GEOS' coverage functions
(``shapely.coverage_is_valid``, ``shapely.coverage_union_all``) apply. Work in a
projected (metric) CRS so that tolerances are in metres.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = ["conform_coverage", "merge_fragments", "polygonal"]

GeometryT = TypeVar("GeometryT", bound=BaseGeometry)


def polygonal(geometry: BaseGeometry) -> Polygon | MultiPolygon:
    """Keep only the polygonal parts of a geometry (e.g. after ``make_valid`` or an overlay).

    Examples
    --------
    >>> from shapely import GeometryCollection, LineString, box
    >>> polygonal(GeometryCollection([box(0, 0, 1, 1), LineString([(2, 2), (3, 3)])])).wkt
    'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))'
    """
    parts = [
        part
        for part in shapely.get_parts(geometry)
        if isinstance(part, Polygon | MultiPolygon) and not part.is_empty
    ]
    if not parts:
        return Polygon()
    merged = shapely.union_all(parts)
    if isinstance(merged, Polygon | MultiPolygon):
        return merged
    return polygonal(merged)


def merge_fragments(pieces: Sequence[GeometryT]) -> list[GeometryT]:
    """Make each piece of a coverage one polygon, by handing its stray parts to neighbours.

    Every part of a piece except its largest one joins the piece that shares the
    longest border with it. Parts that touch no other piece (islands) are kept.

    Parameters
    ----------
    pieces : sequence of shapely.Polygon or shapely.MultiPolygon
        A coverage: non-overlapping polygons, in any order.

    Returns
    -------
    list
        The pieces in the same order; the coverage's union is unchanged.

    Examples
    --------
    >>> from shapely import MultiPolygon, box
    >>> a = MultiPolygon([box(0, 0, 1, 1), box(2, 0, 2.2, 1)])
    >>> b = box(1, 0, 2, 1)
    >>> [round(p.area, 1) for p in merge_fragments([a, b])]
    [1.0, 1.2]
    """
    result: list[BaseGeometry] = list(pieces)
    tree = shapely.STRtree(result)
    for index, piece in enumerate(pieces):
        parts = sorted(shapely.get_parts(piece), key=lambda part: -part.area)
        if len(parts) < 2:
            continue
        kept = [parts[0]]
        for part in parts[1:]:
            border = part.boundary
            best, best_length = -1, 0.0
            for other in tree.query(part, predicate="intersects"):
                if other == index:
                    continue
                length = shapely.length(shapely.intersection(border, result[other].boundary))
                if length > best_length:
                    best, best_length = int(other), float(length)
            if best < 0:
                kept.append(part)
            else:
                result[best] = polygonal(shapely.union(result[best], part))
        result[index] = kept[0] if len(kept) == 1 else MultiPolygon(kept)
    return result


def conform_coverage(
    pieces: Sequence[GeometryT], *, tolerance: float = 1e-3, grid_size: float | None = None
) -> list[GeometryT]:
    """Insert into each piece the vertices of its neighbours that lie on its boundary.

    Pieces cut from a common polygon at different times have T-junctions: a vertex of
    one piece lies on an edge of its neighbour without being a vertex there. This adds
    such vertices (within ``tolerance``) so that neighbours share edges exactly.
    With ``grid_size``, vertices are first rounded to that grid
    (``shapely.set_precision``), which also removes the zero-width spikes and slivers
    that overlay operations can leave behind.

    Parameters
    ----------
    pieces : sequence of shapely geometries
        Non-overlapping polygons in a projected CRS.
    tolerance : float, default 1e-3
        Distance (CRS units, metres) under which a vertex counts as lying on an edge.
        Keep it well below the shortest edge.
    grid_size : float, optional
        Precision grid (CRS units) applied to every piece first.

    Returns
    -------
    list
        The pieces in the same order, with the extra vertices.

    Examples
    --------
    >>> from shapely import Polygon, box
    >>> left = box(0, 0, 1, 2)
    >>> right = Polygon([(1, 0), (2, 0), (2, 2), (1, 2), (1, 1)])
    >>> [len(p.exterior.coords) for p in conform_coverage([left, right])]
    [6, 6]
    """
    geometries = list(pieces)
    if grid_size is not None:
        geometries = list(shapely.set_precision(geometries, grid_size))
    vertices = np.unique(shapely.get_coordinates(geometries), axis=0)
    points = shapely.points(vertices)
    tree = shapely.STRtree(points)
    result: list[GeometryT] = []
    for geometry in geometries:
        near = tree.query(geometry.boundary, predicate="dwithin", distance=tolerance)
        snapped = shapely.snap(geometry, shapely.multipoints(vertices[near]), tolerance)
        result.append(snapped if snapped.is_valid else geometry)
    return result
