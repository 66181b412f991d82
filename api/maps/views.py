"""Tiles API: the layer list with TileJSON, and ``/tiles/{layer}/{z}/{x}/{y}.mvt``."""

from __future__ import annotations

import gzip
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.deps import CurrentUser, DbSession, base_url, require
from api.errors import error_responses
from api.maps import service
from api.maps.layers import LAYERS
from api.validation import Int64Id
from gis.tiles import MAX_ZOOM

router = APIRouter(prefix="/tiles", tags=["tiles"], dependencies=[Depends(require("areas.read"))])

MVT = "application/vnd.mapbox-vector-tile"
LayerName = Annotated[
    str, Path(description="a layer id from GET /tiles", json_schema_extra={"enum": list(LAYERS)})
]
TILE_INDEX = Path(ge=0, le=2**MAX_ZOOM - 1, description="0 … 2^z − 1 (404 beyond)")


@router.get(
    "",
    summary="The layers, each with its TileJSON",
    description="Anyone with areas.read. Every map layer (grids, buildings, events, "
    "hotspots…) as TileJSON 3.0 with its legend, bounded by your area.",
)
async def list_layers(request: Request, principal: CurrentUser, session: DbSession) -> dict:
    base, bounds = base_url(request), await service.scope_bounds(session, principal=principal)
    return {
        "layers": [service.tilejson(layer, base=base, bounds=bounds) for layer in LAYERS.values()]
    }


@router.get(
    "/{layer}.json",
    summary="TileJSON of one layer",
    description="Anyone with areas.read. The layer's TileJSON 3.0: tile URL template, zoom "
    "range, fields and legend, bounded by your area.",
    responses=error_responses(400),
)
async def layer_tilejson(
    layer: LayerName, request: Request, principal: CurrentUser, session: DbSession
) -> dict:
    return service.tilejson(
        service.get_layer(layer),
        base=base_url(request),
        bounds=await service.scope_bounds(session, principal=principal),
    )


@router.get(
    "/{layer}/{z}/{x}/{y}.mvt",
    summary="One Mapbox vector tile, scoped and cached",
    description="Anyone with areas.read. The features of the layer inside your area that "
    "the tile covers (204 when none; 304 for a matching If-None-Match). The hotspots layer "
    "draws a run already computed by GET /api/hotspots, named by its run_id (run=…); "
    "404 hotspot_run_not_found when there is no such run in your area.",
    response_class=Response,
    responses={
        200: {"description": "The tile", "content": {MVT: {"schema": {"type": "string"}}}},
        204: {"description": "No feature in the tile"},
        304: {"description": "Not modified since the ETag given in If-None-Match"},
        **error_responses(400, 404),
    },
)
async def tile(
    layer: LayerName,
    z: Annotated[int, Path(ge=0, le=MAX_ZOOM)],
    x: Annotated[int, TILE_INDEX],
    y: Annotated[int, TILE_INDEX],
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    run: Annotated[
        Int64Id | None, Query(description="hotspots: the run_id of GET /api/hotspots")
    ] = None,
) -> Response:
    answer = await service.tile(
        session,
        layer=layer,
        z=z,
        x=x,
        y=y,
        principal=principal,
        cache=request.app.state.tile_cache,
        run=run,
        if_none_match=request.headers.get("if-none-match"),
    )
    headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
    if answer.tile is None:
        return Response(status_code=304, headers=headers)
    if answer.tile.empty:
        return Response(status_code=204, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(answer.tile.gzipped, media_type=MVT, headers=headers)
    return Response(gzip.decompress(answer.tile.gzipped), media_type=MVT, headers=headers)
