"""The SQL floor behind HTTP: the tile statements of blockgrid and nothing else.

A bare ASGI application (no framework, no authentication, no scope, no cache, no gzip)
that answers ``/tiles/{layer}/{z}/{x}/{y}.mvt`` with the bytes of the same prepared
``ST_AsMVT`` statement blockgrid runs, on a pool of connections as the table owner. Served
by the same uvicorn and driven by the same wrk as blockgrid, it is what the database and
the HTTP hop cost on their own: the floor of the tile benchmark (issue 4).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

import asyncpg

from api.maps.layers import LAYERS
from gis.tiles import tile_sql

_PATH = re.compile(r"^/tiles/(\w+)/(\d+)/(\d+)/(\d+)\.mvt$")
_MVT = [(b"content-type", b"application/vnd.mapbox-vector-tile")]
_state: dict = {}


@lru_cache(maxsize=256)
def _statement(layer: str, z: int) -> str:
    return tile_sql(LAYERS[layer].spec, z)


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            _state["pool"] = await asyncpg.create_pool(
                os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://"),
                min_size=2,
                max_size=int(os.environ.get("FLOOR_POOL_SIZE", "8")),
            )
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await _state["pool"].close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _respond(send, status: int, body: bytes, headers: list | None = None) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers or []})
    await send({"type": "http.response.body", "body": body})


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    match = _PATH.match(scope["path"])
    if match is None or match[1] not in LAYERS:
        await _respond(send, 404, b"not a tile")
        return
    layer, z, x, y = match[1], int(match[2]), int(match[3]), int(match[4])
    spec = LAYERS[layer].spec
    if not spec.minzoom <= z <= spec.maxzoom:
        await _respond(send, 204, b"")
        return
    async with _state["pool"].acquire() as connection:
        data = await connection.fetchval(_statement(layer, z), z, x, y)
    if not data:
        await _respond(send, 204, b"")
        return
    await _respond(send, 200, data, _MVT)
