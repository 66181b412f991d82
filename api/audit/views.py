"""Audit trail API (审计日志): auditors read and export the trail of their own area."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.audit import service
from api.audit.models import AuditRecord
from api.audit.schemas import AuditAction, AuditPage, AuditRead
from api.deps import CurrentUser, DbSession, SettingsDep, client_addr, require
from api.errors import Forbidden
from api.validation import AreaCode

router = APIRouter(
    prefix="/api/audit", tags=["audit"], dependencies=[Depends(require("audit.read"))]
)

PAGE_MAX = 500


def audit_filter(
    principal: CurrentUser,
    since: Annotated[datetime | None, Query(description="from this time (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="before this time")] = None,
    username: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9._-]+$")] = None,
    action: Annotated[
        str | None,
        Query(max_length=40, pattern=r"^[a-z0-9_.]+$", description="exact, or a family: 'event.'"),
    ] = None,
    object_type: Annotated[str | None, Query(max_length=30, pattern=r"^[a-z0-9_]+$")] = None,
    object_id: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")] = None,
    area: Annotated[AreaCode | None, Query(description="area code prefix inside yours")] = None,
    result: Literal["success", "failure", "denied"] | None = None,
) -> service.AuditFilter:
    if area is not None and not area.startswith(principal.scope_code):
        raise Forbidden(f"area {area} is outside your area {principal.scope_code}")
    return service.AuditFilter(
        since=since,
        until=until,
        username=username,
        action=action,
        object_type=object_type,
        object_id=object_id,
        area=area,
        result=result,
    )


Filter = Annotated[service.AuditFilter, Depends(audit_filter)]


def _read(record: AuditRecord) -> AuditRead:
    return AuditRead(
        id=record.id,
        at=record.at,
        user_id=record.user_id,
        username=record.username,
        action=record.action,
        action_label=service.ACTIONS.get(record.action, record.action),
        object_type=record.object_type,
        object_id=record.object_id,
        result=record.result,
        area_code=record.area_code,
        client_addr=None if record.client_addr is None else str(record.client_addr),
        reason=record.reason,
        details=record.details,
    )


@router.get(
    "",
    response_model=AuditPage,
    summary="The audit trail of your area, newest first",
    description="Auditors (audit.read) read every login, reveal, lookup, export, import, "
    "event action and account change recorded in their area; page with before_id.",
)
async def list_audit(
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    where: Filter,
    before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 100,
) -> AuditPage:
    await service.open_for_reading(session)
    records = await service.list_records(session, where=where, before_id=before_id, limit=limit)
    await service.record_by(
        session,
        principal,
        action="audit.read",
        client_addr=client_addr(request),
        details={"returned": len(records), "before_id": before_id},
    )
    return AuditPage(
        items=[_read(r) for r in records],
        next_before_id=records[-1].id if len(records) == limit else None,
    )


@router.get(
    "/actions",
    response_model=list[AuditAction],
    summary="The actions the trail records, with their labels",
    description="audit.read; every action name with its Chinese label, for filters.",
)
async def list_actions(_: CurrentUser) -> list[AuditAction]:
    return [AuditAction(action=a, label_zh=label) for a, label in service.ACTIONS.items()]


@router.get(
    "/export",
    summary="Export the audit trail of your area as CSV",
    description="The same filters as the list; at most BLOCKGRID_AUDIT_EXPORT_MAX_ROWS rows, "
    "newest first. The export itself is recorded.",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a BOM"}},
)
async def export_audit(
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
    where: Filter,
    format: Literal["csv"] = "csv",
) -> Response:
    await service.open_for_reading(session)
    records = await service.list_records(
        session, where=where, before_id=None, limit=settings.audit_export_max_rows
    )
    await service.record_by(
        session,
        principal,
        action="audit.export",
        client_addr=client_addr(request),
        details={"rows": len(records), "format": format},
    )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Response(
        service.to_csv(records),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )
