"""The maps service (矢量切片): TileJSON of the layers, and one tile as one call.

A tile is rendered with ST_AsMVT inside the caller's scope (row-level security), cached
gzipped under a key of its address, the caller's scope and the data versions of the
layer's tables, and named by an ETag derived from that key. The hotspots layer draws a
run that ``GET /api/hotspots`` has already computed: a tile request never computes one.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.areas.models import Area
from api.auth.schemas import Principal
from api.errors import BadRequest, NotFound
from api.hotspots.models import HotspotRun
from api.maps.layers import LAYERS, Layer
from api.maps.tile_cache import CachedTile, TileCache
from gis.tiles import TileError, check_tile, tile_sql

DEFAULT_BOUNDS = [113.75, 22.39, 114.63, 22.87]  # Shenzhen, for a scope without a shape
_VERSIONS_SQL = (
    "SELECT coalesce(array_agg(version ORDER BY table_name), '{}') FROM data_versions"
    " WHERE table_name = ANY($1::text[])"
)


@dataclass(frozen=True)
class TileAnswer:
    """What a tile request gets: its ETag, and the tile unless the client's copy is current."""

    etag: str
    tile: CachedTile | None  # None: not modified (the client sent this ETag)


def get_layer(name: str) -> Layer:
    layer = LAYERS.get(name)
    if layer is None:
        raise BadRequest(
            f"unknown layer {name!r}; layers: {', '.join(LAYERS)}",
            code="unknown_layer",
            message_zh=f"未知图层 {name}",
        )
    return layer


async def scope_bounds(session: AsyncSession, *, principal: Principal) -> list[float]:
    """The lon/lat bounding box of the caller's area."""
    extent = await session.scalar(
        select(func.ST_Extent(Area.geom)).where(Area.code == principal.scope_code)
    )
    if extent is None:
        return DEFAULT_BOUNDS
    numbers = extent.removeprefix("BOX(").removesuffix(")").replace(",", " ").split()
    return [round(float(n), 6) for n in numbers]


def tilejson(layer: Layer, *, base: str, bounds: list[float]) -> dict[str, Any]:
    """The layer's TileJSON 3.0 with its titles, geometry type and legend."""
    spec = layer.spec
    fields = {name: "" for name in spec.properties}
    if spec.cluster_below is not None:
        fields |= {"point_count": f"clustered below zoom {spec.cluster_below}"}
    return {
        "tilejson": "3.0.0",
        "name": layer.id,
        "description": layer.description,
        "attribution": "blockgrid",
        "scheme": "xyz",
        "tiles": [f"{base}/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.mvt"],
        "minzoom": spec.minzoom,
        "maxzoom": min(spec.maxzoom, 22),
        "bounds": bounds,
        "center": [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 12],
        "vector_layers": [
            {
                "id": layer.id,
                "fields": fields,
                "minzoom": spec.minzoom,
                "maxzoom": min(spec.maxzoom, 22),
                "description": layer.title_en,
            }
        ],
        "title_zh": layer.title_zh,
        "title_en": layer.title_en,
        "geometry_type": layer.geometry_type,
        "legend": [
            {"value": v, "label_zh": label, "color": colour} for v, label, colour in layer.legend
        ],
    }


async def tile(
    session: AsyncSession,
    *,
    layer: str,
    z: int,
    x: int,
    y: int,
    principal: Principal,
    cache: TileCache,
    run: int | None = None,
    if_none_match: str | None = None,
) -> TileAnswer:
    """One tile of ``layer`` in the caller's scope, from the cache or rendered in PostGIS.

    ``run`` names the hotspot run the hotspots layer draws (the ``run_id`` of
    ``GET /api/hotspots``); other layers ignore it.

    Raises
    ------
    BadRequest
        Unknown layer.
    NotFound
        The address is outside the tile pyramid, or the hotspots layer has no run of
        that id in the caller's area (or none was named).
    """
    published = get_layer(layer)
    _check_address(z, x, y)
    arguments: tuple[int, ...] = (z, x, y)
    variant: tuple = (int(time.time() // 60),) if published.minute_bound else ()
    if published.analysis:
        run_id = await _computed_run(session, run=run)
        arguments, variant = (*arguments, run_id), (run_id,)
    driver = await _driver(session)
    versions = await driver.fetchval(_VERSIONS_SQL, list(published.tables))
    scope = principal.scope
    key = (published.id, z, x, y, scope.area_prefix, scope.department_id, tuple(versions), *variant)
    etag = '"' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() + '"'
    if if_none_match == etag:
        return TileAnswer(etag=etag, tile=None)
    cached = cache.get(key)
    if cached is not None:
        return TileAnswer(etag=etag, tile=cached)
    data = b""
    if published.spec.minzoom <= z <= published.spec.maxzoom:
        data = await driver.fetchval(_sql(published.id, z), *arguments) or b""
    rendered = CachedTile(etag=etag, gzipped=gzip.compress(data, compresslevel=5), empty=not data)
    cache.put(key, rendered)
    return TileAnswer(etag=etag, tile=rendered)


def _check_address(z: int, x: int, y: int) -> None:
    try:
        check_tile(z, x, y)
    except TileError as exc:
        # no such tile: a path outside the pyramid names nothing (404, like any unknown object)
        raise NotFound(str(exc), code="tile_out_of_range", message_zh="切片坐标超出范围") from exc


async def _computed_run(session: AsyncSession, *, run: int | None) -> int:
    """The id of a stored hotspot run in the caller's area (row-level security), or 404."""
    found = None
    if run is not None:
        found = await session.scalar(select(HotspotRun.id).where(HotspotRun.id == run))
    if found is None:
        wanted = "no hotspot run given" if run is None else f"no hotspot run {run} in your area"
        raise NotFound(
            f"{wanted}: the hotspots layer draws a computed run; pass run=<run_id> "
            "from GET /api/hotspots",
            code="hotspot_run_not_found",
            message_zh="热点分析结果不存在，请先计算热点分析",
        )
    return found


@lru_cache(maxsize=512)
def _sql(layer_name: str, z: int) -> str:
    return tile_sql(LAYERS[layer_name].spec, z)


async def _driver(session: AsyncSession):
    """The asyncpg connection under the session: tiles bind ``$n`` parameters directly."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection
