"""Write and read the audit trail (审计); writes join the caller's transaction, no HTTP.

Records are inserted with plain INSERTs (no ``RETURNING``): the API's database role may
append to ``audit_log`` but reads it back only inside the auditors' route (row-level
security, migration 0020).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Select, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import AuditRecord
from api.auth.schemas import Principal

# Every action the trail records, with its label (审计事项); the filter list reads this.
ACTIONS: dict[str, str] = {
    "login": "登录",
    "logout": "退出登录",
    "password.change": "修改密码",
    "password.reset": "重置密码",
    "user.create": "创建账号",
    "user.update": "修改账号",
    "person.read": "查看人员（脱敏）",
    "person.lookup": "按身份证号查询",
    "person.reveal": "查看完整个人信息",
    "building.read": "查看楼栋住户",
    "event.report": "事件上报",
    "event.action": "事件流转",
    "ogc.export": "OGC 数据导出",
    "import.buildings": "导入楼栋",
    "import.events": "导入热线工单",
    "open311.key": "Open311 密钥管理",
    "audit.read": "查阅审计日志",
    "audit.export": "导出审计日志",
}


def _area_of(principal: Principal | None, area_code: str | None) -> str | None:
    if area_code is not None:
        return area_code[:14]
    return principal.scope_code if principal is not None else None


async def record(
    session: AsyncSession,
    *,
    action: str,
    result: str,
    user_id: int | None = None,
    username: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    client_addr: str | None = None,
    reason: str | None = None,
    session_id: int | None = None,
    area_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit record; it commits with the request (also on refused logins)."""
    await session.execute(
        insert(AuditRecord).values(
            action=action,
            result=result,
            user_id=user_id,
            username=username,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id)[:40],
            client_addr=client_addr,
            reason=reason,
            session_id=session_id,
            area_code=area_code,
            details=details or {},
        )
    )


async def record_by(
    session: AsyncSession,
    principal: Principal,
    *,
    action: str,
    result: str = "success",
    object_type: str | None = None,
    object_id: str | None = None,
    client_addr: str | None = None,
    reason: str | None = None,
    area_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append a record of what ``principal`` did; the area defaults to the caller's own."""
    await record(
        session,
        action=action,
        result=result,
        user_id=principal.user_id,
        username=principal.username,
        object_type=object_type,
        object_id=object_id,
        client_addr=client_addr,
        reason=reason,
        session_id=principal.session_id,
        area_code=_area_of(principal, area_code),
        details=details,
    )


async def recent_actions(
    session: AsyncSession, *, user_id: int, action: str, since: datetime
) -> int:
    """How often ``user_id`` did ``action`` since ``since`` (the audit log is the counter)."""
    return int(
        await session.scalar(select(func.blockgrid_recent_actions(user_id, action, since))) or 0
    )


async def open_for_reading(session: AsyncSession) -> None:
    """Let this transaction read the trail of the caller's area (auditors only)."""
    await session.execute(text("SELECT set_config('blockgrid.audit', 'read', true)"))


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor asks for; every field narrows the trail, ``None`` leaves it open."""

    since: datetime | None = None
    until: datetime | None = None
    username: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    area: str | None = None
    result: str | None = None

    def apply(self, query: Select) -> Select:
        if self.since is not None:
            query = query.where(AuditRecord.at >= self.since)
        if self.until is not None:
            query = query.where(AuditRecord.at < self.until)
        if self.username is not None:
            query = query.where(AuditRecord.username == self.username)
        if self.action is not None:
            if self.action.endswith("."):  # a family: "event." → every event action
                query = query.where(AuditRecord.action.startswith(self.action))
            else:
                query = query.where(AuditRecord.action == self.action)
        if self.object_type is not None:
            query = query.where(AuditRecord.object_type == self.object_type)
        if self.object_id is not None:
            query = query.where(AuditRecord.object_id == self.object_id)
        if self.area is not None:
            query = query.where(AuditRecord.area_code.startswith(self.area))
        if self.result is not None:
            query = query.where(AuditRecord.result == self.result)
        return query


async def list_records(
    session: AsyncSession, *, where: AuditFilter, before_id: int | None, limit: int
) -> list[AuditRecord]:
    """The newest records matching ``where``, older than ``before_id`` (keyset paging)."""
    query = where.apply(select(AuditRecord))
    if before_id is not None:
        query = query.where(AuditRecord.id < before_id)
    rows = await session.scalars(query.order_by(AuditRecord.id.desc()).limit(limit))
    return list(rows)


EXPORT_COLUMNS = (
    "id",
    "at",
    "username",
    "action",
    "result",
    "object_type",
    "object_id",
    "area_code",
    "client_addr",
    "reason",
    "details",
)


def to_csv(records: list[AuditRecord]) -> str:
    """The records as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for r in records:
        writer.writerow(
            [
                r.id,
                r.at.isoformat(),
                r.username or "",
                r.action,
                r.result,
                r.object_type or "",
                r.object_id or "",
                r.area_code or "",
                r.client_addr or "",
                r.reason or "",
                _json(r.details),
            ]
        )
    return out.getvalue()


def _json(value: dict) -> str:
    return orjson.dumps(value).decode() if value else ""
