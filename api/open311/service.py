"""Open311 GeoReport v2 (市民诉求接口) on top of the event workflow.

Services are the event categories (``service_code`` = major + minor, e.g. ``06001``);
service requests are events (``service_request_id`` = the event code). GeoReport knows
two statuses: ``open`` and ``closed`` (closed and rejected events); blockgrid's richer
status is sent as the extension field ``blockgrid_status``.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.models import Role, User
from api.auth.schemas import Principal
from api.auth.security import token_digest
from api.departments.models import Department
from api.errors import BadRequest, Forbidden, NotFound
from api.events.models import ApiKey, Event, EventCategory
from api.events.workflow import FINAL_STATUSES, STATUS_LABELS_ZH
from grids.identifiers import IdentifierError, mask_phone, validate_phone

MAX_REQUESTS = 1000


def service_code(category: EventCategory) -> str:
    return f"{category.major}{category.minor}"


def geo_status(status: str) -> str:
    return "closed" if status in FINAL_STATUSES else "open"


async def principal_for_key(
    session: AsyncSession, *, api_key: str | None, secret_key: str
) -> Principal:
    """The service account behind an API key (its role and area scope apply)."""
    if not api_key:
        raise Forbidden("api_key is required", code="api_key_required")
    digest = token_digest(api_key, secret_key)
    row = (
        await session.execute(
            select(ApiKey, User, Role)
            .join(User, User.id == ApiKey.user_id)
            .join(Role, Role.name == User.role)
            .where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None), User.is_active)
        )
    ).first()
    if row is None or not hmac.compare_digest(row[0].key_hash, digest):
        raise Forbidden("invalid api_key", code="invalid_api_key")
    _, user, role = row
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        scope_code=user.scope_code,
        department_id=user.department_id,
        permissions=frozenset(role.permissions) | frozenset(user.extra_permissions),
        session_id=0,
    )


def service_entry(category: EventCategory) -> dict:
    return {
        "service_code": service_code(category),
        "service_name": category.name,
        "description": f"{category.major_name} · {category.name}"
        + (f" ({category.name_en})" if category.name_en else ""),
        "metadata": False,
        "type": "realtime",
        "keywords": category.group,
        "group": category.major_name,
    }


async def services(session: AsyncSession) -> list[dict]:
    rows = await session.scalars(
        select(EventCategory)
        .where(EventCategory.active)
        .order_by(EventCategory.major, EventCategory.minor)
    )
    return [service_entry(c) for c in rows]


async def category_by_code(session: AsyncSession, code: str) -> EventCategory:
    if len(code) != 5 or not code.isdigit():
        raise BadRequest(f"service_code must be 5 digits (major 2 + minor 3), got {code!r}")
    category = await session.scalar(
        select(EventCategory).where(
            EventCategory.major == code[:2], EventCategory.minor == code[2:], EventCategory.active
        )
    )
    if category is None:
        raise NotFound(f"unknown service_code {code}", code="unknown_service")
    return category


def masked_contact(phone: str | None, email: str | None) -> str | None:
    """Callers' contacts are kept masked only (138****1234); nobody needs the full value."""
    if phone:
        try:
            return mask_phone(validate_phone(phone))
        except IdentifierError as exc:
            raise BadRequest(f"phone: {exc}") from exc
    if email and "@" in email:
        name, _, domain = email.partition("@")
        return f"{name[:1]}***@{domain}"
    return None


def request_entry(
    event: Event, category: EventCategory, department: str | None, lon: float, lat: float
) -> dict:
    """One service request with the GeoReport v2 fields (and blockgrid extensions)."""
    return {
        "service_request_id": event.code,
        "status": geo_status(event.status),
        "status_notes": STATUS_LABELS_ZH[event.status],
        "service_name": category.name,
        "service_code": service_code(category),
        "description": event.description or event.title,
        "agency_responsible": department,
        "service_notice": None,
        "requested_datetime": _iso(event.reported_at),
        "updated_datetime": _iso(event.updated_at),
        "expected_datetime": _iso(event.due_at or event.stage_due_at),
        "address": event.address,
        "address_id": None,
        "zipcode": None,
        "lat": round(lat, 7),
        "long": round(lon, 7),
        "media_url": None,
        "blockgrid_status": event.status,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


async def requests(
    session: AsyncSession,
    *,
    ids: list[str] | None = None,
    code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status: str | None = None,
    limit: int = MAX_REQUESTS,
) -> list[dict]:
    """Service requests in the key's area, newest first (GeoReport: 90 days by default)."""
    query = (
        select(Event, EventCategory, Department.name, func.ST_X(Event.geom), func.ST_Y(Event.geom))
        .join(EventCategory, EventCategory.id == Event.category_id)
        .outerjoin(Department, Department.id == Event.department_id)
    )
    if ids:
        query = query.where(Event.code.in_(ids))
    if code:
        category = await category_by_code(session, code)
        query = query.where(Event.category_id == category.id)
    if start:
        query = query.where(Event.reported_at >= start)
    if end:
        query = query.where(Event.reported_at <= end)
    if status == "open":
        query = query.where(Event.status.not_in(FINAL_STATUSES))
    elif status == "closed":
        query = query.where(Event.status.in_(FINAL_STATUSES))
    elif status is not None:
        raise BadRequest(f"status must be open or closed, got {status!r}")
    rows = await session.execute(query.order_by(Event.reported_at.desc()).limit(limit))
    return [request_entry(*row) for row in rows]
