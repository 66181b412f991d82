"""OGC API – Features under ``/ogc``: the landing page and conformance are public; the
collections and their items need a bearer token and are limited to the caller's area.

An unknown collection or a feature outside the caller's area answers 404 (OGC's rule
for a resource that does not exist); bad query values answer 400 with their reason.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.deps import CurrentUser, DbSession, base_url, client_addr, require
from api.errors import error_responses
from api.maps.layers import OGC_LAYERS as LAYERS
from api.ogc import documents, params, service, temporal
from api.ogc import openapi as oas
from api.ogc.definition import OPENAPI_30, api_definition
from api.ogc.schemas import Collection, Collections, Conformance, LandingPage


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters an endpoint takes, its dependencies' included."""
    names = {field.alias for field in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


async def refuse_unknown_parameters(request: Request) -> None:
    """Every OGC request names only the parameters its endpoint takes (else 400)."""
    route: APIRoute = request.scope["route"]
    params.check_known(set(request.query_params), _query_names(route.dependant))


KnownParameters = Depends(refuse_unknown_parameters)
router = APIRouter(prefix="/ogc", tags=["ogc"])
# the token is checked before the parameters: without one, any request is a 401
data = APIRouter(dependencies=[Depends(require("areas.read")), KnownParameters])

# Raw strings: the parameters are checked in api.ogc.params and declared in api.ogc.openapi.
Format = Annotated[str | None, Query(include_in_schema=False)]
Raw = Annotated[str | None, Query(include_in_schema=False)]
BBoxCrs = Annotated[str | None, Query(alias="bbox-crs", include_in_schema=False)]
Accept = Annotated[str | None, Header(include_in_schema=False)]


def _geojson(body: str, media_type: str) -> Response:
    headers = {"Cache-Control": "private, no-cache", "Vary": "Accept, Authorization"}
    return Response(body.encode(), media_type=media_type, headers=headers)


@router.get(
    "/",
    response_model=LandingPage,
    response_model_exclude_none=True,
    include_in_schema=False,
    dependencies=[KnownParameters],
)
@router.get(
    "",
    dependencies=[KnownParameters],
    response_model=LandingPage,
    response_model_exclude_none=True,
    openapi_extra=oas.with_parameters(oas.FORMAT),
    summary="Landing page (public)",
)
async def landing_page(request: Request, f: Format = None) -> LandingPage:
    params.check_format(f)
    return documents.landing_page(base_url(request))


@router.get(
    "/api",
    dependencies=[KnownParameters],
    response_class=Response,
    responses={200: {"description": "OpenAPI 3.0", "content": {OPENAPI_30: {}}}},
    summary="The OpenAPI 3.0 definition of the OGC part (public; the landing page's service-desc)",
)
async def api_document(request: Request, f: Format = None) -> Response:
    params.check_format(f)  # clients add f=json to the service-desc link
    document = api_definition(base_url(request), list(LAYERS))
    return Response(json.dumps(document, ensure_ascii=False).encode(), media_type=OPENAPI_30)


@router.get(
    "/conformance",
    dependencies=[KnownParameters],
    response_model=Conformance,
    openapi_extra=oas.with_parameters(oas.FORMAT),
    summary="Conformance classes (public)",
)
async def conformance(f: Format = None) -> Conformance:
    params.check_format(f)
    return documents.conformance()


@data.get(
    "/collections",
    response_model=Collections,
    response_model_exclude_none=True,
    openapi_extra=oas.with_parameters(oas.FORMAT),
    summary="The map layers as collections; extent = the caller's area",
)
async def list_collections(
    request: Request, principal: CurrentUser, session: DbSession, f: Format = None
) -> Collections:
    params.check_format(f)
    extent = await service.scope_extent(session, principal=principal)
    times = {
        layer.id: await service.temporal_extent(session, layer=layer)
        for layer in LAYERS.values()
        if layer.id in temporal.TEMPORAL_PROPERTIES
    }
    return documents.collections(list(LAYERS.values()), base_url(request), extent, times)


@data.get(
    "/collections/{collection_id}",
    response_model=Collection,
    response_model_exclude_none=True,
    openapi_extra=oas.with_parameters(oas.FORMAT),
    summary="One collection; extent = the bbox of the features the caller can see",
)
async def read_collection(
    collection_id: str, request: Request, _: CurrentUser, session: DbSession, f: Format = None
) -> Collection:
    params.check_format(f)
    layer = service.get_collection(collection_id)
    extent = await service.layer_extent(session, layer=layer)
    times = await service.temporal_extent(session, layer=layer)
    return documents.collection(layer, base_url(request), extent, times)


@data.get(
    "/collections/{collection_id}/items",
    response_class=Response,
    responses={**oas.GEOJSON_RESPONSE, **error_responses(400, 401, 403, 404)},
    openapi_extra=oas.with_parameters(*oas.ITEMS),
    summary="Features of a collection, paged (GeoJSON); each page is audited as an export",
)
async def read_items(
    collection_id: str,
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    bbox: Raw = None,
    bbox_crs: BBoxCrs = None,
    datetime: Raw = None,
    limit: Raw = None,
    offset: Raw = None,
    crs: Raw = None,
    f: Format = None,
    accept: Accept = None,
) -> Response:
    media_type = params.geojson_media_type(f, accept)
    layer = service.get_collection(collection_id)
    params.check_crs("bbox-crs", bbox_crs)
    params.check_crs("crs", crs)
    query = params.Query(params.parse_bbox(bbox), temporal.parse_datetime(datetime))
    page_size, skip = params.parse_limit(limit), params.parse_offset(offset)
    page = await service.read_items(
        session,
        layer=layer,
        bbox=query.bbox,
        interval=query.interval,
        limit=page_size,
        offset=skip,
    )
    await service.record_export(
        session,
        principal=principal,
        layer=layer,
        page=page,
        query=query,
        limit=page_size,
        offset=skip,
        client_addr=client_addr(request),
    )
    body = documents.items_document(
        page.features,
        layer=layer,
        base=base_url(request),
        query=query,
        limit=page_size,
        offset=skip,
        number_matched=page.number_matched,
    )
    return _geojson(body, media_type)


@data.get(
    "/collections/{collection_id}/items/{fid}",
    response_class=Response,
    responses={**oas.GEOJSON_RESPONSE, **error_responses(400, 401, 403, 404)},
    openapi_extra=oas.with_parameters(oas.FEATURE_FORMAT),
    summary="One feature, if it lies within the caller's area",
)
async def read_item(
    collection_id: str,
    fid: str,
    request: Request,
    _: CurrentUser,
    session: DbSession,
    f: Format = None,
    accept: Accept = None,
) -> Response:
    media_type = params.geojson_media_type(f, accept)
    layer = service.get_collection(collection_id)
    feature = await service.read_item(session, layer=layer, fid=fid)
    body = documents.feature_document(feature, layer=layer, base=base_url(request), fid=fid)
    return _geojson(body, media_type)


router.include_router(data)
