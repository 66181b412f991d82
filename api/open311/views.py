"""Open311 GeoReport v2 under ``/open311/v2`` (JSON; errors as GeoReport error arrays)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api.auth.schemas import Principal
from api.db import apply_scope
from api.deps import DbSession, SettingsDep
from api.errors import BadRequest, BlockgridError, Forbidden
from api.events import intake
from api.events.calendar import now
from api.events.routing import load_calendar
from api.open311 import service


class GeoReportRoute(APIRoute):
    """Render errors the GeoReport way: ``[{"code": 400, "description": "..."}]``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def geo_report_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except BlockgridError as exc:
                return JSONResponse(
                    [{"code": exc.status_code, "description": exc.message}],
                    status_code=exc.status_code,
                )
            except RequestValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()
                )
                return JSONResponse([{"code": 400, "description": problems}], status_code=400)

        return geo_report_handler


router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=GeoReportRoute)


async def key_principal(request: Request, session: DbSession, settings: SettingsDep) -> Principal:
    api_key = request.query_params.get("api_key")
    if api_key is None and request.method == "POST":
        api_key = (await request.form()).get("api_key")
    principal = await service.principal_for_key(
        session, api_key=api_key, secret_key=settings.secret_key.get_secret_value()
    )
    await apply_scope(session, principal.scope)
    return principal


KeyPrincipal = Annotated[Principal, Depends(key_principal)]


@router.get("/services.json", summary="GeoReport: the service list (event categories)")
async def services(session: DbSession) -> list[dict]:
    return await service.services(session)


@router.get("/services/{code}.json", summary="GeoReport: one service definition")
async def service_definition(code: str, session: DbSession) -> dict:
    category = await service.category_by_code(session, code)
    return {"service_code": service.service_code(category), "attributes": []}


@router.get("/requests.json", summary="GeoReport: service requests in the key's area")
async def list_requests(
    _: KeyPrincipal,
    session: DbSession,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: str | None = None,
) -> list[dict]:
    ids = [i.strip() for i in service_request_id.split(",")] if service_request_id else None
    if not ids and start_date is None and end_date is None:
        start_date = datetime.now(UTC) - timedelta(days=90)  # the GeoReport default window
    return await service.requests(
        session, ids=ids, code=service_code, start=start_date, end=end_date, status=status
    )


@router.get("/requests/{request_id}.json", summary="GeoReport: one service request")
async def read_request(request_id: str, _: KeyPrincipal, session: DbSession) -> list[dict]:
    found = await service.requests(session, ids=[request_id])
    if not found:
        raise BadRequest(f"no service request {request_id} in your area", code="not_found")
    return found


@router.post("/requests.json", summary="GeoReport: create a service request")
async def create_request(
    principal: KeyPrincipal,
    session: DbSession,
    service_code: Annotated[str, Form()],
    lat: Annotated[float | None, Form()] = None,
    long: Annotated[float | None, Form()] = None,
    address_string: Annotated[str | None, Form(max_length=300)] = None,
    description: Annotated[str | None, Form(max_length=4000)] = None,
    email: Annotated[str | None, Form(max_length=100)] = None,
    phone: Annotated[str | None, Form(max_length=30)] = None,
    first_name: Annotated[str | None, Form(max_length=50)] = None,
    last_name: Annotated[str | None, Form(max_length=50)] = None,
) -> list[dict]:
    if not principal.can("events.report"):
        raise Forbidden("this api_key may not create service requests")
    if lat is None or long is None:
        raise BadRequest(
            "lat and long are required (address-only requests are not geocoded here)",
            code="location_required",
        )
    category = await service.category_by_code(session, service_code)
    location = await intake.locate(session, lon=long, lat=lat)
    event = await intake.file_event(
        session,
        principal=principal,
        category=category,
        location=location,
        title=(description or category.name)[:60],
        description=description,
        address=address_string,
        priority=None,
        source="open311",
        at=now(),
        calendar=await load_calendar(session),
        reporter_contact=service.masked_contact(phone, email),
    )
    return [
        {
            "service_request_id": event.code,
            "service_notice": "已受理，将在时限内处理",
            "account_id": None,
        }
    ]
