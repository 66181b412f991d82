"""Write audit records (审计) inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import AuditRecord


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
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit record; it commits with the request (also on refused logins)."""
    session.add(
        AuditRecord(
            action=action,
            result=result,
            user_id=user_id,
            username=username,
            object_type=object_type,
            object_id=object_id,
            client_addr=client_addr,
            reason=reason,
            session_id=session_id,
            details=details or {},
        )
    )
    await session.flush()
