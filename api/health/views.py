"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.errors import is_connection_failure

router = APIRouter(tags=["health"])

READY_TIMEOUT_SECONDS = 2.0


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers (503 while it does not)")
async def readyz(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), engine.connect() as connection:
            version = await connection.scalar(text("SELECT postgis_lib_version()"))
    except (OSError, TimeoutError) as exc:
        return _unavailable(exc)
    except Exception as exc:
        if not is_connection_failure(exc):
            raise
        return _unavailable(exc)
    return JSONResponse({"status": "ready", "postgis": version})


def _unavailable(exc: BaseException) -> JSONResponse:
    return JSONResponse(
        {
            "status": "unavailable",
            "code": "database_unavailable",
            "message": f"database unreachable ({type(exc).__name__})",
            "message_zh": "数据库暂不可用",
        },
        status_code=503,
        headers={"Retry-After": "5"},
    )
