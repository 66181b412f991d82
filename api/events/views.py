"""Events API (事件): report, list, read, act (If-Match), photos, categories."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from api.audit import service as audit
from api.deps import CurrentUser, DbSession, client_addr, require
from api.errors import error_responses
from api.events import flows, hotline_import, photos, service
from api.events.models import EVENT_SOURCES
from api.events.schemas import (
    ActionCreate,
    AttachmentRead,
    CategoryRead,
    EventCreate,
    EventCreated,
    EventDetail,
    EventPage,
    ImportReportRead,
)
from api.events.workflow import EVENT_STATUSES_ALL
from api.idempotency import service as idempotency
from api.validation import AreaCode, EventRef, Int32Id, Int64Id, IsoDateTime, SafeText

router = APIRouter(
    prefix="/api/events", tags=["events"], dependencies=[Depends(require("events.read"))]
)
categories_router = APIRouter(prefix="/api/event-categories", tags=["events"])

MAX_PAGE = 200
EventStatus = Literal[EVENT_STATUSES_ALL]  # type: ignore[valid-type]
EventSource = Literal[EVENT_SOURCES]  # type: ignore[valid-type]
IdempotencyKey = Annotated[
    SafeText | None,
    Header(max_length=100, description="replays the first response for the same key and body"),
]


@categories_router.get(
    "",
    response_model=list[CategoryRead],
    summary="Event categories with departments and time limits",
    description="Any signed-in user. The active categories (事件分类, GB/T 30428 major + minor "
    "codes), each with its default department and the time limits of each stage.",
)
async def list_categories(_: CurrentUser, session: DbSession) -> list[CategoryRead]:
    return await service.list_categories(session)


@router.post(
    "",
    status_code=201,
    response_model=EventCreated,
    dependencies=[Depends(require("events.report"))],
    summary="Report an event (located to the nearest building within 30 m)",
    description="Grid workers and supervisors (events.report). Files a new event at a point "
    "inside your area (统一采集), returns it with its ETag and possible duplicates nearby. "
    "An Idempotency-Key makes a retried POST return the first response.",
    responses=error_responses(409),
)
async def report_event(
    body: EventCreate,
    principal: CurrentUser,
    session: DbSession,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    fingerprint = idempotency.request_hash(body.model_dump())
    if idempotency_key is not None:
        replay = await idempotency.claim(
            session, user_id=principal.user_id, key=idempotency_key, fingerprint=fingerprint
        )
        if replay is not None:
            status, stored = replay
            return JSONResponse(stored, status_code=status, headers={"Idempotent-Replay": "true"})
    created = await service.report_event(session, body=body, principal=principal)
    payload = created.model_dump(mode="json")
    if idempotency_key is not None:
        await idempotency.remember(
            session, user_id=principal.user_id, key=idempotency_key, status_code=201, body=payload
        )
    return JSONResponse(
        payload,
        status_code=201,
        headers={
            "ETag": service.etag_of(created.id, created.version),
            "Location": f"/api/events/{created.id}",
        },
    )


@router.get(
    "",
    response_model=EventPage,
    summary="Events in your area, newest first",
    description="Anyone with events.read. A page of the events in your area (department "
    "handlers: those dispatched to their department), filtered by status, area, category, "
    "department, source, time, building or text.",
)
async def list_events(
    principal: CurrentUser,
    session: DbSession,
    status: Annotated[list[EventStatus] | None, Query()] = None,
    open: bool = False,
    overdue: bool | None = None,
    area: AreaCode | None = None,
    category_id: Int32Id | None = None,
    major: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
    department_id: Int32Id | None = None,
    source: EventSource | None = None,
    reported_from: IsoDateTime | None = None,
    reported_to: IsoDateTime | None = None,
    building: Annotated[str | None, Query(pattern=r"^[0-9]{19}$")] = None,
    q: Annotated[SafeText | None, Query(min_length=2, max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> EventPage:
    filters = service.EventFilters(
        status=tuple(status or ()),
        open_only=open,
        overdue=overdue,
        # the caller's area as an explicit filter too, so that its index can be used
        area=area or principal.scope_code,
        category_id=category_id,
        major=major,
        department_id=department_id,
        source=source,
        reported_from=reported_from,
        reported_to=reported_to,
        building_code=building,
        text=q,
    )
    return await service.list_events(session, filters=filters, limit=limit, offset=offset)


@router.get(
    "/{event_id}",
    response_model=EventDetail,
    summary="One event with its history; the ETag is needed to act on it",
    description="Anyone with events.read, for an event in their area. The event named by its "
    "numeric id or by its public case code (案件编号, e.g. E202612070000042), with its "
    "workflow history, photos and the actions you may take; the ETag header is its version.",
)
async def read_event(
    event_id: EventRef, response: Response, principal: CurrentUser, session: DbSession
) -> EventDetail:
    resolved = await service.resolve_event_id(session, ref=event_id)
    detail = await service.read_event(session, event_id=resolved, principal=principal)
    response.headers["ETag"] = service.etag_of(detail.id, detail.version)
    return detail


@router.post(
    "/{event_id}/actions",
    response_model=EventDetail,
    summary="Take a workflow step (If-Match: the event's ETag)",
    description="The role the step needs (受理, 派遣, 处置, 核查, 结案…; see allowed_actions "
    "of the event). Moves the event (by id or public code) to its next state and returns it "
    "with the new ETag. If-Match must carry the current ETag: 428 without it, 412 when stale.",
    responses=error_responses(409, 412, 428),
)
async def act(
    event_id: EventRef,
    body: ActionCreate,
    response: Response,
    principal: CurrentUser,
    session: DbSession,
    if_match: Annotated[
        SafeText | None, Header(max_length=100, description="the event's ETag (required)")
    ] = None,
) -> EventDetail:
    event_id = await service.resolve_event_id(session, ref=event_id)
    version = await flows.take_action(
        session,
        event_id=event_id,
        if_match=if_match,
        body=body,
        principal=principal,
    )
    response.headers["ETag"] = service.etag_of(event_id, version)
    return await service.read_event(session, event_id=event_id, principal=principal)


@router.post(
    "/{event_id}/attachments",
    status_code=201,
    response_model=AttachmentRead,
    summary="Attach a photo (JPEG, PNG or WebP, at most 5 MB, 9 per event)",
    description="Anyone with events.read who may act on the event (by id or public code), in "
    "their area. Stores the photo (checked by its content, not its name) and returns its URL.",
    responses=error_responses(409, 413),
)
async def upload_photo(
    event_id: EventRef, file: UploadFile, principal: CurrentUser, session: DbSession
) -> AttachmentRead:
    event_id = await service.resolve_event_id(session, ref=event_id)
    content = await file.read(photos.MAX_BYTES + 1)
    stored = await photos.attach(
        session,
        event_id=event_id,
        filename=file.filename or "photo",
        content=content,
        principal=principal,
    )
    return AttachmentRead(
        id=stored.id,
        filename=stored.filename,
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        url=f"/api/events/{event_id}/attachments/{stored.id}",
    )


@router.get(
    "/{event_id}/attachments/{photo_id}",
    response_class=Response,
    summary="One photo's bytes",
    description="Anyone with events.read, for an event in their area: the photo as stored.",
    responses={
        200: {
            "description": "The photo",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("image/jpeg", "image/png", "image/webp")
            },
        }
    },
)
async def download_photo(
    event_id: EventRef, photo_id: Int64Id, _: CurrentUser, session: DbSession
) -> Response:
    event_id = await service.resolve_event_id(session, ref=event_id)
    stored = await photos.photo(session, event_id=event_id, photo_id=photo_id)
    return Response(
        stored.content,
        media_type=stored.content_type,
        headers={"Cache-Control": "private, max-age=86400", "ETag": f'"{stored.sha256[:32]}"'},
    )


@router.post(
    "/import",
    dependencies=[Depends(require("events.accept"))],
    response_model=ImportReportRead,
    summary="Hotline batch import (CSV or XLSX): good rows filed, bad rows reported",
    description="Supervisors who accept events (events.accept). Files the 12345 tickets of "
    "the file that lie in your area; tickets already imported are skipped, bad rows are "
    "reported with their row number and reason (all_or_nothing: then none is filed).",
    responses=error_responses(413),
)
async def import_hotline_file(
    file: UploadFile,
    principal: CurrentUser,
    session: DbSession,
    request: Request,
    all_or_nothing: bool = False,
) -> dict:
    content = await file.read()
    filename = file.filename or "upload.csv"
    rows = hotline_import.read_rows(filename, content)
    report = await hotline_import.import_hotline(session, rows=rows, all_or_nothing=all_or_nothing)
    await audit.record_by(
        session,
        principal,
        action="import.events",
        result="success" if report.applied else "failure",
        object_type="file",
        object_id=filename,
        client_addr=client_addr(request),
        reason=None if report.applied else "all_or_nothing: rows rejected, nothing filed",
        details={"file": filename[:200]} | report.counts(),
    )
    return {
        "rows": report.rows,
        "imported": report.imported,
        "skipped_existing": report.skipped_existing,
        "applied": report.applied,
        "rejected": [vars(r) for r in report.rejected],
    }
