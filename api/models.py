"""Import every ORM model so that the metadata is complete (Alembic, relationships)."""

from api.areas.models import Area, AreaStats, GridWorker
from api.audit.models import AuditRecord
from api.auth.models import Role, User, UserSession
from api.buildings.models import Building, BuildingStats, DataVersion, Household, Room
from api.components.models import Component, ComponentClass
from api.db import Base
from api.departments.models import Department
from api.entities.models import Entity
from api.events.models import (
    Event,
    EventAction,
    EventAttachment,
    EventCategory,
    RoutingRule,
    WorkCalendarDay,
)
from api.hotspots.models import HotspotRun, HotspotUnitResult
from api.idempotency.models import IdempotencyKey
from api.open311.models import ApiKey, Open311Request
from api.people.models import Person

__all__ = [
    "ApiKey",
    "Area",
    "AreaStats",
    "AuditRecord",
    "Base",
    "Building",
    "BuildingStats",
    "Component",
    "ComponentClass",
    "DataVersion",
    "Department",
    "Entity",
    "Event",
    "EventAction",
    "EventAttachment",
    "EventCategory",
    "GridWorker",
    "HotspotRun",
    "HotspotUnitResult",
    "Household",
    "IdempotencyKey",
    "Open311Request",
    "Person",
    "Role",
    "Room",
    "RoutingRule",
    "User",
    "UserSession",
    "WorkCalendarDay",
]
