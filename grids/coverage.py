"""Coverage checks: do child areas tile their parent (无缝隙、无重叠、全覆盖)?

Every level of the grid hierarchy must tile the level above: streets their district,
communities their street, basic grids (基础网格) their community. :func:`check_tiling`
measures how far a set of children is from that, in square metres, and names the
children at fault.

Gaps, overlaps and overhang are computed in the geometries' own CRS, where their edges
are straight (as PostGIS stores them), and only the resulting pieces are projected to
the plane EPSG:4547 to measure their area: projecting the inputs first would bend long
edges and show slivers between neighbours that split a shared edge at different
vertices.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gis.crs import WGS84_SRID, CrsLike, from_wgs84, resolve_crs, to_wgs84

__all__ = ["MEASURE_SRID", "TilingReport", "check_tiling"]

#: CGCS2000 / 3-degree Gauss-Krüger CM 114°E: near Shenzhen its area scale error is
#: below 1e-4, so it serves as the equal-area plane for measuring gaps and overlaps.
MEASURE_SRID = 4547

_PAIR_OVERLAP_M2 = 0.01  # pairs overlapping by less than this are rounding, not faults


@dataclass(frozen=True)
class TilingReport:
    """How well children tile their parent; areas in square metres.

    Attributes
    ----------
    parent_area_m2 : float
        Area of the parent.
    gap_area_m2 : float
        Parent area covered by no child.
    overlap_area_m2 : float
        Sum of the areas shared by two children.
    outside_area_m2 : float
        Child area outside the parent.
    tolerance_m2 : float
        The allowance used by :attr:`ok`.
    overlapping : tuple of (id, id)
        Pairs of children whose overlap exceeds 0.01 m².
    non_contiguous : tuple of id
        Children in more than one piece. A piece that is a whole part of the parent
        (an island) does not count when the check allows islands.
    invalid : tuple of id
        Children that are empty, not polygonal or not valid geometries.
    """

    parent_area_m2: float
    gap_area_m2: float
    overlap_area_m2: float
    outside_area_m2: float
    tolerance_m2: float
    overlapping: tuple[tuple[Hashable, Hashable], ...]
    non_contiguous: tuple[Hashable, ...]
    invalid: tuple[Hashable, ...]

    @property
    def ok(self) -> bool:
        """True when gaps, overlaps and overhang are within tolerance and no child is at fault."""
        return (
            self.gap_area_m2 <= self.tolerance_m2
            and self.overlap_area_m2 <= self.tolerance_m2
            and self.outside_area_m2 <= self.tolerance_m2
            and not self.overlapping
            and not self.non_contiguous
            and not self.invalid
        )


def check_tiling(
    parent: BaseGeometry,
    children: Mapping[Hashable, BaseGeometry],
    *,
    crs: CrsLike = WGS84_SRID,
    tolerance_m2: float = 1.0,
    relative_tolerance: float = 1e-6,
    allow_islands: bool = True,
) -> TilingReport:
    """Measure gaps, overlaps and fragmented children of a would-be tiling of ``parent``.

    Parameters
    ----------
    parent : shapely.Polygon or shapely.MultiPolygon
        The area to be tiled.
    children : mapping of id to shapely geometry
        The tiles, keyed by any hashable id (e.g. their codes).
    crs : str, int or pyproj.CRS, default 4326
        CRS of ``parent`` and ``children``. Gaps and overlaps are found in this CRS
        and their areas measured on the plane EPSG:4547 (:data:`MEASURE_SRID`).
    tolerance_m2 : float, default 1.0
        Allowance for each of gap, overlap and outside area, in m² ...
    relative_tolerance : float, default 1e-6
        ... or this fraction of the parent's area, whichever is larger.
    allow_islands : bool, default True
        Let a child have extra pieces that are whole parts of the parent (islands).

    Returns
    -------
    TilingReport
        Its ``ok`` property says whether the children tile the parent.

    Examples
    --------
    >>> from shapely import box
    >>> parent = box(0, 0, 100, 100)
    >>> halves = {"w": box(0, 0, 50, 100), "e": box(50, 0, 100, 100)}
    >>> check_tiling(parent, halves, crs=4547).ok
    True
    >>> report = check_tiling(parent, {"w": box(0, 0, 60, 100), "e": box(50, 0, 90, 100)},
    ...                       crs=4547)
    >>> report.ok, round(report.gap_area_m2), round(report.overlap_area_m2), report.overlapping
    (False, 1000, 1000, (('w', 'e'),))
    """
    ids = list(children)
    invalid = tuple(key for key in ids if not _is_good(children[key]))
    good = {key: children[key] for key in ids if key not in invalid}
    union = shapely.union_all(list(good.values())) if good else shapely.Polygon()
    pairs, overlaps = _overlaps(good)
    parent_area, gap_area, outside_area, *overlap_areas = _area_m2(
        [parent, parent.difference(union), union.difference(parent), *overlaps], crs
    )
    return TilingReport(
        parent_area_m2=parent_area,
        gap_area_m2=gap_area,
        overlap_area_m2=float(sum(overlap_areas)),
        outside_area_m2=outside_area,
        tolerance_m2=max(tolerance_m2, relative_tolerance * parent_area),
        overlapping=tuple(
            pair for pair, area in zip(pairs, overlap_areas, strict=True) if area > _PAIR_OVERLAP_M2
        ),
        non_contiguous=tuple(
            key for key, child in good.items() if _pieces(child, parent, allow_islands) > 1
        ),
        invalid=invalid,
    )


def _is_good(child: BaseGeometry | None) -> bool:
    return (
        child is not None
        and child.geom_type in ("Polygon", "MultiPolygon")
        and not child.is_empty
        and child.is_valid
    )


def _area_m2(geometries: list[BaseGeometry], crs: CrsLike) -> list[float]:
    """Areas on the measuring plane (geographic input is projected to EPSG:4547)."""
    resolved = resolve_crs(crs)
    array = np.empty(len(geometries), dtype=object)
    array[:] = geometries
    if resolved.geographic:
        wgs84 = array if resolved.srid == WGS84_SRID else to_wgs84(array, crs, check=False)
        # Densify first (~50 m): collinear vertices of a thin sliver stop being collinear
        # once projected, which would invent area that is not in the data.
        array = from_wgs84(shapely.segmentize(wgs84, 5e-4), MEASURE_SRID)
    elif resolved.srid != MEASURE_SRID:
        array = from_wgs84(to_wgs84(array, crs, check=False), MEASURE_SRID)
    return [float(area) for area in shapely.area(array)]


def _overlaps(
    children: Mapping[Hashable, BaseGeometry],
) -> tuple[list[tuple[Hashable, Hashable]], list[BaseGeometry]]:
    """Pairs of children whose interiors intersect, and their intersections."""
    keys = list(children)
    geometries = np.empty(len(keys), dtype=object)
    geometries[:] = [children[key] for key in keys]
    left, right = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.intersection(geometries[left], geometries[right])
    keep = shapely.area(shared) > 0  # neighbours share edges, not area
    pairs = [(keys[int(i)], keys[int(j)]) for i, j in zip(left[keep], right[keep], strict=True)]
    return pairs, list(shared[keep])


def _pieces(child: BaseGeometry, parent: BaseGeometry, allow_islands: bool) -> int:
    """Number of pieces of ``child``, not counting whole parts of ``parent`` if allowed."""
    pieces = list(shapely.get_parts(child))
    if not allow_islands or len(pieces) < 2:
        return len(pieces)
    parent_parts = list(shapely.get_parts(parent))
    return sum(not any(_same_part(piece, part) for part in parent_parts) for piece in pieces)


def _same_part(piece: BaseGeometry, part: BaseGeometry) -> bool:
    return math.isclose(piece.area, part.area, rel_tol=1e-6) and part.contains(
        piece.representative_point()
    )
