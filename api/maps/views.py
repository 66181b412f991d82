"""Tiles API: the layer list with TileJSON, and ``/tiles/{layer}/{z}/{x}/{y}.mvt``."""

from __future__ import annotations

import gzip
import time
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import func, select

from api.areas.models import Area
from api.deps import CurrentUser, DbSession, base_url, require
from api.maps import tiles
from api.maps.layers import LAYERS, Layer

router = APIRouter(prefix="/tiles", tags=["tiles"], dependencies=[Depends(require("areas.read"))])

MVT = "application/vnd.mapbox-vector-tile"


async def _bounds(session, principal) -> list[float]:
    extent = await session.scalar(
        select(func.ST_Extent(Area.geom)).where(Area.code == principal.scope_code)
    )
    if extent is None:
        return [113.75, 22.39, 114.63, 22.87]
    numbers = extent.removeprefix("BOX(").removesuffix(")").replace(",", " ").split()
    return [round(float(n), 6) for n in numbers]


def tilejson(layer: Layer, base: str, bounds: list[float]) -> dict[str, Any]:
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


@router.get("", summary="The layers, each with its TileJSON")
async def list_layers(request: Request, principal: CurrentUser, session: DbSession) -> dict:
    base, bounds = base_url(request), await _bounds(session, principal)
    return {"layers": [tilejson(layer, base, bounds) for layer in LAYERS.values()]}


@router.get("/{layer}.json", summary="TileJSON of one layer")
async def layer_tilejson(
    layer: str, request: Request, principal: CurrentUser, session: DbSession
) -> dict:
    return tilejson(tiles.get_layer(layer), base_url(request), await _bounds(session, principal))


@router.get(
    "/{layer}/{z}/{x}/{y}.mvt",
    summary="One Mapbox vector tile, scoped and cached",
    response_class=Response,
)
async def tile(
    layer: str, z: int, x: int, y: int, request: Request, principal: CurrentUser, session: DbSession
) -> Response:
    spec = tiles.get_layer(layer)
    tiles.check_address(spec, z, x, y)
    variant: tuple = (int(time.time() // 60),) if spec.minute_bound else ()
    if spec.analysis:
        variant = (
            await tiles.choose_hotspot_run(
                session, principal=principal, params=request.query_params
            ),
        )
    key, etag = await tiles.tile_key(
        session, layer=spec, z=z, x=x, y=y, principal=principal, variant=variant
    )
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    rendered = await tiles.render_tile(
        session, layer=spec, z=z, x=x, y=y, cache=request.app.state.tile_cache, key=key, etag=etag
    )
    if rendered.empty:
        return Response(status_code=204, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(rendered.gzipped, media_type=MVT, headers=headers)
    return Response(gzip.decompress(rendered.gzipped), media_type=MVT, headers=headers)
