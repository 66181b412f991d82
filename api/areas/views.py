"""Drill-down API: ``/api/areas/{code}`` and ``/api/areas/{code}/children``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.areas import service
from api.areas.schemas import AreaChildren, AreaRead
from api.deps import CurrentUser, DbSession, require
from api.validation import AreaCode

router = APIRouter(
    prefix="/api/areas", tags=["areas"], dependencies=[Depends(require("areas.read"))]
)


@router.get(
    "/{code}",
    response_model=AreaRead,
    summary="One area (city 4403 … basic grid) with its statistics",
    description="Anyone with areas.read, for an area inside their own (or one of its "
    "ancestors' codes, shown only as far as their scope). The area's name, level, "
    "boundary extent and statistics: buildings, rooms, residents, entities, open events.",
)
async def read_area(code: AreaCode, principal: CurrentUser, session: DbSession) -> AreaRead:
    return await service.read_area(session, code=code, scope_code=principal.scope_code)


@router.get(
    "/{code}/children",
    response_model=AreaChildren,
    summary="The next level down, each with its statistics",
    description="Anyone with areas.read, for an area in their scope: the districts, streets, "
    "communities or grids one level below, each with its statistics (drill-down).",
)
async def read_children(code: AreaCode, principal: CurrentUser, session: DbSession) -> AreaChildren:
    return await service.read_children(session, code=code, scope_code=principal.scope_code)
