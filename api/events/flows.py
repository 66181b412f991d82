"""Workflow steps (流转) with optimistic concurrency: one ETag, one winner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.schemas import Principal
from api.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)
from api.events.calendar import WorkCalendar, now
from api.events.models import Event, EventAction, EventCategory
from api.events.routing import department_for, load_calendar
from api.events.schemas import ActionCreate
from api.events.service import etag_of
from api.events.workflow import (
    Step,
    StepNotPermitted,
    TransitionError,
    check_permission,
    next_status,
    step_for,
)


async def _event(session: AsyncSession, event_id: int) -> Event:
    event = await session.get(Event, event_id, populate_existing=True)
    if event is None:
        raise NotFound(
            f"no event {event_id} in your area",
            code="event_not_found",
            message_zh="事件不存在或不在您的管辖范围",
        )
    return event


def _authorise(step: Step, principal: Principal) -> None:
    try:
        check_permission(step, principal)
    except StepNotPermitted as exc:
        raise Forbidden(str(exc), code="action_not_permitted") from exc


async def _last_postponed_from(session: AsyncSession, event_id: int) -> str | None:
    return await session.scalar(
        select(EventAction.from_status)
        .where(EventAction.event_id == event_id, EventAction.action == "postpone")
        .order_by(EventAction.at.desc(), EventAction.id.desc())
        .limit(1)
    )


async def _changes(
    session: AsyncSession,
    *,
    step: Step,
    event: Event,
    category: EventCategory,
    body: ActionCreate,
    at: datetime,
    calendar: WorkCalendar,
) -> dict[str, Any]:
    """The columns a step changes besides status and version."""

    def deadline(minutes: int) -> datetime:
        return calendar.add(at, minutes, working_hours=category.working_hours)

    match step.action:
        case "accept":
            return {"accepted_at": at, "stage_due_at": deadline(category.dispatch_minutes)}
        case "reject":
            return {"closed_at": at, "stage_due_at": None}
        case "merge":
            original = await session.get(Event, body.duplicate_of) if body.duplicate_of else None
            if original is None or original.id == event.id:
                raise Unprocessable(
                    "merge needs duplicate_of: another event in your area",
                    code="merge_target_missing",
                )
            return {"closed_at": at, "stage_due_at": None, "duplicate_of_id": original.id}
        case "dispatch":
            department = await department_for(
                session, category=category, grid_code=event.grid_code, requested=body.department_id
            )
            return {
                "department_id": department,
                "dispatched_at": at,
                "stage_due_at": deadline(category.handle_minutes),
                "due_at": deadline(category.handle_minutes + category.verify_minutes),
            }
        case "return":
            return {"stage_due_at": deadline(category.dispatch_minutes)}
        case "report_done":
            return {"handled_at": at, "stage_due_at": deadline(category.verify_minutes)}
        case "verify_pass":
            return {"stage_due_at": deadline(category.accept_minutes)}
        case "verify_fail":
            return {
                "handled_at": None,
                "rework_count": event.rework_count + 1,
                "stage_due_at": deadline(category.handle_minutes),
            }
        case "close":
            return {"closed_at": at, "stage_due_at": None}
        case "postpone":
            return {"stage_due_at": None}
        case "resume":
            return {"stage_due_at": deadline(category.handle_minutes)}
        case "escalate":
            return {"escalation_level": event.escalation_level + 1}
    return {}


async def take_action(
    session: AsyncSession,
    *,
    event_id: int,
    if_match: str | None,
    body: ActionCreate,
    principal: Principal,
) -> int:
    """Apply one workflow step and return the event's new version; exactly one of
    concurrent requests with one ETag wins.

    Raises
    ------
    PreconditionRequired
        No ``If-Match`` header (428).
    PreconditionFailed
        The ETag is stale: someone changed the event first (412).
    Conflict
        The step is not allowed from the event's state (409).
    Forbidden
        The caller lacks the permission the step names (403).
    """
    if not if_match:
        raise PreconditionRequired(
            "send If-Match with the event's ETag (from GET /api/events/{id})"
        )
    try:
        step = step_for(body.action)
    except TransitionError as exc:
        raise Unprocessable(str(exc), code="unknown_action") from exc
    _authorise(step, principal)
    if step.note_required and not (body.note or "").strip():
        raise Unprocessable(
            f"{step.action} ({step.label_zh}) needs a note saying why",
            code="note_required",
            message_zh=f"{step.label_zh}须填写说明",
        )
    event = await _event(session, event_id)
    current_etag = etag_of(event.id, event.version)
    if if_match.strip() != current_etag:
        raise PreconditionFailed(
            f"the event changed since you read it (now {current_etag})",
            headers={"ETag": current_etag},
        )
    resumed_to = await _last_postponed_from(session, event.id) if step.action == "resume" else None
    try:
        target = next_status(step, event.status, resumed_to=resumed_to)
    except TransitionError as exc:
        raise Conflict(
            str(exc), code="illegal_transition", message_zh="当前状态下不能执行该操作"
        ) from exc
    category = await session.get(EventCategory, event.category_id)
    at = now()
    changes = await _changes(
        session,
        step=step,
        event=event,
        category=category,
        body=body,
        at=at,
        calendar=await load_calendar(session),
    )
    result = await session.execute(
        update(Event)
        .where(Event.id == event.id, Event.version == event.version)
        .values(status=target, version=event.version + 1, **changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise PreconditionFailed(
            "the event changed while you acted; reload it", code="precondition_failed"
        )
    session.add(
        EventAction(
            event_id=event.id,
            action=step.action,
            from_status=event.status,
            to_status=target,
            actor_id=principal.user_id,
            actor_role=principal.role,
            department_id=changes.get("department_id", event.department_id),
            note=body.note,
            at=at,
            stage_due_at=event.stage_due_at,
        )
    )
    await session.flush()
    await audit.record_by(
        session,
        principal,
        action="event.action",
        object_type="event",
        object_id=event.code,
        area_code=event.grid_code,
        details={"step": step.action, "from": event.status, "to": target},
    )
    version = event.version + 1
    session.expire(event)  # the UPDATE bypassed the ORM: reload on next access
    return version
