"""Events (事件) and their workflow: categories, routing, calendar, actions, attachments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import Timestamps, code_type, digits, geometry
from api.db import Base
from api.events.workflow import EVENT_STATUSES_ALL

EVENT_SOURCES = ("patrol", "supervisor", "hotline", "open311", "sensor", "import")
EVENT_ACTIONS = (
    "report",
    "accept",
    "reject",
    "dispatch",
    "return",
    "start",
    "report_done",
    "verify_pass",
    "verify_fail",
    "postpone",
    "resume",
    "escalate",
    "close",
    "merge",
)


class EventCategory(Base):
    """An event category: major 01–10 and minor code, default department and time limits."""

    __tablename__ = "event_categories"
    __table_args__ = (
        UniqueConstraint("major", "minor"),
        CheckConstraint("major ~ '^[0-9]{2}$' AND minor ~ '^[0-9]{3}$'", name="code_format"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
        CheckConstraint(
            "accept_minutes > 0 AND dispatch_minutes > 0 AND handle_minutes > 0"
            " AND verify_minutes > 0",
            name="limits_positive",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    major: Mapped[str] = mapped_column(code_type(2), nullable=False)
    minor: Mapped[str] = mapped_column(code_type(3), nullable=False)
    major_name: Mapped[str] = mapped_column(String(50), nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(80))
    group: Mapped[str] = mapped_column(String(20), nullable=False)
    default_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    priority: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="2")
    accept_minutes: Mapped[int] = mapped_column(Integer, nullable=False, server_default="30")
    dispatch_minutes: Mapped[int] = mapped_column(Integer, nullable=False, server_default="30")
    handle_minutes: Mapped[int] = mapped_column(Integer, nullable=False, server_default="480")
    verify_minutes: Mapped[int] = mapped_column(Integer, nullable=False, server_default="60")
    working_hours: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")


class RoutingRule(Base):
    """Category + area prefix → department (most specific prefix wins); editable by admins."""

    __tablename__ = "routing_rules"
    __table_args__ = (
        UniqueConstraint("category_id", "area_prefix"),
        CheckConstraint("area_prefix ~ '^[0-9]{4,14}$'", name="prefix_format"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("event_categories.id", ondelete="CASCADE"), nullable=False
    )
    area_prefix: Mapped[str] = mapped_column(code_type(14), nullable=False)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), nullable=False)


class WorkCalendarDay(Base):
    """An exception to the Monday–Friday week: a holiday or a swapped working day (调休)."""

    __tablename__ = "work_calendar"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean, nullable=False)
    note: Mapped[str | None] = mapped_column(String(50))


class Event(Base, Timestamps):
    """A case (案件) in the workflow, located at a point, a building and a grid."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(f"status IN {EVENT_STATUSES_ALL!r}", name="status_known"),
        CheckConstraint(f"source IN {EVENT_SOURCES!r}", name="source_known"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
        CheckConstraint(digits("grid_code", 14), name="grid_code_format"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(  # only timed stages have a deadline: overdue = stage_due_at < now
            "status NOT IN ('closed', 'rejected', 'postponed') OR stage_due_at IS NULL",
            name="untimed_states",
        ),
        Index("ix_events_reported_at", text("reported_at DESC")),
        Index("ix_events_grid_code_reported_at", "grid_code", text("reported_at DESC")),
        Index("ix_events_status_due_at", "status", "due_at"),
        Index(
            "ix_events_open_reported_at",
            text("reported_at DESC"),
            postgresql_where=text("status NOT IN ('closed', 'rejected')"),
        ),
        Index("ix_events_category_reported_at", "category_id", text("reported_at DESC")),
        Index(
            "ix_events_open_grid_code",
            "grid_code",
            postgresql_where=text("status NOT IN ('closed', 'rejected')"),
        ),
        Index(
            "ix_events_timed_reported_at",
            text("reported_at DESC"),
            postgresql_where=text("stage_due_at IS NOT NULL"),
        ),
        Index(
            "ix_events_duplicate_of_id",
            "duplicate_of_id",
            postgresql_where=text("duplicate_of_id IS NOT NULL"),
        ),
        Index(
            "ix_events_change_seq", "change_seq", postgresql_where=text("change_seq IS NOT NULL")
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("event_categories.id"), nullable=False, index=True
    )
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    geom = mapped_column(geometry("POINT"), nullable=False)
    geom_3857 = mapped_column(geometry("POINT", 3857), nullable=False)
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL"), index=True
    )
    grid_code: Mapped[str] = mapped_column(
        code_type(14), ForeignKey("areas.code"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(12), nullable=False, server_default="reported")
    priority: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="2")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reporter_contact: Mapped[str | None] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stage_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalation_level: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    rework_count: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    # Set by the events_change_seq trigger on every write: the live stream's resume point.
    change_seq: Mapped[int | None] = mapped_column(BigInteger)


class EventAction(Base):
    """One workflow step: who did what, when, from which state to which, and why."""

    __tablename__ = "event_actions"
    __table_args__ = (CheckConstraint(f"action IN {EVENT_ACTIONS!r}", name="action_known"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action: Mapped[str] = mapped_column(String(15), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(30))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    stage_due_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment=None, doc="deadline of the stage this step completed"
    )


class EventAttachment(Base):
    """A photo attached to an event or one of its actions (content stored in the database)."""

    __tablename__ = "event_attachments"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_actions.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(50), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
