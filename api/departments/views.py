"""Departments (职能部门): the list a dispatcher picks from."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import select

from api.departments.models import Department
from api.deps import CurrentUser, DbSession, require

router = APIRouter(
    prefix="/api/departments", tags=["departments"], dependencies=[Depends(require("events.read"))]
)


class DepartmentRead(BaseModel):
    id: int
    code: str
    name: str
    name_en: str | None
    area_code: str


@router.get(
    "",
    response_model=list[DepartmentRead],
    summary="Departments: city-level and each district's",
    description="Anyone with events.read. The departments (职能部门) a dispatcher may send "
    "events to, city-level first, then each district's.",
)
async def list_departments(_: CurrentUser, session: DbSession) -> list[dict]:
    rows = await session.scalars(select(Department).order_by(Department.area_code, Department.id))
    return [
        {"id": d.id, "code": d.code, "name": d.name, "name_en": d.name_en, "area_code": d.area_code}
        for d in rows
    ]
