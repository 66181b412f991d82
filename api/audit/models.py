"""The append-only audit log (审计日志); a database trigger refuses updates and deletes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import code_type
from api.db import Base

AUDIT_RESULTS = ("success", "failure", "denied")


class AuditRecord(Base):
    """Who did what to which object, when, from where, with which result and reason.

    ``area_code`` is the area the action concerns (the actor's area, or the object's grid):
    auditors read the trail of their own area (row-level security, migration 0020).
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_user_id_action_at", "user_id", "action", "at"),
        Index("ix_audit_log_area_code_at", "area_code", "at"),
        # No RETURNING on insert: the API role may append rows but not read them back.
        {"implicit_returning": False},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    username: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    object_type: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(40))
    result: Mapped[str] = mapped_column(String(10), nullable=False)
    client_addr: Mapped[str | None] = mapped_column(INET)
    reason: Mapped[str | None] = mapped_column(String(500))
    details: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    session_id: Mapped[int | None] = mapped_column(Integer)
    area_code: Mapped[str | None] = mapped_column(code_type(14))
