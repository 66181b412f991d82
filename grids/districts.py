"""Shenzhen's district outlines (区界): the shipped GeoJSON, corrected and made a clean coverage.

The outlines in ``grids/data/shenzhen/district_boundaries.geojson`` come from a Chinese
web map: they are in GCJ-02, their rings self-intersect, a few slivers hang off the
northern border, and they predate 光明区 (440311), whose land is the north-east of the
宝安区 polygon. :func:`district_outlines` turns them into the 9 districts of today:
converted to WGS 84, valid, without repeated vertices, without overlaps or gaps between
neighbours, neighbours sharing their borders vertex for vertex.
"""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from gis.crs import GCJ02, from_wgs84, to_wgs84
from gis.topology import conform_coverage, merge_fragments, polygonal

__all__ = [
    "BAOAN",
    "GUANGMING",
    "METRIC_SRID",
    "district_outlines",
]

#: CGCS2000 / 3-degree Gauss-Krüger CM 114°E: the plane in which areas are built (m).
METRIC_SRID = 4547
BAOAN = "440306"
GUANGMING = "440311"

_DATA = "data/shenzhen"
_MIN_PART_M2 = 200_000.0  # smaller parts are digitising debris, not islands (0.2 km²)
_MAX_GAP_M2 = 2_000_000.0  # holes in the city smaller than this are gaps (2 km²)
_SLIVER_WIDTH_M = 30.0  # gaps between neighbours narrower than twice this are closed
_GRID_M = 1e-3  # vertices are rounded to the millimetre
_VERTEX_TOLERANCE_M = 1e-2  # a vertex this close to a neighbour's edge is put on it

#: The part of the old 宝安区 polygon that became 光明区 (WGS 84 lon/lat). Only the
#: stretch inside 宝安 matters: it is the 光明/宝安 border, from the 东莞 border west of
#: 公明 down past 马田 and along the north of 石岩 to 龙华 (大浪). Hand-drawn from
#: public maps, tuned to 光明's official area (155.44 km²).
_GUANGMING_CUT = (
    (113.892, 22.900),
    (113.884, 22.858),
    (113.877, 22.836),
    (113.872, 22.818),
    (113.868, 22.800),
    (113.870, 22.782),
    (113.864, 22.766),
    (113.868, 22.748),
    (113.878, 22.734),
    (113.886, 22.722),
    (113.897, 22.715),
    (113.910, 22.713),
    (113.922, 22.708),
    (113.936, 22.710),
    (113.950, 22.706),
    (113.963, 22.708),
    (113.975, 22.703),
    (113.990, 22.702),
    (114.060, 22.697),
    (114.060, 22.900),
)


def district_outlines() -> dict[str, Polygon | MultiPolygon]:
    """Return the 9 district polygons of Shenzhen, keyed by GB/T 2260 code.

    Returns
    -------
    dict of str to shapely.Polygon or shapely.MultiPolygon
        In the metric plane EPSG:4547 (metres), ordered by code. A MultiPolygon is a
        district with islands (南山: 内伶仃岛, 大铲岛...) or with separate pieces (龙岗:
        the 大鹏 peninsula touches the rest only at a point). The polygons form a
        conforming coverage: no overlaps, no gaps between neighbours, shared borders
        with identical vertices.
    """
    districts = {code: _clean(geometry) for code, geometry in _read_geojson().items()}
    districts = _remove_overlaps(districts)
    districts = _fill_gaps(districts)
    districts = _split_guangming(districts)
    codes = sorted(districts)
    conformed = conform_coverage(
        [districts[c] for c in codes], tolerance=_VERTEX_TOLERANCE_M, grid_size=_GRID_M
    )
    return {code: polygonal(geometry) for code, geometry in zip(codes, conformed, strict=True)}


def _read_geojson() -> dict[str, Polygon | MultiPolygon]:
    """The shipped outlines, converted from GCJ-02 to WGS 84 and then to EPSG:4547."""
    path = resources.files("grids").joinpath(f"{_DATA}/district_boundaries.geojson")
    collection = json.loads(path.read_text(encoding="utf-8"))
    codes = [str(feature["properties"]["code"]) for feature in collection["features"]]
    gcj02 = np.array([shape(feature["geometry"]) for feature in collection["features"]])
    # Convert all features in one call: the iterative GCJ-02 inversion stops on the
    # largest residual of the batch, so converting features one by one could move a
    # shared vertex differently on either side of a border.
    metric = from_wgs84(to_wgs84(gcj02, GCJ02), METRIC_SRID)
    return dict(zip(codes, metric, strict=True))


def _clean(geometry: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """Make valid, drop repeated vertices and parts too small to be islands."""
    valid = polygonal(shapely.make_valid(geometry, method="structure"))
    valid = polygonal(shapely.make_valid(shapely.remove_repeated_points(valid)))
    parts = [part for part in shapely.get_parts(valid) if part.area >= _MIN_PART_M2]
    return polygonal(shapely.union_all(parts))


def _remove_overlaps(
    districts: dict[str, Polygon | MultiPolygon],
) -> dict[str, Polygon | MultiPolygon]:
    """Give land claimed by two districts to the one listed first (by code)."""
    result: dict[str, Polygon | MultiPolygon] = {}
    for code in sorted(districts):
        geometry = districts[code]
        taken = [other for other in result.values() if other.intersects(geometry)]
        if taken:
            geometry = polygonal(geometry.difference(shapely.union_all(taken)))
        result[code] = geometry
    return result


def _fill_gaps(districts: dict[str, Polygon | MultiPolygon]) -> dict[str, Polygon | MultiPolygon]:
    """Close holes and narrow slivers between districts, giving each to a neighbour.

    Holes in the union of all districts (Shenzhen has no enclaves) and the strips that
    a morphological closing of ``_SLIVER_WIDTH_M`` adds where two districts meet go to
    the district that shares the longest border with them.
    """
    union = shapely.union_all(list(districts.values()))
    holes = [
        Polygon(ring)
        for part in shapely.get_parts(union)
        for ring in part.interiors
        if Polygon(ring).area < _MAX_GAP_M2
    ]
    closed = union.buffer(_SLIVER_WIDTH_M, join_style="mitre").buffer(
        -_SLIVER_WIDTH_M, join_style="mitre"
    )
    slivers = [
        part
        for part in shapely.get_parts(polygonal(closed.difference(union)))
        if sum(part.intersects(geometry) for geometry in districts.values()) >= 2
    ]
    result = dict(districts)
    for gap in [*holes, *slivers]:
        gap = polygonal(gap.difference(union))
        if gap.is_empty:
            continue
        borders = {
            code: float(shapely.length(shapely.intersection(gap.boundary, geometry.boundary)))
            for code, geometry in result.items()
        }
        owner = max(borders, key=lambda code: borders[code])
        if borders[owner] > 0:
            result[owner] = polygonal(shapely.union(result[owner], gap))
    return result


def _split_guangming(
    districts: dict[str, Polygon | MultiPolygon],
) -> dict[str, Polygon | MultiPolygon]:
    """Carve 光明区 out of the old 宝安区 polygon (光明 was split from 宝安 in 2018)."""
    if GUANGMING in districts:
        return districts
    lon, lat = np.array(_GUANGMING_CUT).T
    cut = from_wgs84(shapely.polygons(np.column_stack([lon, lat])), METRIC_SRID)
    baoan = districts[BAOAN]
    guangming = polygonal(baoan.intersection(cut))
    rest = polygonal(baoan.difference(guangming))
    # Bits that the cut line strands on the wrong side of the border change sides.
    rest, guangming = merge_fragments([rest, guangming])
    return {**districts, BAOAN: rest, GUANGMING: guangming}
