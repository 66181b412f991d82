"""Tiles API: the layer list with TileJSON, and ``/tiles/{layer}/{z}/{x}/{y}.mvt``."""

from __future__ import annotations

import gzip
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import func, select

from api.areas.models import Area
from api.deps import CurrentUser, DbSession, base_url, require
from api.errors import error_responses
from api.hotspots.service import GROUPS
from api.maps import tiles
from api.maps.layers import LAYERS, Layer
from gis.tiles import MAX_ZOOM

router = APIRouter(prefix="/tiles", tags=["tiles"], dependencies=[Depends(require("areas.read"))])

MVT = "application/vnd.mapbox-vector-tile"
LayerName = Annotated[
    str, Path(description="a layer id from GET /tiles", json_schema_extra={"enum": list(LAYERS)})
]
TILE_INDEX = Path(ge=0, le=2**MAX_ZOOM - 1, description="0 … 2^z − 1 (404 beyond)")


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


@router.get(
    "",
    summary="The layers, each with its TileJSON",
    description="Anyone with areas.read. Every map layer (grids, buildings, events, "
    "hotspots…) as TileJSON 3.0 with its legend, bounded by your area.",
)
async def list_layers(request: Request, principal: CurrentUser, session: DbSession) -> dict:
    base, bounds = base_url(request), await _bounds(session, principal)
    return {"layers": [tilejson(layer, base, bounds) for layer in LAYERS.values()]}


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
    return tilejson(tiles.get_layer(layer), base_url(request), await _bounds(session, principal))


@router.get(
    "/{layer}/{z}/{x}/{y}.mvt",
    summary="One Mapbox vector tile, scoped and cached",
    description="Anyone with areas.read. The features of the layer inside your area that "
    "the tile covers (204 when none; 304 for a matching If-None-Match). The hotspots layer "
    "draws the analysis chosen by the query parameters (as GET /api/hotspots).",
    response_class=Response,
    responses={
        200: {"description": "The tile", "content": {MVT: {"schema": {"type": "string"}}}},
        204: {"description": "No feature in the tile"},
        304: {"description": "Not modified since the ETag given in If-None-Match"},
        **error_responses(400),
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
    unit: Literal["grid", "community", "h3"] = "grid",
    resolution: Annotated[int, Query(ge=7, le=10)] = 9,
    window: Annotated[int, Query(ge=1, le=366)] = 30,
    major: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
    group: Literal[GROUPS] | None = None,  # type: ignore[valid-type]
    measure: Literal["count", "rate"] = "count",
) -> Response:
    spec = tiles.get_layer(layer)
    tiles.check_address(spec, z, x, y)
    variant: tuple = (int(time.time() // 60),) if spec.minute_bound else ()
    if spec.analysis:
        variant = (
            await tiles.choose_hotspot_run(
                session,
                principal=principal,
                params={
                    "unit": unit,
                    "resolution": str(resolution),
                    "window": str(window),
                    "measure": measure,
                    **({"major": major} if major else {}),
                    **({"group": group} if group else {}),
                },
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
