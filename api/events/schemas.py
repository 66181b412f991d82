"""Shapes of the events API (事件)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator


class EventCreate(BaseModel):
    """A new event reported on patrol or by a supervisor (统一采集)."""

    category_id: int | None = Field(None, description="or major + minor")
    major: str | None = Field(None, pattern=r"^[0-9]{2}$")
    minor: str | None = Field(None, pattern=r"^[0-9]{3}$")
    title: str = Field(min_length=2, max_length=200)
    description: str | None = Field(None, max_length=4000)
    lon: float = Field(allow_inf_nan=False, description="WGS 84 longitude (x first)")
    lat: float = Field(allow_inf_nan=False, description="WGS 84 latitude")
    address: str | None = Field(None, max_length=300)
    priority: int | None = Field(None, ge=1, le=3, description="1 urgent … 3 low")

    @model_validator(mode="after")
    def _category_given(self) -> EventCreate:
        if self.category_id is None and (self.major is None or self.minor is None):
            raise ValueError("give category_id, or major and minor")
        return self


class ActionCreate(BaseModel):
    """One workflow step (流转)."""

    action: str = Field(
        description="accept, reject, dispatch, return, start, report_done, "
        "verify_pass, verify_fail, postpone, resume, escalate, "
        "close, merge"
    )
    note: str | None = Field(None, max_length=2000)
    department_id: int | None = Field(
        None, description="dispatch: the department; default from the routing rules"
    )
    duplicate_of: int | None = Field(None, description="merge: the event this one repeats")


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
