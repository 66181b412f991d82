"""Synthetic street (街道) and community (社区) polygons inside the real district outlines.

Street and community boundaries of Shenzhen are not published, so they are made up,
reproducibly from a seed, with the real names and codes:

* **Streets** tile their district. Each street has a hand-placed approximate location
  (``street_anchors.csv``): the district is cut by weighted recursive bisection
  (:func:`gis.tessellate.split_polygon`) keeping every anchor on its street's side,
  so streets sit roughly where they really are (大鹏新区's 葵涌/大鹏/南澳 in the
  east of 龙岗, the airport on 宝安's coast). A street's area is its anchor's Voronoi
  cell in the district times a seeded random factor, so streets are small where
  anchors are dense (the urban core) and large at the fringe; the few special zones
  (保税区, 前海合作区, 机场) get their approximate real area instead.
* **Communities** tile their street, with seeded log-normal sizes; their codes are then
  handed out west→east, north→south (:func:`grids.partition.grid_sequence_order`).
* **Islands** (南山's 内伶仃岛 and the islets of 大铲岛) belong to the communities named
  after them (内伶仃岛社区, 大铲社区 of 蛇口街道); 蛇口街道 and 大铲社区 are the only
  street and community that are not a single polygon.

All cutting happens in the metric plane EPSG:4547. The communities are then snapped
into a conforming coverage and every higher level is rebuilt as the exact union of
its children, so all levels nest without gaps or overlaps.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TypeAlias

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from gis.crs import from_wgs84, to_wgs84
from gis.tessellate import split_polygon
from gis.topology import conform_coverage, polygonal
from grids.districts import METRIC_SRID, district_outlines
from grids.partition import grid_sequence_order

__all__ = ["CITY_CODE", "StreetAnchor", "read_street_anchors", "synthesise_geometries"]

CITY_CODE = "4403"
PolygonalGeometry: TypeAlias = Polygon | MultiPolygon

_ISLAND_MAX_M2 = 10e6  # a district part smaller than 10 km² is an island
#: Communities made of islands, with the islands' approximate WGS 84 location.
_ISLAND_COMMUNITIES = {
    "440305005011": (113.805, 22.415),  # 内伶仃岛社区 (蛇口街道): 内伶仃岛
    "440305005009": (113.848, 22.503),  # 大铲社区 (蛇口街道): 大铲岛 and its neighbour
}
_STREET_SPREAD = 0.25  # sigma of the log-normal factor on street areas
_COMMUNITY_SPREAD = 0.5  # sigma of the log-normal community sizes
_GRID_M = 1e-3  # vertices are rounded to the millimetre
_VERTEX_TOLERANCE_M = 1e-2  # a vertex this close to a neighbour's edge is put on it


@dataclass(frozen=True)
class StreetAnchor:
    """Approximate WGS 84 location of a street, and its area where it is a special zone."""

    code: str
    name: str
    lon: float
    lat: float
    area_km2: float | None


def read_street_anchors() -> dict[str, StreetAnchor]:
    """Read ``grids/data/shenzhen/street_anchors.csv`` (hand-placed, approximate)."""
    path = resources.files("grids").joinpath("data/shenzhen/street_anchors.csv")
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return {
        row["code"]: StreetAnchor(
            code=row["code"],
            name=row["name"],
            lon=float(row["lon"]),
            lat=float(row["lat"]),
            area_km2=float(row["area_km2"]) if row["area_km2"] else None,
        )
        for row in rows
    }


def synthesise_geometries(
    streets: Mapping[str, Sequence[str]],
    communities: Mapping[str, Sequence[str]],
    *,
    seed: int = 0,
) -> dict[str, PolygonalGeometry]:
    """Build WGS 84 polygons for the city, its districts, streets and communities.

    Parameters
    ----------
    streets : mapping of str to sequence of str
        District code (6 digits) -> its street codes (9 digits).
    communities : mapping of str to sequence of str
        Street code -> its community codes (12 digits).
    seed : int, default 0
        Seed of the synthesis; the same seed gives the same polygons.

    Returns
    -------
    dict of str to shapely.Polygon or shapely.MultiPolygon
        Code -> WGS 84 (lon, lat) geometry, for ``"4403"`` and every code given.
    """
    outlines = district_outlines()
    anchors = read_street_anchors()
    pieces: dict[str, PolygonalGeometry] = {}
    for district, street_codes in streets.items():
        street_pieces = _split_district(outlines[district], street_codes, anchors, seed)
        for street, polygon in street_pieces.items():
            pieces.update(_split_street(street, polygon, communities[street], seed))
    codes = sorted(pieces)
    conformed = conform_coverage(
        [pieces[code] for code in codes], tolerance=_VERTEX_TOLERANCE_M, grid_size=_GRID_M
    )
    leaves = dict(zip(codes, conformed, strict=True))
    metric = _nest(leaves, streets, communities)
    order = sorted(metric)
    wgs84 = to_wgs84(np.array([metric[code] for code in order], dtype=object), METRIC_SRID)
    result = dict(zip(order, wgs84, strict=True))
    for community_codes in communities.values():
        _number_west_to_east(result, community_codes)
    return result


def _islands(
    polygon: PolygonalGeometry,
) -> tuple[PolygonalGeometry, list[Polygon]]:
    """Split a district into its mainland parts and its islands."""
    parts = sorted(shapely.get_parts(polygon), key=lambda part: -part.area)
    mainland = [parts[0], *(part for part in parts[1:] if part.area >= _ISLAND_MAX_M2)]
    islands = [part for part in parts[1:] if part.area < _ISLAND_MAX_M2]
    return polygonal(shapely.union_all(mainland)), islands


def _island_owner(island: Polygon, candidates: Sequence[str]) -> str | None:
    """The island community (among ``candidates``) nearest to an island, if any."""
    codes = [code for code in candidates if code in _ISLAND_COMMUNITIES]
    if not codes:
        return None
    lonlat = np.array([_ISLAND_COMMUNITIES[code] for code in codes])
    points = from_wgs84(shapely.points(lonlat), METRIC_SRID)
    return codes[int(np.argmin(shapely.distance(points, island.representative_point())))]


def _split_district(
    district: PolygonalGeometry,
    street_codes: Sequence[str],
    anchors: Mapping[str, StreetAnchor],
    seed: int,
) -> dict[str, PolygonalGeometry]:
    """Cut a district into its streets around their anchors; islands join their street."""
    rng = np.random.default_rng([seed, int(street_codes[0][:6])])
    mainland, islands = _islands(district)
    lonlat = np.array([(anchors[code].lon, anchors[code].lat) for code in street_codes])
    points = from_wgs84(shapely.points(lonlat), METRIC_SRID)
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=mainland, ordered=True)
    area = float(mainland.area)
    weights = np.array(
        [shapely.area(shapely.intersection(cell, mainland)) for cell in shapely.get_parts(cells)]
    )
    weights = np.maximum(weights, area * 1e-3) * rng.lognormal(0.0, _STREET_SPREAD, len(weights))
    fixed = np.array([(anchors[code].area_km2 or 0.0) * 1e6 for code in street_codes])
    free = fixed == 0
    weights[free] *= (area - fixed.sum()) / weights[free].sum()
    weights[~free] = fixed[~free]
    pieces = split_polygon(
        mainland,
        weights,
        seed=int(rng.integers(2**31)),
        anchors=shapely.get_coordinates(points),
    )
    result = dict(zip(street_codes, pieces, strict=True))
    island_communities = [code for code in _ISLAND_COMMUNITIES if code[:9] in result]
    for island in islands:
        owner = _island_owner(island, island_communities)
        street = owner[:9] if owner else _nearest(island, result)
        result[street] = polygonal(shapely.union(result[street], island))
    return result


def _nearest(island: Polygon, pieces: Mapping[str, PolygonalGeometry]) -> str:
    return min(pieces, key=lambda code: (island.distance(pieces[code]), code))


def _split_street(
    street: str, polygon: PolygonalGeometry, community_codes: Sequence[str], seed: int
) -> dict[str, PolygonalGeometry]:
    """Cut a street into its communities; island communities get their islands."""
    if len(community_codes) == 1:
        return {community_codes[0]: polygon}
    rng = np.random.default_rng([seed, int(street)])
    mainland, islands = _islands(polygon)
    result: dict[str, PolygonalGeometry] = {}
    for island in islands:
        owner = _island_owner(island, community_codes)
        if owner is None:
            mainland = polygonal(shapely.union(mainland, island))
            continue
        result[owner] = polygonal(shapely.union(result.get(owner, Polygon()), island))
    rest = [code for code in community_codes if code not in result]
    weights = rng.lognormal(0.0, _COMMUNITY_SPREAD, len(rest))
    pieces = split_polygon(mainland, weights, seed=int(rng.integers(2**31)))
    result.update(zip(rest, pieces, strict=True))
    return result


def _nest(
    leaves: Mapping[str, PolygonalGeometry],
    streets: Mapping[str, Sequence[str]],
    communities: Mapping[str, Sequence[str]],
) -> dict[str, PolygonalGeometry]:
    """Rebuild streets, districts and the city as exact unions of their children."""
    result = dict(leaves)
    for street, children in communities.items():
        result[street] = _union([result[code] for code in children])
    for district, children in streets.items():
        result[district] = _union([result[code] for code in children])
    result[CITY_CODE] = _union([result[code] for code in streets])
    return result


def _union(geometries: list[PolygonalGeometry]) -> PolygonalGeometry:
    """Exact union of a conforming coverage (shared edges dissolve, vertices stay)."""
    return polygonal(shapely.coverage_union_all(geometries))


def _number_west_to_east(
    geometries: dict[str, PolygonalGeometry], community_codes: Sequence[str]
) -> None:
    """Hand a street's community codes out west→east, north→south (islands keep theirs)."""
    codes = [code for code in community_codes if code not in _ISLAND_COMMUNITIES]
    if len(codes) < 2:
        return
    polygons = [geometries[code] for code in codes]
    order = grid_sequence_order(polygons)
    for code, index in zip(sorted(codes), order, strict=True):
        geometries[code] = polygons[int(index)]
