"""The building card and address lookup, read inside the caller's scope."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.areas.service import breadcrumb
from api.audit import service as audit
from api.auth.schemas import Principal
from api.buildings.models import Building, Room
from api.buildings.schemas import (
    AddressRead,
    BuildingCard,
    ComponentBrief,
    EntityBrief,
    EventBrief,
    RoomRead,
)
from api.components.models import Component, ComponentClass
from api.entities.models import Entity
from api.errors import NotFound
from api.events.models import Event, EventCategory
from api.events.service import is_overdue
from api.people.models import Person
from api.people.service import to_masked
from api.privacy import PersonalDataCipher
from grids.codes import parse_room_segment

NEARBY_METRES = 50
EVENTS_ON_CARD = 50
PEOPLE_READ = "people.read"


async def get_building(session: AsyncSession, *, code: str) -> Building:
    building = await session.scalar(select(Building).where(Building.code == code))
    if building is None:
        raise NotFound(
            f"no building {code} in your area",
            code="building_not_found",
            message_zh=f"无权访问或不存在的楼栋 {code}",
        )
    return building


async def building_card(
    session: AsyncSession,
    *,
    code: str,
    cipher: PersonalDataCipher,
    principal: Principal,
    client_addr: str | None,
) -> BuildingCard:
    """Everything known at one address: rooms and residents (masked), entities, components
    within 50 m and the event history. Residents need ``people.read``; reading them is
    audited."""
    building = await get_building(session, code=code)
    centroid = (
        await session.execute(
            select(
                func.ST_X(func.ST_Centroid(Building.footprint)),
                func.ST_Y(func.ST_Centroid(Building.footprint)),
                func.ST_Area(func.Geography(Building.footprint)),
            ).where(Building.id == building.id)
        )
    ).one()
    rooms = list(
        await session.scalars(
            select(Room)
            .where(Room.building_id == building.id)
            .order_by(Room.unit, Room.floor.desc(), Room.door)
        )
    )
    # Residents only for roles that may read people (not department handlers, auditors or
    # the hotline); the database hides them from handlers as well (migration 0020).
    people = (
        list(
            await session.scalars(
                select(Person)
                .where(Person.room_id.in_([r.id for r in rooms]), Person.moved_out.is_(None))
                .order_by(Person.room_id, Person.id)
            )
        )
        if principal.can(PEOPLE_READ)
        else []
    )
    today = date.today()
    by_room: dict[int, list] = {}
    for person in people:
        by_room.setdefault(person.room_id, []).append(to_masked(person, cipher, today=today))
    room_codes = {room.id: room.code for room in rooms}
    entities = await session.scalars(
        select(Entity).where(Entity.building_id == building.id).order_by(Entity.name)
    )
    await audit.record(
        session,
        action="building.read",
        result="success",
        user_id=principal.user_id,
        username=principal.username,
        object_type="building",
        object_id=code,
        area_code=building.grid_code,
        client_addr=client_addr,
        details={"residents_shown": len(people)},
    )
    return BuildingCard(
        code=building.code,
        name=building.name,
        address=building.address,
        use_type=building.use_type,
        floors=building.floors,
        floors_below=building.floors_below,
        year_built=building.year_built,
        grid_code=building.grid_code,
        location=await breadcrumb(session, building.grid_code),
        centroid=[round(centroid[0], 6), round(centroid[1], 6)],
        footprint_m2=round(centroid[2], 1),
        residents=len(people) if principal.can(PEOPLE_READ) else None,
        households=(
            len({p.household_id for p in people if p.household_id}) or len(by_room)
            if principal.can(PEOPLE_READ)
            else None
        ),
        rooms=[
            RoomRead(
                code=r.code,
                unit=r.unit,
                floor=r.floor,
                door=r.door,
                use_type=r.use_type,
                area_m2=float(r.area_m2) if r.area_m2 else None,
                is_rental=r.is_rental,
                residents=by_room.get(r.id, []),
            )
            for r in rooms
        ],
        entities=[
            EntityBrief(
                id=e.id,
                credit_code=e.credit_code,
                name=e.name,
                entity_type=e.entity_type,
                industry=e.industry,
                status=e.status,
                employees=e.employees,
                room_code=room_codes.get(e.room_id),
            )
            for e in entities
        ],
        components_nearby=await _components_near(session, building, centroid[1]),
        events=await _events_at(session, building.id),
    )


async def _components_near(
    session: AsyncSession, building: Building, latitude: float
) -> list[ComponentBrief]:
    # Web-Mercator metres are stretched by 1/cos(latitude): compare in the column's SRID
    # so the GiST index is used.
    radius = NEARBY_METRES / math.cos(math.radians(latitude))
    distance = func.ST_Distance(Component.geom_3857, Building.footprint_3857) * math.cos(
        math.radians(latitude)
    )
    rows = await session.execute(
        select(Component, ComponentClass.name, distance)
        .join(
            ComponentClass,
            (ComponentClass.major == Component.major) & (ComponentClass.minor == Component.minor),
        )
        .join(Building, Building.id == building.id)
        .where(func.ST_DWithin(Component.geom_3857, Building.footprint_3857, radius))
        .order_by(distance)
        .limit(100)
    )
    return [
        ComponentBrief(
            id=c.id, major=c.major, minor=c.minor, name=name, state=c.state, distance_m=round(d, 1)
        )
        for c, name, d in rows
    ]


async def _events_at(session: AsyncSession, building_id: int) -> list[EventBrief]:
    now = datetime.now(UTC)
    rows = await session.execute(
        select(Event, EventCategory.name)
        .join(EventCategory)
        .where(Event.building_id == building_id)
        .order_by(Event.reported_at.desc())
        .limit(EVENTS_ON_CARD)
    )
    return [
        EventBrief(
            id=e.id,
            code=e.code,
            category=name,
            title=e.title,
            status=e.status,
            priority=e.priority,
            reported_at=e.reported_at,
            closed_at=e.closed_at,
            due_at=e.due_at,
            overdue=is_overdue(e, now),
        )
        for e, name in rows
    ]


def room_label(room: Room) -> str:
    """A readable room address: 2单元 1203 / B1-05."""
    number = parse_room_segment(room.code[19:])
    unit = f"{number.unit}单元 " if number.unit else ""
    separator = "-" if number.floor < 0 else ""
    return f"{unit}{number.floor_label}{separator}{number.door:02d}"


async def address_of(session: AsyncSession, *, code: str) -> AddressRead:
    """Resolve a 19-digit building or 25-digit room code to its standard address."""
    building_code = code[:19]
    building = await get_building(session, code=building_code)
    lon, lat = (
        await session.execute(
            select(
                func.ST_X(func.ST_Centroid(Building.footprint)),
                func.ST_Y(func.ST_Centroid(Building.footprint)),
            ).where(Building.id == building.id)
        )
    ).one()
    place = " ".join(a.name for a in (await breadcrumb(session, building.grid_code))[1:4])
    text = f"{place} {building.address or building.name or building.code}"
    level = "building"
    if len(code) == 25:
        room = await session.scalar(select(Room).where(Room.code == code))
        if room is None:
            raise NotFound(f"no room {code} in your area", code="room_not_found")
        text, level = f"{text} {room_label(room)}", "room"
    return AddressRead(
        code=code,
        level=level,
        address=text,
        building_code=building.code,
        grid_code=building.grid_code,
        lon=round(lon, 6),
        lat=round(lat, 6),
    )


async def search_addresses(session: AsyncSession, *, query: str, limit: int) -> list[AddressRead]:
    """Buildings whose code starts with, or whose name or address contains, ``query``."""
    text = query.strip()
    condition = (
        Building.code.startswith(text)
        if text.isdigit()
        else or_(
            Building.name.contains(text, autoescape=True),
            Building.address.contains(text, autoescape=True),
        )
    )
    rows = await session.execute(
        select(
            Building,
            func.ST_X(func.ST_Centroid(Building.footprint)),
            func.ST_Y(func.ST_Centroid(Building.footprint)),
        )
        .where(condition)
        .order_by(literal_column("length(buildings.name)"), Building.code)
        .limit(limit)
    )
    return [
        AddressRead(
            code=b.code,
            level="building",
            address=b.address or b.name or b.code,
            building_code=b.code,
            grid_code=b.grid_code,
            lon=round(lon, 6),
            lat=round(lat, 6),
        )
        for b, lon, lat in rows
    ]
