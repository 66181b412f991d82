"""``GET /api/events/stream``: server-sent events of changes inside the caller's area."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from api.deps import BearerToken, authenticate_briefly
from api.errors import Forbidden

router = APIRouter(prefix="/api/events", tags=["events"])


@router.get(
    "/stream",
    summary="Live event changes in your area (text/event-stream)",
    response_class=StreamingResponse,
)
async def stream(request: Request, token: BearerToken) -> StreamingResponse:
    principal = await authenticate_briefly(request, token)
    if not principal.can("events.read"):
        raise Forbidden(f"role {principal.role} lacks permission events.read")
    return StreamingResponse(
        request.app.state.broadcaster.stream(principal.scope),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
