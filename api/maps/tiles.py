"""Vector tiles (矢量切片): render with ST_AsMVT inside the caller's scope, cache, ETag."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.schemas import Principal
from api.errors import BadRequest, NotFound
from api.events.calendar import now
from api.hotspots.service import HotspotQuery, analyse
from api.maps.layers import LAYERS, Layer
from api.maps.tile_cache import CachedTile, TileCache
from gis.tiles import TileError, check_tile, tile_sql

_VERSIONS_SQL = (
    "SELECT coalesce(array_agg(version ORDER BY table_name), '{}') FROM data_versions"
    " WHERE table_name = ANY($1::text[])"
)


def get_layer(name: str) -> Layer:
    layer = LAYERS.get(name)
    if layer is None:
        raise BadRequest(
            f"unknown layer {name!r}; layers: {', '.join(LAYERS)}",
            code="unknown_layer",
            message_zh=f"未知图层 {name}",
        )
    return layer


def check_address(layer: Layer, z: int, x: int, y: int) -> None:
    try:
        check_tile(z, x, y)
    except TileError as exc:
        # no such tile: a path outside the pyramid names nothing (404, like any unknown object)
        raise NotFound(str(exc), code="tile_out_of_range", message_zh="切片坐标超出范围") from exc


@lru_cache(maxsize=512)
def _sql(layer_name: str, z: int) -> str:
    return tile_sql(LAYERS[layer_name].spec, z)


async def _driver(session: AsyncSession):
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def tile_key(
    session: AsyncSession,
    *,
    layer: Layer,
    z: int,
    x: int,
    y: int,
    principal: Principal,
    variant: tuple = (),
) -> tuple[tuple, str]:
    """The cache key and ETag of a tile: its address, the caller's scope, the data versions
    and, for an analysis layer, which run it draws (``variant``)."""
    driver = await _driver(session)
    versions = await driver.fetchval(_VERSIONS_SQL, list(layer.tables))
    scope = principal.scope
    key = (layer.id, z, x, y, scope.area_prefix, scope.department_id, tuple(versions), *variant)
    etag = '"' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() + '"'
    return key, etag


async def render_tile(
    session: AsyncSession,
    *,
    layer: Layer,
    z: int,
    x: int,
    y: int,
    cache: TileCache,
    key: tuple,
    etag: str,
) -> CachedTile:
    """Return the gzipped tile from the cache, or render it in PostGIS and cache it."""
    cached = cache.get(key)
    if cached is not None:
        return cached
    if not layer.spec.minzoom <= z <= layer.spec.maxzoom:
        data = b""
    else:
        driver = await _driver(session)
        data = await driver.fetchval(_sql(layer.id, z), z, x, y) or b""
    tile = CachedTile(etag=etag, gzipped=gzip.compress(data, compresslevel=5), empty=not data)
    cache.put(key, tile)
    return tile


async def choose_hotspot_run(
    session: AsyncSession, *, principal: Principal, params: Mapping[str, str]
) -> int:
    """Compute (or reuse) the hotspot run the tile draws, and point the tile query at it."""
    try:
        query = HotspotQuery(
            area=principal.scope_code,
            unit=params.get("unit", "grid"),  # type: ignore[arg-type]
            resolution=int(params.get("resolution", 9)),
            window_days=int(params.get("window", 30)),
            major=params.get("major"),
            group=params.get("group"),
            measure=params.get("measure", "count"),
        )  # type: ignore[arg-type]
    except ValueError as exc:
        raise BadRequest(f"hotspot parameters: {exc}", code="invalid_hotspot_query") from exc
    if query.unit not in ("grid", "community", "h3") or query.measure not in ("count", "rate"):
        raise BadRequest(
            "unit must be grid, community or h3; measure count or rate",
            code="invalid_hotspot_query",
        )
    run = await analyse(session, query=query, now=now())
    await session.execute(
        text("SELECT set_config('blockgrid.hotspot_run', :run, true)"), {"run": str(run.id)}
    )
    return run.id
