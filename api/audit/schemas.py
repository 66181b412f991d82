"""Shapes of the audit trail API (审计日志)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditRead(BaseModel):
    """One record: time, actor, action, object, result, client address and reason."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    user_id: int | None
    username: str | None
    action: str
    action_label: str = Field(description="审计事项 (zh-CN)")
    object_type: str | None
    object_id: str | None
    result: str = Field(description="success | failure | denied")
    area_code: str | None = Field(description="the area the action concerns")
    client_addr: str | None
    reason: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditRead]
    next_before_id: int | None = Field(
        description="pass as before_id for the next (older) page; null on the last page"
    )


class AuditAction(BaseModel):
    action: str
    label_zh: str
