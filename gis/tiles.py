"""Vector-tile SQL (ST_AsMVT) and tile arithmetic for PostGIS layers.

Layers are described by :class:`LayerSpec`; :func:`tile_sql` turns one into a single
statement with bind parameters ``$1..$3`` (z, x, y) that compares in the column's own
SRID (3857), so the GiST index on the Web-Mercator column is used, and generalises
geometries per zoom.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

EXTENT = 4096
BUFFER = 64
WORLD_HALF = 20037508.342789244
MAX_ZOOM = 22
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class TileError(ValueError):
    """A tile address or layer request that cannot be served; the message says why."""


@dataclass(frozen=True)
class LayerSpec:
    """How to read one layer from PostGIS.

    Parameters
    ----------
    name : str
        Layer id (also the MVT layer name).
    source : str
        FROM clause; the main table must be aliased ``t``.
    geom_3857 : str
        Expression of the Web-Mercator geometry drawn in the tile, e.g. ``t.geom_3857``;
        it also finds the features (``&&`` the tile) unless ``search_4326`` is given.
    properties : dict of str to str
        Attribute name → SQL expression.
    minzoom, maxzoom : int
        Zoom range where the layer has features.
    where : str
        Extra filter (SQL) on top of the tile envelope.
    simplify : bool
        Generalise polygons per zoom (tolerance of a quarter pixel, topology kept).
    cluster_below : int, optional
        Below this zoom, points are aggregated into cells with a ``point_count``.
    cluster_properties : dict of str to str
        Aggregates for clustered cells (name → SQL aggregate over ``t``).
    order_by : str
        ORDER BY of the features (drawing order).
    search_4326 : str
        Expression of an indexed WGS 84 geometry that finds the features instead of
        ``geom_3857`` (for tables that index only their WGS 84 column). A Web Mercator
        tile is a longitude/latitude rectangle, so ``search_4326 &&`` the transformed
        tile envelope selects the same features.
    """

    name: str
    source: str
    geom_3857: str
    properties: dict[str, str]
    minzoom: int = 0
    maxzoom: int = MAX_ZOOM
    where: str = ""
    simplify: bool = False
    cluster_below: int | None = None
    cluster_properties: dict[str, str] = field(default_factory=dict)
    order_by: str = ""
    search_4326: str = ""


def check_tile(z: int, x: int, y: int) -> None:
    """Refuse tile coordinates outside the pyramid with a precise message.

    Examples
    --------
    >>> check_tile(12, 3337, 1781)
    >>> check_tile(3, 8, 0)
    Traceback (most recent call last):
    ...
    gis.tiles.TileError: x=8 is outside 0..7 at zoom 3
    """
    if not 0 <= z <= MAX_ZOOM:
        raise TileError(f"zoom {z} is outside 0..{MAX_ZOOM}")
    top = 2**z - 1
    if not 0 <= x <= top:
        raise TileError(f"x={x} is outside 0..{top} at zoom {z}")
    if not 0 <= y <= top:
        raise TileError(f"y={y} is outside 0..{top} at zoom {z}")


def tile_bounds_3857(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Web-Mercator bounds (minx, miny, maxx, maxy) of an XYZ tile."""
    size = 2 * WORLD_HALF / 2**z
    minx = -WORLD_HALF + x * size
    maxy = WORLD_HALF - y * size
    return minx, maxy - size, minx + size, maxy


def pixel_size(z: int) -> float:
    """Metres (Web Mercator) covered by one of the tile's ``EXTENT`` units at zoom ``z``."""
    return 2 * WORLD_HALF / 2**z / EXTENT


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a WGS 84 point.

    Examples
    --------
    >>> lonlat_to_tile(114.0579, 22.5431, 12)
    (3345, 1784)
    """
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    lat_rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _checked(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise TileError(f"not a plain identifier: {name!r}")
    return name


def tile_sql(layer: LayerSpec, z: int) -> str:
    """One statement returning the layer's MVT bytes for tile ($1, $2, $3) = (z, x, y).

    The statement differs per zoom only through generalisation and clustering, so
    callers may prepare one statement per (layer, zoom band).
    """
    name = _checked(layer.name)
    envelope = "ST_TileEnvelope($1, $2, $3)"
    where = (
        f"{layer.search_4326} && ST_Transform({envelope}, 4326)"
        if layer.search_4326
        else f"{layer.geom_3857} && {envelope}"
    )
    if layer.where:
        where += f" AND ({layer.where})"
    if layer.cluster_below is not None and z < layer.cluster_below:
        return _cluster_sql(layer, name, envelope, where, z)
    geometry = layer.geom_3857
    if layer.simplify:
        tolerance = pixel_size(z) / 2
        geometry = f"ST_SimplifyPreserveTopology({geometry}, {tolerance:.6f})"
    columns = ", ".join(f"{expr} AS {_checked(prop)}" for prop, expr in layer.properties.items())
    order = f" ORDER BY {layer.order_by}" if layer.order_by else ""
    return (
        f"SELECT ST_AsMVT(q, '{name}', {EXTENT}, 'geom') FROM ("
        f"SELECT ST_AsMVTGeom({geometry}, {envelope}, {EXTENT}, {BUFFER}, true) AS geom, "
        f"{columns} FROM {layer.source} WHERE {where}{order}) AS q WHERE q.geom IS NOT NULL"
    )


def _cluster_sql(layer: LayerSpec, name: str, envelope: str, where: str, z: int) -> str:
    """Points snapped to cells of 48 pixels and counted (聚合) below the cluster zoom."""
    cell = 48 * 2 * WORLD_HALF / 2**z / 256  # 48 screen pixels of a 256-pixel tile
    aggregates = "".join(
        f", {expr} AS {_checked(prop)}" for prop, expr in layer.cluster_properties.items()
    )
    return (
        f"SELECT ST_AsMVT(q, '{name}', {EXTENT}, 'geom') FROM ("
        f"SELECT ST_AsMVTGeom(ST_Centroid(ST_Collect({layer.geom_3857})), {envelope}, "
        f"{EXTENT}, {BUFFER}, true) AS geom, count(*) AS point_count{aggregates} "
        f"FROM {layer.source} WHERE {where} "
        f"GROUP BY ST_SnapToGrid({layer.geom_3857}, {cell:.3f})"
        f") AS q WHERE q.geom IS NOT NULL"
    )
