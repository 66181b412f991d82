"""Basic-grid partition (基础网格划分): cut a community into grids of 300–500 households.

The recipe (SPEC §2.1):

1. **Grouping** (:mod:`grids.partition_balance`). Buildings at the same spot (within
   10 cm) share one site. Sites are grouped by a k-d style recursive split on household
   counts (cut along the longer extent at the household-weighted position); each group
   is then made connected in the sites' neighbour graph (Gabriel edges inside the
   community), and border sites move from groups outside the target to neighbouring
   groups while that brings the groups closer to the target.
2. **Tessellation.** The Voronoi cells of each group's sites are dissolved and clipped
   to the community, which tiles the community exactly.
3. **Repair.** A group whose region still falls apart keeps its part with the most
   households; every detached part goes to the neighbouring grid with the longest
   shared border, growing outwards from the kept parts, so every grid is one polygon.
4. **Numbering and assignment.** Grids are numbered 01..99 west→east, north→south (see
   :func:`grid_sequence_order`) and every building is assigned to the grid that covers
   its point (on a shared edge: the lower sequence number; outside the community: the
   nearest grid), so geometry and membership always agree.

A community with islands (a MultiPolygon) is partitioned island by island, since a
grid must be one polygon. Geometry is WGS 84 longitude/latitude; distances for cuts,
Voronoi cells and rows are taken in a local equirectangular plane in metres around the
community's centroid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import MultiPolygon, Polygon

from gis.crs import check_bbox_in_china
from grids.codes import Level, make_grid_code, validate_area_code
from grids.partition_balance import (
    DEFAULT_TARGET,
    choose_grid_count,
    connect_groups,
    rebalance_groups,
    site_graph,
    split_by_households,
)

__all__ = [
    "DEFAULT_TARGET",
    "MAX_GRIDS_PER_COMMUNITY",
    "BasicGrid",
    "as_lonlat",
    "choose_grid_count",
    "grid_sequence_order",
    "partition_community",
    "split_by_households",
]

#: The sequence segment of a grid code has two digits.
MAX_GRIDS_PER_COMMUNITY = 99

_METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180.0  # mean Earth radius
_SITE_RESOLUTION_M = 0.1  # buildings closer than this share one Voronoi site
_TOUCH_TOLERANCE_DEG = 1e-9  # ~0.1 mm: slack when measuring shared borders
_FIRM_BORDER_DEG = 4e-9  # shared borders longer than this are not mere corner contacts

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class BasicGrid:
    """One basic grid (基础网格) of a community.

    Attributes
    ----------
    code : str
        14 digits: the 12-digit community code and a 2-digit sequence number.
    polygon : shapely.Polygon
        The grid's area in WGS 84 longitude/latitude.
    building_indices : numpy.ndarray
        Ascending indices (into the input building arrays) of the grid's buildings.
    households : int
        Total households of those buildings.
    """

    code: str
    polygon: Polygon
    building_indices: IntArray
    households: int

    @property
    def sequence(self) -> int:
        """The grid's sequence number inside its community (1..99)."""
        return int(self.code[12:])


def partition_community(
    community_code: str,
    polygon: Polygon | MultiPolygon,
    building_points: ArrayLike | Sequence[shapely.Point],
    households: ArrayLike,
    *,
    target: tuple[int, int] = DEFAULT_TARGET,
) -> list[BasicGrid]:
    """Divide one community into basic grids that each hold about ``target`` households.

    Parameters
    ----------
    community_code : str
        12-digit community (社区) code; grid codes extend it by two digits.
    polygon : shapely.Polygon or shapely.MultiPolygon
        The community boundary in WGS 84 (lon, lat), valid. Each part of a MultiPolygon
        (an island) gets its own grids, from the buildings on or nearest to it.
    building_points : array_like of shape (N, 2) or sequence of shapely.Point
        One point per building, (lon, lat).
    households : array_like of int, shape (N,)
        Households per building (0 for offices, shops, schools...).
    target : (int, int), default (300, 500)
        Wanted households per grid, inclusive. The number of grids is
        :func:`choose_grid_count` (at most one per building spot with households); a
        community with fewer than ``target[0]`` households becomes one grid.

    Returns
    -------
    list of BasicGrid
        In sequence order (01, 02, ..., see :func:`grid_sequence_order`). The polygons
        tile ``polygon``, each a single Polygon. Every building is in exactly one grid:
        the covering grid with the lowest sequence number, or for a point outside the
        community the nearest grid. The same input always gives the same grids, in
        whatever order the buildings come.

    Raises
    ------
    ValueError
        On a malformed code, geometry, target or building arrays, or when the
        community would need more than 99 grids.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> community = box(114.050, 22.540, 114.060, 22.548)
    >>> points = [(114.052, 22.546), (114.058, 22.546), (114.052, 22.542), (114.058, 22.542)]
    >>> grids = partition_community("440304001001", community, points, [400] * 4)
    >>> [(g.code[-2:], g.building_indices.tolist()) for g in grids]
    [('01', [0]), ('02', [1]), ('03', [2]), ('04', [3])]
    """
    community_code = validate_area_code(community_code, Level.COMMUNITY)
    parts = _community_parts(polygon)
    lo, hi = _check_target(target)
    lonlat, weights = _check_buildings(building_points, households)
    origin = np.array(polygon.centroid.coords[0])
    scale = np.array([_METRES_PER_DEGREE * math.cos(math.radians(origin[1])), _METRES_PER_DEGREE])
    part_of_building = _assign_buildings(parts, lonlat, origin, scale)
    plans = [
        _plan(part, part_of_building == index, lonlat, weights, (lo, hi), origin, scale)
        for index, part in enumerate(parts)
    ]
    if sum(plan.count for plan in plans) > MAX_GRIDS_PER_COMMUNITY:
        raise ValueError(
            f"community {community_code} needs {sum(plan.count for plan in plans)} grids for "
            f"{int(weights.sum())} households at {lo}-{hi} per grid, but grid codes allow at "
            f"most {MAX_GRIDS_PER_COMMUNITY}; raise the target or split the community"
        )
    regions = [region for plan in plans for region in _tessellate(plan, (lo, hi), origin, scale)]
    ordered = [regions[i] for i in grid_sequence_order(regions)]
    grid_of_building = _assign_buildings(ordered, lonlat, origin, scale)
    grids = []
    for number, region in enumerate(ordered):
        members = np.flatnonzero(grid_of_building == number).astype(np.int64)
        grids.append(
            BasicGrid(
                code=make_grid_code(community_code, number + 1),
                polygon=region,
                building_indices=members,
                households=int(weights[members].sum()),
            )
        )
    return grids


@dataclass(frozen=True, eq=False)
class _Plan:
    """One polygon of a community with its buildings merged into Voronoi sites."""

    polygon: Polygon
    lonlat: FloatArray  # its buildings
    weights: IntArray
    sites: FloatArray  # distinct building spots, local metres
    site_of_building: IntArray
    site_weights: FloatArray
    count: int  # grids to make


def _plan(
    polygon: Polygon,
    members: NDArray[np.bool_],
    lonlat: FloatArray,
    weights: IntArray,
    target: tuple[int, int],
    origin: FloatArray,
    scale: FloatArray,
) -> _Plan:
    """Merge buildings closer than 10 cm into sites and choose the number of grids."""
    keys = np.round((lonlat[members] - origin) * scale / _SITE_RESOLUTION_M).astype(np.int64)
    site_keys, site_of_building = np.unique(keys.reshape(-1, 2), axis=0, return_inverse=True)
    site_of_building = site_of_building.reshape(-1)
    site_weights = np.bincount(
        site_of_building, weights=weights[members], minlength=len(site_keys)
    ).astype(np.float64)
    count = choose_grid_count(int(weights[members].sum()), target)
    return _Plan(
        polygon=polygon,
        lonlat=lonlat[members],
        weights=weights[members],
        sites=site_keys.astype(np.float64) * _SITE_RESOLUTION_M,
        site_of_building=site_of_building,
        site_weights=site_weights,
        count=max(1, min(count, int(np.count_nonzero(site_weights > 0)))),
    )


def _tessellate(
    plan: _Plan, target: tuple[int, int], origin: FloatArray, scale: FloatArray
) -> list[Polygon]:
    """Group the plan's sites by households and cut its polygon into one region per group."""
    if plan.count == 1:
        return [plan.polygon]
    inside = shapely.transform(plan.polygon, lambda xy: (xy - origin) * scale)
    edges = site_graph(plan.sites, inside)
    group = split_by_households(plan.sites, plan.site_weights, plan.count)
    group = connect_groups(group, plan.site_weights, edges)
    group = rebalance_groups(group, plan.site_weights, edges, target)
    clipped = _voronoi_regions(plan.polygon, plan.sites, group, plan.count, origin, scale)
    return _make_contiguous(clipped, plan.lonlat, group[plan.site_of_building], plan.weights)


def _voronoi_regions(
    polygon: Polygon,
    sites: FloatArray,
    site_group: IntArray,
    count: int,
    origin: FloatArray,
    scale: FloatArray,
) -> list[shapely.Geometry]:
    """Dissolve the Voronoi cells of each group of sites and clip them to the community."""
    minx, miny, maxx, maxy = polygon.bounds
    corners = (np.array([[minx, miny], [maxx, maxy]]) - origin) * scale
    low = np.minimum(corners.min(axis=0), sites.min(axis=0))
    high = np.maximum(corners.max(axis=0), sites.max(axis=0))
    pad = 0.1 * float((high - low).max()) + 100.0
    frame = shapely.box(*(low - pad), *(high + pad))
    diagram = shapely.voronoi_polygons(shapely.multipoints(sites), extend_to=frame, ordered=True)
    cells = shapely.get_parts(diagram)
    if len(cells) != len(sites):  # pragma: no cover - GEOS contract
        raise RuntimeError(f"Voronoi diagram has {len(cells)} cells for {len(sites)} sites")
    order = np.argsort(site_group, kind="stable")
    starts = np.searchsorted(site_group[order], np.arange(count + 1))
    dissolved = np.array(
        [_dissolve(cells[order[starts[g] : starts[g + 1]]]) for g in range(count)], dtype=object
    )
    in_degrees = shapely.transform(dissolved, lambda xy: xy / scale + origin)
    return list(shapely.intersection(in_degrees, polygon))


def _dissolve(cells: NDArray[np.object_]) -> shapely.Geometry:
    """Union of Voronoi cells: the fast coverage union, or the general one when GEOS finds
    the cells not exactly noded (sites on a perfectly regular lattice produce that)."""
    try:
        return shapely.coverage_union_all(cells)
    except shapely.errors.GEOSException:
        return shapely.union_all(cells)


def _make_contiguous(
    regions: list[shapely.Geometry],
    lonlat: FloatArray,
    building_group: IntArray,
    weights: IntArray,
) -> list[Polygon]:
    """Give every detached part of a group's region to a neighbour (see module notes)."""
    pieces, owner = shapely.get_parts(np.array(regions, dtype=object), return_index=True)
    keep = (shapely.get_type_id(pieces) == 3) & (shapely.area(pieces) > 0)
    pieces, owner = pieces[keep], owner[keep].astype(np.int64)
    group = np.full(len(pieces), -1, dtype=np.int64)
    for number in np.unique(owner):
        candidates = np.flatnonzero(owner == number)
        if len(candidates) == 1:
            group[candidates[0]] = number
            continue
        members = np.flatnonzero(building_group == number)
        inside = shapely.contains_xy(
            pieces[candidates][:, None], lonlat[members, 0][None, :], lonlat[members, 1][None, :]
        )
        held = inside @ weights[members]
        ranking = np.lexsort((shapely.area(pieces[candidates]), inside.sum(axis=1), held))
        group[candidates[ranking[-1]]] = number
    pending = np.flatnonzero(group < 0)
    if len(pending):
        _grow_into_detached(pieces, group, pending)
    result: list[Polygon] = []
    for number in np.unique(group):
        parts = pieces[group == number]
        merged = parts[0] if len(parts) == 1 else shapely.union_all(parts)
        if not isinstance(merged, Polygon):
            raise RuntimeError(f"grid region {number} is still in {len(parts)} parts after repair")
        result.append(merged)
    return result


def _grow_into_detached(pieces: NDArray[np.object_], group: IntArray, pending: IntArray) -> None:
    """Assign unowned pieces round by round to the neighbour with the longest shared border."""
    tree = shapely.STRtree(pieces)
    source, target = tree.query(pieces[pending], predicate="dwithin", distance=_TOUCH_TOLERANCE_DEG)
    source = pending[source]
    distinct = source != target
    source, target = source[distinct], target[distinct]
    shared = shapely.length(
        shapely.intersection(
            shapely.boundary(pieces[source]), shapely.buffer(pieces[target], _TOUCH_TOLERANCE_DEG)
        )
    )
    touching = shared > 0
    source, target, shared = source[touching], target[touching], shared[touching]
    firm = shared > _FIRM_BORDER_DEG
    while (group < 0).any():
        # Attach along firm borders first; a corner contact only when nothing else is left.
        ready = (group[source] < 0) & (group[target] >= 0)
        if (ready & firm).any():
            ready &= firm
        elif not ready.any():
            raise RuntimeError("community polygon has parts that touch no other grid")
        scores: dict[tuple[int, int], float] = {}
        for piece, neighbour, length in zip(
            source[ready], group[target[ready]], shared[ready], strict=True
        ):
            key = (int(piece), int(neighbour))
            scores[key] = scores.get(key, 0.0) + float(length)
        best: dict[int, tuple[float, int]] = {}
        for (piece, neighbour), length in sorted(scores.items()):
            if piece not in best or length > best[piece][0]:
                best[piece] = (length, neighbour)
        for piece, (_, neighbour) in best.items():
            group[piece] = neighbour


def grid_sequence_order(polygons: Sequence[Polygon]) -> IntArray:
    """Order grids west→east, north→south for numbering them 01, 02, ...

    The rule, on each grid's representative point (``shapely.point_on_surface``):

    1. the row height ``h`` is the side of the mean grid taken as a square,
       ``sqrt(total area / number of grids)`` (metres);
    2. points are visited from north to south (ties west first); the first point opens
       row 1, and each next point joins the current row if it lies at most ``h / 2``
       south of the row's first point, else it opens the next row;
    3. rows are numbered north to south and, inside a row, points run west to east
       (ties north first).

    Parameters
    ----------
    polygons : sequence of shapely.Polygon
        Grid polygons in WGS 84 (lon, lat).

    Returns
    -------
    numpy.ndarray
        Indices into ``polygons``; ``order[0]`` gets sequence number 01.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> quads = [box(1, 0, 2, 1), box(0, 1, 1, 2), box(0, 0, 1, 1), box(1, 1, 2, 2)]
    >>> grid_sequence_order([shapely.affinity.translate(q, 114, 22) for q in quads]).tolist()
    [1, 3, 2, 0]
    """
    geoms = np.array(list(polygons), dtype=object)
    if len(geoms) == 0:
        return np.zeros(0, dtype=np.int64)
    anchor = shapely.get_coordinates(shapely.point_on_surface(geoms))
    stretch = math.cos(math.radians(float(anchor[:, 1].mean())))
    x = anchor[:, 0] * stretch * _METRES_PER_DEGREE
    y = anchor[:, 1] * _METRES_PER_DEGREE
    area_m2 = float(shapely.area(geoms).sum()) * stretch * _METRES_PER_DEGREE**2
    half_row = math.sqrt(area_m2 / len(geoms)) / 2
    row = np.empty(len(geoms), dtype=np.int64)
    current, top = -1, math.inf
    for index in np.lexsort((x, -y)):
        if current < 0 or top - y[index] > half_row:
            current, top = current + 1, float(y[index])
        row[index] = current
    return np.lexsort((-y, x, row)).astype(np.int64)


def _assign_buildings(
    grids: list[Polygon], lonlat: FloatArray, origin: FloatArray, scale: FloatArray
) -> IntArray:
    """Index of the grid holding each building: lowest covering grid, else the nearest."""
    chosen = np.full(len(lonlat), len(grids), dtype=np.int64)
    if len(lonlat) == 0:
        return chosen
    geoms = np.array(grids, dtype=object)
    point_index, grid_index = shapely.STRtree(geoms).query(
        shapely.points(lonlat), predicate="covered_by"
    )
    np.minimum.at(chosen, point_index, grid_index)
    outside = np.flatnonzero(chosen == len(grids))
    if len(outside):
        local = shapely.transform(geoms, lambda xy: (xy - origin) * scale)
        points = shapely.points((lonlat[outside] - origin) * scale)
        chosen[outside] = np.argmin(shapely.distance(local[None, :], points[:, None]), axis=1)
    return chosen


def _community_parts(polygon: Polygon | MultiPolygon) -> list[Polygon]:
    """The polygons of a community (several when it holds islands), validated."""
    if not isinstance(polygon, Polygon | MultiPolygon):
        raise ValueError(f"community boundary must be a Polygon, got a {type(polygon).__name__}")
    if polygon.is_empty or not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        raise ValueError(f"community boundary is not a valid polygon: {reason}")
    check_bbox_in_china(polygon.bounds, crs_label="WGS 84 community boundary")
    return list(polygon.geoms) if isinstance(polygon, MultiPolygon) else [polygon]


def _check_target(target: tuple[int, int]) -> tuple[int, int]:
    lo, hi = target
    if not (0 < lo <= hi):
        raise ValueError(
            f"target must be (low, high) households with 0 < low <= high, got {target}"
        )
    return int(lo), int(hi)


def as_lonlat(building_points: ArrayLike | Sequence[shapely.Point]) -> FloatArray:
    """Building points as an (N, 2) float array of (lon, lat).

    Parameters
    ----------
    building_points : array_like of shape (N, 2) or sequence of shapely.Point

    Raises
    ------
    ValueError
        Wrong shape, non-point or empty geometries, NaN or infinite coordinates.

    Examples
    --------
    >>> as_lonlat([shapely.Point(114.05, 22.54)]).tolist()
    [[114.05, 22.54]]
    """
    raw = np.asarray(building_points)
    if raw.dtype == object:
        if not (shapely.get_type_id(raw) == 0).all() or shapely.is_empty(raw).any():
            raise ValueError("building_points must be non-empty shapely Points or (lon, lat) pairs")
        lonlat = shapely.get_coordinates(raw)
    else:
        lonlat = raw.astype(np.float64).reshape(-1, 2) if raw.size == 0 else raw.astype(np.float64)
    if lonlat.ndim != 2 or lonlat.shape[1] != 2:
        raise ValueError(f"building_points must have shape (N, 2), got {raw.shape}")
    if not np.isfinite(lonlat).all():
        raise ValueError("building_points contain NaN or infinite coordinates")
    return lonlat


def _check_buildings(
    building_points: ArrayLike | Sequence[shapely.Point], households: ArrayLike
) -> tuple[FloatArray, IntArray]:
    lonlat = as_lonlat(building_points)
    counts = np.asarray(households).reshape(-1)
    if len(counts) != len(lonlat):
        raise ValueError(f"{len(lonlat)} building points but {len(counts)} household counts")
    if len(counts) and (
        not np.isfinite(counts.astype(np.float64)).all()
        or (counts < 0).any()
        or (counts != np.round(counts)).any()
    ):
        raise ValueError("households must be non-negative integers")
    return lonlat, counts.astype(np.int64)
