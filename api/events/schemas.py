"""Shapes of the events API (事件)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.events.models import EVENT_ACTIONS
from api.validation import AreaCode, Int32Id, Int64Id, SafeText, whole_number

WORKFLOW_ACTIONS = tuple(a for a in EVENT_ACTIONS if a != "report")  # reporting is POST


class EventCreate(BaseModel):
    """A new event reported on patrol or by a supervisor (统一采集)."""

    model_config = ConfigDict(strict=True, extra="forbid")  # as declared: no "1" for 1

    category_id: Int32Id | None = Field(None, description="or major + minor")
    major: str | None = Field(None, pattern=r"^[0-9]{2}$")
    minor: str | None = Field(None, pattern=r"^[0-9]{3}$")
    title: SafeText = Field(min_length=2, max_length=200)
    description: SafeText | None = Field(None, max_length=4000)
    # China's box is declared; the point is checked by intake.locate, which says why it
    # refuses one (swapped, outside China, outside your area)
    lon: float = Field(
        allow_inf_nan=False,
        description="WGS 84 longitude (x first), in China",
        json_schema_extra={"minimum": 73, "maximum": 136},
    )
    lat: float = Field(
        allow_inf_nan=False,
        description="WGS 84 latitude, in China",
        json_schema_extra={"minimum": 3, "maximum": 54},
    )
    address: SafeText | None = Field(None, max_length=300)
    priority: whole_number(1, 3) | None = Field(None, description="1 urgent … 3 low")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _category_given(self) -> EventCreate:
        if self.category_id is None and (self.major is None or self.minor is None):
            raise ValueError("give category_id, or major and minor")
        return self


class ActionCreate(BaseModel):
    """One workflow step (流转)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    action: Literal[WORKFLOW_ACTIONS] = Field(  # type: ignore[valid-type]
        description="the step: see allowed_actions of the event"
    )
    note: SafeText | None = Field(None, max_length=2000)
    department_id: Int32Id | None = Field(
        None, description="dispatch: the department; default from the routing rules"
    )
    duplicate_of: Int64Id | None = Field(None, description="merge: the event this one repeats")


class ActionRead(BaseModel):
    id: int
    action: str
    label_zh: str
    from_status: str | None
    to_status: str
    actor: str | None
    actor_role: str | None
    department: str | None
    note: str | None
    at: datetime


class AttachmentRead(BaseModel):
    id: int
    filename: str
    content_type: str
    size_bytes: int
    url: str


class EventRead(BaseModel):
    id: int
    code: str
    category_id: int
    category: str
    major: str
    minor: str
    source: str
    title: str
    description: str | None
    address: str | None
    lon: float
    lat: float
    building_code: str | None
    grid_code: str
    status: str
    status_label: str
    priority: int
    department_id: int | None
    department: str | None
    reported_at: datetime
    accepted_at: datetime | None
    dispatched_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    due_at: datetime | None
    stage_due_at: datetime | None
    overdue: bool
    escalation_level: int
    rework_count: int
    duplicate_of_id: int | None
    version: int


class EventDetail(EventRead):
    actions: list[ActionRead]
    attachments: list[AttachmentRead]
    allowed_actions: list[str]


class EventCreated(EventDetail):
    possible_duplicates: list[EventRead] = Field(
        default_factory=list,
        description="same category within 50 m and 24 h: the command centre may merge",
    )


class EventPage(BaseModel):
    items: list[EventRead]
    total: int = Field(description="exact up to total_cap, else total_cap")
    total_capped: bool
    limit: int
    offset: int


class CategoryLimits(BaseModel):
    accept: int = Field(description="minutes to accept (受理)")
    dispatch: int = Field(description="minutes to dispatch (派遣)")
    handle: int = Field(description="minutes to handle (处置)")
    verify: int = Field(description="minutes to verify (核查)")


class CategoryRead(BaseModel):
    """An event category (事件分类) with its default department and time limits."""

    id: int
    major: str
    minor: str
    major_name: str
    name: str
    name_en: str | None
    group: str
    priority: int
    default_department_id: int | None
    limits_minutes: CategoryLimits
    working_hours: bool = Field(description="limits count working hours only")


class ImportRejectRead(BaseModel):
    row: int = Field(description="row number in the file (1 is the header)")
    ticket_id: str | None
    reason: str


class ImportReportRead(BaseModel):
    """What a hotline import did: rows filed, rows already there, rows refused and why."""

    rows: int
    imported: int
    skipped_existing: int = Field(description="tickets already imported in your area")
    applied: bool = Field(description="false when all_or_nothing refused the file")
    rejected: list[ImportRejectRead]


class RuleWrite(BaseModel):
    """A dispatch rule (分拨规则): events of the category in the area go to the department."""

    model_config = ConfigDict(strict=True, extra="forbid")  # as declared: no "1" for 1

    category_id: Int32Id
    area_prefix: AreaCode = Field(description="an area code; the most specific rule wins")
    department_id: Int32Id


class RuleRead(RuleWrite):
    id: int


class CalendarDayWrite(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    is_workday: bool
    note: SafeText | None = Field(None, max_length=50)


class CalendarDayRead(CalendarDayWrite):
    day: str = Field(description="YYYY-MM-DD")
