"""Open311 GeoReport v2 under ``/open311/v2`` and its discovery under ``/open311``.

Every endpoint answers in the format of its extension (``.json`` or ``.xml``), errors
included (``[{"code": 404, "description": …}]`` or ``<errors><error>…``). Reads need no
key; posting does (who sees what: api/open311/service.py).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from api.db import Scope, apply_scope
from api.deps import DbSession, SettingsDep, base_url
from api.errors import BadRequest, BlockgridError, Forbidden, NotFound
from api.events import intake
from api.events.calendar import now
from api.events.routing import load_calendar
from api.open311 import keys, service
from api.open311.formats import Format, format_of, read_form, render, render_errors
from api.open311.models import ApiKey, Open311Request
from api.open311.schemas import (
    GeoDiscovery,
    GeoReceipt,
    GeoReportError,
    GeoRequest,
    GeoService,
    GeoServiceDefinition,
)
from api.validation import NUL_FREE, IsoDateTime

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00Z"  # when this endpoint's contract last changed
CONTACT = "12345 政务服务便民热线; 系统管理员 (the city's blockgrid administrator)"
KEY_SERVICE = (
    "API keys are issued by the city administrator: `blockgrid open311 keys create NAME "
    "--area CODE` or POST /api/open311/keys"
)


def _responses(body: Any, *statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses: ``body`` as JSON or XML, and GeoReport error lists."""
    described = {
        400: "A parameter is missing or invalid.",
        403: "The api_key is missing (posting) or invalid.",
        404: "Unknown jurisdiction, service, request or format.",
        422: "The location is outside China or swapped (lat, long).",
        429: "This api_key posted its hourly number of requests; see Retry-After.",
    }
    return {
        200: {"model": body, "content": {"text/xml": {}}},
        **{
            s: {
                "model": list[GeoReportError],
                "description": described[s],
                "content": {"text/xml": {}},
            }
            for s in statuses
        },
    }


class GeoReportRoute(APIRoute):
    """Render errors the GeoReport way, in the format the request asked for.

    The app's error handlers call :meth:`render_error` for every error raised under this
    route (ours, database outages, the unexpected), so no answer here is ever our
    ``ErrorBody``; invalid parameters are GeoReport's 400 (an unknown format a 404).
    """

    @staticmethod
    def render_error(request: Request, error: BlockgridError) -> Response:
        response = render_errors(error.status_code, error.message, format_of(request))
        response.headers.update(error.headers or {})
        return response

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def geo_report_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                errors = exc.errors()
                if any(tuple(e["loc"]) == ("path", "fmt") for e in errors):
                    raise NotFound("use the extension .json or .xml") from exc
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors
                )
                raise BadRequest(problems) from exc

        return geo_report_handler


router = APIRouter(prefix="/open311", tags=["open311"], route_class=GeoReportRoute)

Jurisdiction = Annotated[str | None, Query(max_length=20)]
ApiKeyParam = Annotated[str | None, Query(max_length=200)]
# Comma lists as service.comma_list reads them (blank entries are skipped).
STATUS_LIST = r"^\s*(open|closed)?\s*(,\s*(open|closed)?\s*)*$"
SERVICE_CODE_LIST = r"^\s*([0-9]{5})?\s*(,\s*([0-9]{5})?\s*)*$"


def check_jurisdiction(jurisdiction_id: str | None) -> None:
    if jurisdiction_id not in (None, "", service.JURISDICTION_ID):
        raise NotFound(
            f"unknown jurisdiction_id {jurisdiction_id}: this is {service.JURISDICTION_ID}"
        )


async def reader_key(
    session: DbSession,
    settings: SettingsDep,
    jurisdiction_id: Jurisdiction = None,
    api_key: ApiKeyParam = None,
) -> ApiKey | None:
    """Scope the read: the key's area with a key, else the whole jurisdiction (public)."""
    check_jurisdiction(jurisdiction_id)
    if api_key:
        key = await keys.key_by_secret(
            session, api_key=api_key, secret_key=settings.secret_key.get_secret_value()
        )
        await apply_scope(session, Scope(area_prefix=key.area_code))
        return key
    await apply_scope(session, Scope(area_prefix=service.JURISDICTION_ID))
    return None


ReaderKey = Annotated[ApiKey | None, Depends(reader_key)]


@router.get(
    "/discovery.{fmt}",
    summary="GeoReport: service discovery",
    description="Where the GeoReport v2 endpoint is, its formats, changeset and contact.",
    responses=_responses(GeoDiscovery, 404),
)
async def discovery(fmt: Format, request: Request, settings: SettingsDep) -> Response:
    document = {
        "changeset": CHANGESET,
        "contact": CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base_url(request)}/open311/v2",
                "changeset": CHANGESET,
                "type": "production" if settings.environment == "production" else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(document, fmt, root="discovery")


@router.get(
    "/v2/services.{fmt}",
    summary="GeoReport: the service list (event categories)",
    description="Public: no api_key needed. Each service has a definition (metadata true).",
    responses=_responses(list[GeoService], 400, 404),
)
async def services(
    fmt: Format, session: DbSession, jurisdiction_id: Jurisdiction = None
) -> Response:
    check_jurisdiction(jurisdiction_id)
    return render(await service.services(session), fmt, root="services")


@router.get(
    "/v2/services/{code}.{fmt}",
    summary="GeoReport: one service definition (its attributes)",
    description="Public. The attributes a request of this service may carry.",
    responses=_responses(GeoServiceDefinition, 400, 404),
)
async def service_definition(
    code: Annotated[str, Path(pattern=r"^[0-9]{5}$", description="major 2 + minor 3 digits")],
    fmt: Format,
    session: DbSession,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    check_jurisdiction(jurisdiction_id)
    category = await service.category_by_code(session, code)
    return render(service.service_definition(category), fmt, root="service_definition")


@router.get(
    "/v2/requests.{fmt}",
    summary="GeoReport: service requests",
    description="Without api_key: the city's public requests with public fields only; with "
    "a key: its area, every field. `service_request_id`, `service_code` and `status` take "
    "comma lists; without ids or dates the last 90 days are listed.",
    responses=_responses(list[GeoRequest], 400, 403, 404),
)
async def list_requests(
    fmt: Format,
    key: ReaderKey,
    session: DbSession,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="service codes (5 digits), a comma list",
            json_schema_extra={"pattern": SERVICE_CODE_LIST},
        ),
    ] = None,
    start_date: IsoDateTime | None = None,
    end_date: IsoDateTime | None = None,
    status: Annotated[
        str | None,
        Query(
            max_length=20,
            description="open, closed, or both as a comma list",
            # stated for clients; checked below with a message that names the bad value
            json_schema_extra={"pattern": STATUS_LIST},
        ),
    ] = None,
) -> Response:
    ids = service.comma_list(service_request_id)
    statuses = service.comma_list(status)
    unknown = [s for s in statuses if s not in service.GEO_STATUSES]
    if unknown:
        raise BadRequest(f"status must be open and/or closed, got {', '.join(unknown)}")
    categories = [
        await service.category_by_code(session, c) for c in service.comma_list(service_code)
    ]
    if not ids and start_date is None and end_date is None:
        start_date = datetime.now(UTC) - timedelta(days=90)  # the GeoReport default window
    where = service.RequestFilter(
        ids=ids,
        categories=tuple(c.id for c in categories),
        start=start_date,
        end=end_date,
        statuses=statuses,
    )
    found = await service.requests(session, where=where, public=key is None)
    return render(found, fmt, root="service_requests")


@router.get(
    "/v2/requests/{request_id}.{fmt}",
    summary="GeoReport: one service request",
    description="Public fields without api_key (the city's public requests); 404 when unknown.",
    responses=_responses(list[GeoRequest], 400, 403, 404),
)
async def read_request(
    request_id: str, fmt: Format, key: ReaderKey, session: DbSession
) -> Response:
    found = await service.requests(
        session, where=service.RequestFilter(ids=(request_id,)), public=key is None
    )
    if not found:
        raise NotFound(f"no service request {request_id}")
    return render(found, fmt, root="service_requests")


def _text_field(max_length: int | None = None, pattern: str = NUL_FREE) -> dict[str, Any]:
    field: dict[str, Any] = {"type": "string", "pattern": pattern}
    if max_length is not None:
        field["maxLength"] = max_length
    return field


_SEPARATOR = r"[\s()-]*"  # what grids.identifiers.validate_phone removes
# The form as create_request reads it: what each field may hold, so that a request the
# document calls valid is accepted (short of the key, the category and the location).
FORM_FIELDS: dict[str, dict[str, Any]] = {
    "api_key": _text_field(pattern=r"^\s*\S[^\x00]*$"),
    "jurisdiction_id": _text_field(),
    "service_code": _text_field(10, r"^\s*[0-9]{5}\s*$"),
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": _text_field(300),
    "address_id": _text_field(),
    "description": _text_field(4000),
    "media_url": _text_field(500, r"^\s*([Hh][Tt][Tt][Pp][Ss]?://[^\x00]*)?$"),
    "email": _text_field(100),
    "phone": _text_field(
        30,
        rf"^\s*({_SEPARATOR}((\+{_SEPARATOR}8{_SEPARATOR}6|0{_SEPARATOR}0{_SEPARATOR}8{_SEPARATOR}6))?"
        rf"{_SEPARATOR}1{_SEPARATOR}[3-9]({_SEPARATOR}[0-9]){{9}}{_SEPARATOR})?\s*$",
    ),
    "first_name": _text_field(),
    "last_name": _text_field(),
    "device_id": _text_field(),
    "account_id": _text_field(),
    "attribute[priority]": {"type": "string", "enum": ["", "1", "2", "3"]},
}
POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["api_key", "service_code", "lat", "long"],
                    "properties": FORM_FIELDS,
                    # other fields are ignored, but no attribute the definition lacks
                    "propertyNames": {"pattern": r"^(?!attribute\[(?!priority\]$))[^\x00]*$"},
                    "additionalProperties": {"type": "string", "pattern": NUL_FREE},
                }
            }
        },
    }
}


def _number(fields: dict[str, str], name: str) -> float | None:
    value = fields.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a number, got {value!r}") from exc
    if number != number or abs(number) > 180:  # NaN or out of any range
        raise BadRequest(f"{name} is out of range: {value}")
    return number


def _text(fields: dict[str, str], name: str, max_length: int) -> str | None:
    value = fields.get(name, "").strip()
    if len(value) > max_length:
        raise BadRequest(f"{name} is longer than {max_length} characters")
    return value or None


@router.post(
    "/v2/requests.{fmt}",
    summary="GeoReport: create a service request",
    description="Needs api_key (form or query). Fields as GeoReport v2, form-encoded in "
    "UTF-8 (or the charset the Content-Type names); lat/long are required (addresses are "
    "not geocoded); `attribute[priority]` per the service definition. The caller's phone "
    "or e-mail is kept masked; names are not kept. The same request posted again by the "
    "same key within 10 minutes (a retry) gets the first receipt back; a key may post "
    "a limited number of requests an hour (429 with Retry-After).",
    responses=_responses(list[GeoReceipt], 400, 403, 404, 422, 429),
    openapi_extra=POST_BODY,
)
async def create_request(
    fmt: Format, request: Request, session: DbSession, settings: SettingsDep
) -> Response:
    fields = await read_form(request)
    check_jurisdiction(fields.get("jurisdiction_id") or request.query_params.get("jurisdiction_id"))
    api_key = fields.get("api_key") or request.query_params.get("api_key")
    if not api_key:
        raise Forbidden("api_key is required", code="api_key_required")
    key = await keys.key_by_secret(
        session, api_key=api_key, secret_key=settings.secret_key.get_secret_value()
    )
    await apply_scope(session, Scope(area_prefix=key.area_code))
    code = _text(fields, "service_code", 10)
    if code is None:
        raise BadRequest("service_code is required")
    category = await service.category_by_code(session, code)
    lat, lon = _number(fields, "lat"), _number(fields, "long")
    if lat is None or lon is None:
        raise BadRequest(
            "lat and long are required (address-only requests are not geocoded here)",
            code="location_required",
        )
    attributes = {
        name[len("attribute[") : -1]: value
        for name, value in fields.items()
        if name.startswith("attribute[") and name.endswith("]")
    }
    priority = service.attribute_priority(attributes)
    description = _text(fields, "description", 4000)
    media_url = service.media_url_of(fields.get("media_url"))
    contact = service.masked_contact(_text(fields, "phone", 30), _text(fields, "email", 100))
    address = _text(fields, "address_string", 300)
    digest = service.fingerprint(
        service_code=code,
        lat=lat,
        long=lon,
        description=description,
        address=address,
        media_url=media_url,
        priority=priority,
        contact=contact,
    )
    # a retry waits for the first post to commit (same key, same request), then finds it
    await service.hold_request(session, key=key, digest=digest)
    if earlier := await service.earlier_receipt(session, key=key, digest=digest):
        return render([_receipt(earlier, "重复提交，已按首次受理")], fmt, root="service_requests")
    await service.check_post_limit(session, key=key, per_hour=settings.open311_posts_per_hour)
    location = await intake.locate(session, lon=lon, lat=lat)
    event = await intake.file_event(
        session,
        principal=None,
        category=category,
        location=location,
        title=(description or category.name)[:60],
        description=description,
        address=address,
        priority=priority,
        source="open311",
        at=now(),
        calendar=await load_calendar(session),
        reporter_contact=contact,
    )
    session.add(
        Open311Request(
            event_id=event.id, api_key_id=key.id, media_url=media_url, fingerprint=digest
        )
    )
    await session.flush()
    return render([_receipt(event.code, "已受理，将在时限内处理")], fmt, root="service_requests")


def _receipt(request_id: str, notice: str) -> dict[str, str | None]:
    return {"service_request_id": request_id, "service_notice": notice, "account_id": None}
