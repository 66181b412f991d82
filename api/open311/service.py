"""Open311 GeoReport v2 (市民诉求接口) on top of the event workflow.

Services are the event categories (``service_code`` = major + minor, e.g. ``06001``);
service requests are events (``service_request_id`` = the event code). GeoReport knows
two statuses: ``open`` and ``closed`` (closed and rejected events); blockgrid's richer
status is sent as the extension field ``blockgrid_status``.

Who sees what (reads need no key; posting does):

- Without a key, reads cover the jurisdiction — the whole city (深圳市, ``4403``), as a
  city's public Open311 endpoint does — and show public fields only: never the caller's
  contact or name, the description only of requests filed through Open311 itself (a
  grid worker's patrol notes may name residents), and no request of the ``social``
  categories (矛盾纠纷, 群租, 特殊人群服务跟进, 噪声扰民: they are about people).
- With a key, reads cover the key's area with every field and every category, and the
  key may post requests located in that area.

The area is enforced by the row-level-security scope of the transaction (api/db.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.departments.models import Department
from api.errors import BadRequest, NotFound, TooManyRequests
from api.events.models import Event, EventCategory
from api.events.workflow import FINAL_STATUSES, STATUS_LABELS_ZH
from api.open311.models import ApiKey, Open311Request
from grids.identifiers import IdentifierError, mask_phone, validate_phone

MAX_REQUESTS = 1000
JURISDICTION_ID = "4403"  # the city: the area of key-less reads
PRIVATE_GROUPS = ("social",)  # categories about people, never shown without a key
GEO_STATUSES = ("open", "closed")
PRIORITY_VALUES = (("1", "紧急 (urgent)"), ("2", "一般 (normal)"), ("3", "不急 (low)"))
POST_WINDOW = timedelta(hours=1)  # a key's posts are limited per this window
RETRY_WINDOW = timedelta(minutes=10)  # the same request again within it is a retry


@dataclass(frozen=True)
class RequestFilter:
    """What a ``GET requests`` asks for; ``ids`` overrides every other field (GeoReport)."""

    ids: tuple[str, ...] = ()
    categories: tuple[int, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()


def service_code(category: EventCategory) -> str:
    return f"{category.major}{category.minor}"


def geo_status(status: str) -> str:
    return "closed" if status in FINAL_STATUSES else "open"


def comma_list(value: str | None) -> tuple[str, ...]:
    """``"a, b,,c"`` → ``("a", "b", "c")``: GeoReport's multi-valued parameters."""
    if not value:
        return ()
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def service_entry(category: EventCategory) -> dict:
    return {
        "service_code": service_code(category),
        "service_name": category.name,
        "description": f"{category.major_name} · {category.name}"
        + (f" ({category.name_en})" if category.name_en else ""),
        "metadata": True,  # every service has attributes (priority): see service_definition
        "type": "realtime",
        "keywords": ", ".join(k for k in (category.group, category.name_en) if k),
        "group": category.major_name,
    }


def service_definition(category: EventCategory) -> dict:
    """The service's attributes (GeoReport ``service_definition``); posted as
    ``attribute[priority]=1``."""
    return {
        "service_code": service_code(category),
        "attributes": [
            {
                "variable": True,
                "code": "priority",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": f"1, 2 or 3; {category.priority} when not given",
                "order": 1,
                "description": "紧急程度 (urgency)",
                "values": [{"key": key, "name": name} for key, name in PRIORITY_VALUES],
            }
        ],
    }


def attribute_priority(attributes: dict[str, str]) -> int | None:
    """The ``priority`` attribute as posted; refuses codes and values the definition lacks."""
    unknown = sorted(set(attributes) - {"priority"})
    if unknown:
        raise BadRequest(f"unknown attribute {', '.join(unknown)} (see the service definition)")
    value = attributes.get("priority", "").strip()
    if not value:
        return None
    if value not in {key for key, _ in PRIORITY_VALUES}:
        raise BadRequest(f"attribute[priority] must be 1, 2 or 3, got {value!r}")
    return int(value)


async def services(session: AsyncSession) -> list[dict]:
    rows = await session.scalars(
        select(EventCategory)
        .where(EventCategory.active)
        .order_by(EventCategory.major, EventCategory.minor)
    )
    return [service_entry(c) for c in rows]


async def category_by_code(session: AsyncSession, code: str) -> EventCategory:
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
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


def media_url_of(value: str | None) -> str | None:
    """A photo's address as the client sent it: an http(s) URL of at most 500 characters."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 500 or not value.lower().startswith(("https://", "http://")):
        raise BadRequest("media_url must be an http(s) URL of at most 500 characters")
    return value


def request_entry(
    event: Event,
    category: EventCategory,
    department: str | None,
    media_url: str | None,
    lon: float,
    lat: float,
    *,
    public: bool,
) -> dict:
    """One service request with the GeoReport v2 fields (and blockgrid extensions)."""
    shown_description = not public or event.source == "open311"
    return {
        "service_request_id": event.code,
        "status": geo_status(event.status),
        "status_notes": STATUS_LABELS_ZH[event.status],
        "service_name": category.name,
        "service_code": service_code(category),
        "description": (event.description or event.title) if shown_description else None,
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
        "media_url": media_url,
        "blockgrid_status": event.status,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


async def requests(
    session: AsyncSession, *, where: RequestFilter, public: bool, limit: int = MAX_REQUESTS
) -> list[dict]:
    """Service requests in the transaction's area, newest first."""
    query = (
        select(
            Event,
            EventCategory,
            Department.name,
            Open311Request.media_url,
            func.ST_X(Event.geom),
            func.ST_Y(Event.geom),
        )
        .join(EventCategory, EventCategory.id == Event.category_id)
        .outerjoin(Department, Department.id == Event.department_id)
        .outerjoin(Open311Request, Open311Request.event_id == Event.id)
    )
    if public:
        query = query.where(EventCategory.group.not_in(PRIVATE_GROUPS))
    if where.ids:
        query = query.where(Event.code.in_(where.ids))
    else:
        if where.categories:
            query = query.where(Event.category_id.in_(where.categories))
        if where.start:
            query = query.where(Event.reported_at >= where.start)
        if where.end:
            query = query.where(Event.reported_at <= where.end)
        if set(where.statuses) == {"open"}:
            query = query.where(Event.status.not_in(FINAL_STATUSES))
        elif set(where.statuses) == {"closed"}:
            query = query.where(Event.status.in_(FINAL_STATUSES))
    rows = await session.execute(query.order_by(Event.reported_at.desc()).limit(limit))
    return [request_entry(*row, public=public) for row in rows]


async def check_post_limit(session: AsyncSession, *, key: ApiKey, per_hour: int) -> None:
    """Refuse a key's post past ``per_hour`` in the last hour (a leaked key cannot flood
    the command centre); counted from ``(api_key_id, received_at)``.

    Raises
    ------
    TooManyRequests
        With ``Retry-After``: the seconds until the oldest post of the window leaves it.
    """
    since = func.now() - POST_WINDOW
    recent = select(Open311Request.received_at).where(
        Open311Request.api_key_id == key.id, Open311Request.received_at > since
    )
    count = await session.scalar(select(func.count()).select_from(recent.subquery()))
    if (count or 0) < per_hour:
        return
    oldest = await session.scalar(
        select(
            func.extract("epoch", func.min(Open311Request.received_at) + POST_WINDOW - func.now())
        ).where(Open311Request.api_key_id == key.id, Open311Request.received_at > since)
    )
    raise TooManyRequests(
        f"this api_key posted {per_hour} requests in the last hour; try again later",
        message_zh=f"该接口密钥每小时最多提交 {per_hour} 条诉求，请稍后再试",
        headers={"Retry-After": str(max(1, int(oldest or 1) + 1))},
    )


def fingerprint(**fields: object) -> bytes:
    """A request's identity for retries: the same service, place and words."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).digest()


async def hold_request(session: AsyncSession, *, key: ApiKey, digest: bytes) -> None:
    """Serialise the posts of one request by one key until the transaction ends, so that
    a client's retry sent while the first post is still being filed finds its receipt."""
    await session.execute(
        select(func.pg_advisory_xact_lock(key.id, func.hashtext(func.encode(digest, "hex"))))
    )


async def earlier_receipt(session: AsyncSession, *, key: ApiKey, digest: bytes) -> str | None:
    """The ``service_request_id`` this key got for the same request in the last minutes."""
    return await session.scalar(
        select(Event.code)
        .join(Open311Request, Open311Request.event_id == Event.id)
        .where(
            Open311Request.api_key_id == key.id,
            Open311Request.fingerprint == digest,
            Open311Request.received_at > func.now() - RETRY_WINDOW,
        )
        .order_by(Open311Request.received_at.desc())
        .limit(1)
    )
