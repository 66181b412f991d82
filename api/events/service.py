"""The events service (事件): report one, read one with its history, list filtered pages,
list the categories; always inside the caller's scope (row-level security).

Workflow steps are in :mod:`api.events.flows`; locating and filing a report in
:mod:`api.events.intake` (shared with Open311 and the hotline import).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from api.auth.models import User
from api.auth.schemas import Principal
from api.buildings.models import Building
from api.departments.models import Department
from api.errors import NotFound
from api.events import intake
from api.events.calendar import now
from api.events.models import Event, EventAction, EventAttachment, EventCategory
from api.events.routing import load_calendar
from api.events.schemas import (
    ActionRead,
    AttachmentRead,
    CategoryLimits,
    CategoryRead,
    EventCreate,
    EventCreated,
    EventDetail,
    EventPage,
    EventRead,
)
from api.events.workflow import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    STATUS_LABELS_ZH,
    STEPS,
    allowed_actions,
)

TOTAL_CAP = 1_000  # beyond the page: "1,000+" (counting further costs more than the page)
_CODE_PREFIX = re.compile(r"^[Ee][0-9]{2,15}$")


def etag_of(event_id: int, version: int) -> str:
    return f'"e{event_id}v{version}"'


def _row_columns() -> tuple:
    return (
        Event,
        EventCategory,
        Department.name,
        Building.code,
        func.ST_X(Event.geom),
        func.ST_Y(Event.geom),
    )


def _rows() -> Select:
    """The list and detail columns; the geometries come as lon/lat, not as EWKB objects."""
    return select(*_row_columns()).options(defer(Event.geom), defer(Event.geom_3857))


def _with_joins(query: Select) -> Select:
    return (
        query.join(EventCategory, EventCategory.id == Event.category_id)
        .outerjoin(Department, Department.id == Event.department_id)
        .outerjoin(Building, Building.id == Event.building_id)
    )


def to_read(row: tuple, *, at: datetime) -> EventRead:
    event, category, department, building_code, lon, lat = row
    return EventRead(
        id=event.id,
        code=event.code,
        category_id=category.id,
        category=category.name,
        major=category.major,
        minor=category.minor,
        source=event.source,
        title=event.title,
        description=event.description,
        address=event.address,
        lon=round(lon, 7),
        lat=round(lat, 7),
        building_code=building_code,
        grid_code=event.grid_code,
        status=event.status,
        status_label=STATUS_LABELS_ZH[event.status],
        priority=event.priority,
        department_id=event.department_id,
        department=department,
        reported_at=event.reported_at,
        accepted_at=event.accepted_at,
        dispatched_at=event.dispatched_at,
        handled_at=event.handled_at,
        closed_at=event.closed_at,
        due_at=event.due_at,
        stage_due_at=event.stage_due_at,
        overdue=is_overdue(event, at),
        escalation_level=event.escalation_level,
        rework_count=event.rework_count,
        duplicate_of_id=event.duplicate_of_id,
        version=event.version,
    )


def is_overdue(event: Event, at: datetime) -> bool:
    """Open (not postponed) and past the deadline of its current stage (超期)."""
    return (
        event.status in OPEN_STATUSES and event.stage_due_at is not None and event.stage_due_at < at
    )


async def resolve_event_id(session: AsyncSession, *, ref: int | str) -> int:
    """The numeric id of an event named by id or by public code (案件编号), in the caller's area."""
    if isinstance(ref, int):
        return ref
    event_id = await session.scalar(select(Event.id).where(Event.code == ref))
    if event_id is None:
        raise NotFound(
            f"no event {ref} in your area",
            code="event_not_found",
            message_zh="事件不存在或不在您的管辖范围",
        )
    return event_id


async def read_event(session: AsyncSession, *, event_id: int, principal: Principal) -> EventDetail:
    """One event with its history, photos and the actions the caller may take now."""
    row = (await session.execute(_with_joins(_rows()).where(Event.id == event_id))).first()
    if row is None:
        raise NotFound(
            f"no event {event_id} in your area",
            code="event_not_found",
            message_zh="事件不存在或不在您的管辖范围",
        )
    history = await session.execute(
        select(EventAction, User.display_name, Department.name)
        .outerjoin(User, User.id == EventAction.actor_id)
        .outerjoin(Department, Department.id == EventAction.department_id)
        .where(EventAction.event_id == event_id)
        .order_by(EventAction.at, EventAction.id)
    )
    photos = await session.execute(
        select(
            EventAttachment.id,
            EventAttachment.filename,
            EventAttachment.content_type,
            EventAttachment.size_bytes,
        )
        .where(EventAttachment.event_id == event_id)
        .order_by(EventAttachment.id)
    )
    base = to_read(row, at=now())
    return EventDetail(
        **base.model_dump(),
        actions=[
            ActionRead(
                id=a.id,
                action=a.action,
                label_zh=STEPS[a.action].label_zh if a.action in STEPS else "上报",
                from_status=a.from_status,
                to_status=a.to_status,
                actor=name,
                actor_role=a.actor_role,
                department=dept,
                note=a.note,
                at=a.at,
            )
            for a, name, dept in history
        ],
        attachments=[
            AttachmentRead(
                id=pid,
                filename=fn,
                content_type=ct,
                size_bytes=size,
                url=f"/api/events/{event_id}/attachments/{pid}",
            )
            for pid, fn, ct, size in photos
        ],
        allowed_actions=allowed_actions(base.status, principal),
    )


@dataclass(frozen=True)
class EventFilters:
    """The event list's filters (all optional; the caller's scope always applies)."""

    status: tuple[str, ...] = ()
    open_only: bool = False
    overdue: bool | None = None
    area: str | None = None
    category_id: int | None = None
    major: str | None = None
    department_id: int | None = None
    source: str | None = None
    reported_from: datetime | None = None
    reported_to: datetime | None = None
    building_code: str | None = None
    text: str | None = None


def _filtered(
    query: Select, filters: EventFilters, at: datetime, major_ids: tuple[int, ...] = ()
) -> Select:
    if filters.status:
        query = query.where(Event.status.in_(filters.status))
    if filters.open_only:
        query = query.where(Event.status.not_in(FINAL_STATUSES))
    if filters.overdue is True:  # only timed stages have a deadline (ck_events_untimed_states)
        query = query.where(Event.stage_due_at < at)
    elif filters.overdue is False:
        query = query.where((Event.stage_due_at >= at) | Event.status.not_in(OPEN_STATUSES))
    if filters.area:
        query = query.where(Event.grid_code >= filters.area, Event.grid_code < filters.area + ":")
    if filters.category_id is not None:
        query = query.where(Event.category_id == filters.category_id)
    if filters.major:  # as category ids, which the planner finds in the events' statistics
        query = query.where(Event.category_id.in_(major_ids))
    if filters.department_id is not None:
        query = query.where(Event.department_id == filters.department_id)
    if filters.source:
        query = query.where(Event.source == filters.source)
    if filters.reported_from:
        query = query.where(Event.reported_at >= filters.reported_from)
    if filters.reported_to:
        query = query.where(Event.reported_at < filters.reported_to)
    if filters.building_code:
        query = query.where(Building.code == filters.building_code)
    if filters.text:
        if _CODE_PREFIX.match(filters.text):  # a case code: prefix search on its index
            query = query.where(Event.code.startswith(filters.text.upper(), autoescape=True))
        else:
            query = query.where(Event.title.contains(filters.text, autoescape=True))
    return query


async def list_events(
    session: AsyncSession, *, filters: EventFilters, limit: int, offset: int
) -> EventPage:
    """A page of events, newest first, with a total counted up to ``TOTAL_CAP`` past the
    page's start (``total_capped``: there are more)."""
    at = now()
    major_ids: tuple[int, ...] = ()
    if filters.major:
        major_ids = tuple(
            await session.scalars(
                select(EventCategory.id).where(EventCategory.major == filters.major)
            )
        )
    rows = await session.execute(
        _filtered(_with_joins(_rows()), filters, at, major_ids)
        .order_by(Event.reported_at.desc(), Event.id.desc())
        .limit(limit)
        .offset(offset)
    )
    items = [to_read(row, at=at) for row in rows]
    cap = offset + TOTAL_CAP  # so that the page after the last one counted is known to exist
    capped = _filtered(_with_joins(select(Event.id)), filters, at, major_ids).limit(cap + 1)
    total = await session.scalar(select(func.count()).select_from(capped.subquery())) or 0
    return EventPage(
        items=items,
        total=min(total, cap),
        total_capped=total > cap,
        limit=limit,
        offset=offset,
    )


async def report_event(
    session: AsyncSession, *, body: EventCreate, principal: Principal
) -> EventCreated:
    """File a report (统一采集) at the nearest building within 30 m, with its deadlines, and
    return it with the open events of its category nearby (possible duplicates)."""
    category = await intake.category_of(
        session, category_id=body.category_id, major=body.major, minor=body.minor
    )
    location = await intake.locate(session, lon=body.lon, lat=body.lat)
    at = now()
    event = await intake.file_event(
        session,
        principal=principal,
        category=category,
        location=location,
        title=body.title,
        description=body.description,
        address=body.address,
        priority=body.priority,
        source="patrol" if principal.role == "grid_worker" else "supervisor",
        at=at,
        calendar=await load_calendar(session),
    )
    duplicates = await intake.possible_duplicates(
        session, category_id=category.id, location=location, at=at, exclude_id=event.id
    )
    detail = await read_event(session, event_id=event.id, principal=principal)
    similar = [await read_event(session, event_id=d, principal=principal) for d in duplicates]
    return EventCreated(
        **detail.model_dump(),
        possible_duplicates=[
            EventRead(**s.model_dump(include=set(EventRead.model_fields))) for s in similar
        ],
    )


async def list_categories(session: AsyncSession) -> list[CategoryRead]:
    """The active categories (事件分类), by major and minor code."""
    rows = await session.scalars(
        select(EventCategory)
        .where(EventCategory.active)
        .order_by(EventCategory.major, EventCategory.minor)
    )
    return [
        CategoryRead(
            id=c.id,
            major=c.major,
            minor=c.minor,
            major_name=c.major_name,
            name=c.name,
            name_en=c.name_en,
            group=c.group,
            priority=c.priority,
            default_department_id=c.default_department_id,
            limits_minutes=CategoryLimits(
                accept=c.accept_minutes,
                dispatch=c.dispatch_minutes,
                handle=c.handle_minutes,
                verify=c.verify_minutes,
            ),
            working_hours=c.working_hours,
        )
        for c in rows
    ]
