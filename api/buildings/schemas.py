"""Shapes of the building card (楼栋卡片) and the standard-address lookup (标准地址)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from api.areas.schemas import AreaRef
from api.people.schemas import PersonRead


class RoomRead(BaseModel):
    code: str
    unit: str
    floor: int
    door: str
    use_type: str
    area_m2: float | None
    is_rental: bool
    residents: list[PersonRead] = Field(description="masked (脱敏)")


class EntityBrief(BaseModel):
    id: int
    credit_code: str
    name: str
    entity_type: str
    industry: str | None
    status: str
    employees: int | None
    room_code: str | None


class ComponentBrief(BaseModel):
    id: str
    major: str
    minor: str
    name: str
    state: str
    distance_m: float


class EventBrief(BaseModel):
    id: int
    code: str
    category: str
    title: str
    status: str
    priority: int
    reported_at: datetime
    closed_at: datetime | None
    due_at: datetime | None
    overdue: bool


class BuildingCard(BaseModel):
    code: str
    name: str | None
    address: str | None
    use_type: str
    floors: int
    floors_below: int
    year_built: int | None
    grid_code: str
    location: list[AreaRef] = Field(description="city › district › street › community › grid")
    centroid: list[float]
    footprint_m2: float
    residents: int | None = Field(description="null for roles without people.read")
    households: int | None = Field(description="null for roles without people.read")
    rooms: list[RoomRead]
    entities: list[EntityBrief]
    components_nearby: list[ComponentBrief] = Field(description="within 50 m")
    events: list[EventBrief] = Field(description="most recent first")


class AddressRead(BaseModel):
    code: str = Field(description="19-digit building or 25-digit room code")
    level: str
    address: str
    building_code: str
    grid_code: str
    lon: float
    lat: float
    registered_on: date | None = None
