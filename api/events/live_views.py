"""``GET /api/events/stream``: server-sent events of changes inside the caller's area."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from api.auth.schemas import Principal
from api.db import scoped_transaction
from api.deps import BearerToken, authenticate_briefly
from api.errors import Forbidden
from api.events.live import parse_last_event_id
from api.events.models import Event

router = APIRouter(prefix="/api/events", tags=["events"])


def _replayer(request: Request, principal: Principal):
    factory = request.app.state.session_factory

    async def replay(after: int, limit: int) -> list[dict]:
        """The changes after ``after`` inside the caller's area, oldest first."""
        async with scoped_transaction(factory, principal.scope) as session:
            rows = await session.execute(
                select(
                    Event.id,
                    Event.code,
                    Event.grid_code,
                    Event.department_id,
                    Event.status,
                    Event.version,
                    Event.change_seq,
                )
                .where(Event.change_seq > after)
                .order_by(Event.change_seq)
                .limit(limit)
            )
            return [
                {
                    "id": r.id,
                    "code": r.code,
                    "grid_code": r.grid_code,
                    "department_id": r.department_id,
                    "status": r.status,
                    "version": r.version,
                    "op": "insert" if r.version == 1 else "update",
                    "seq": r.change_seq,
                }
                for r in rows
            ]

    return replay


@router.get(
    "/stream",
    summary="Live event changes in your area (text/event-stream)",
    description="Server-sent events: `event: change` with `id:` (send it back as "
    "`Last-Event-ID` to get what you missed), `event: resync` when too much was missed, "
    "and `event: signed_out` before the stream ends because the session was revoked, "
    "expired or idle. Needs events.read.",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    token: BearerToken,
    last_event_id: Annotated[str | None, Header(max_length=40)] = None,
) -> StreamingResponse:
    principal = await authenticate_briefly(request, token)
    if not principal.can("events.read"):
        raise Forbidden(f"role {principal.role} lacks permission events.read")

    async def recheck() -> None:
        await authenticate_briefly(request, token, touch=False)

    settings = request.app.state.settings
    return StreamingResponse(
        request.app.state.broadcaster.stream(
            principal.scope,
            session_id=principal.session_id,
            recheck=recheck,
            recheck_seconds=settings.stream_recheck_seconds,
            last_event_id=parse_last_event_id(last_event_id),
            replay=_replayer(request, principal),
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
