"""Open311 keys (API 密钥) and what an Open311 client sent with a request beyond the event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import code_type
from api.db import Base


class ApiKey(Base):
    """A client key (e.g. the 12345 hotline's), kept as a keyed hash, valid in one area."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True, nullable=False)
    area_code: Mapped[str] = mapped_column(code_type(14), ForeignKey("areas.code"), nullable=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Open311Request(Base):
    """The key that filed an event through Open311, when, what it sent (``media_url``) and
    the fingerprint that recognises the client's retry of the same request."""

    __tablename__ = "open311_requests"
    __table_args__ = (
        Index("ix_open311_requests_api_key_id_received_at", "api_key_id", "received_at"),
    )

    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    media_url: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary(32))
