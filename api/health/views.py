"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.errors import ErrorBody, is_connection_failure

router = APIRouter(tags=["health"])

READY_TIMEOUT_SECONDS = 2.0


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    postgis: str | None = None


class Unready(ErrorBody):
    status: str


@router.get(
    "/healthz",
    response_model=Health,
    summary="The process is up",
    description="Public, for liveness probes: answers while the process runs.",
)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="The database answers (503 while it does not)",
    description="Public, for readiness probes: the PostGIS version when the database "
    "answers within 2 s, else 503 with Retry-After.",
    responses={503: {"model": Unready, "description": "The database does not answer"}},
)
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
