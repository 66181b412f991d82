"""User management API (账号管理), limited to the administrator's own area."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select

from api.auth.models import User
from api.deps import CurrentUser, DbSession, require
from api.errors import Forbidden
from api.users import service
from api.users.schemas import UserCreate, UserRead

router = APIRouter(
    prefix="/api/users", tags=["users"], dependencies=[Depends(require("users.manage"))]
)


@router.get("", response_model=list[UserRead], summary="Accounts whose area lies in mine")
async def list_users(principal: CurrentUser, session: DbSession) -> list[User]:
    rows = await session.scalars(
        select(User).where(User.scope_code.startswith(principal.scope_code)).order_by(User.username)
    )
    return list(rows)


@router.post("", response_model=UserRead, status_code=201, summary="Create an account")
async def create_user(body: UserCreate, principal: CurrentUser, session: DbSession) -> User:
    if not body.scope_code.startswith(principal.scope_code):
        raise Forbidden(f"area {body.scope_code} is outside your area {principal.scope_code}")
    return await service.create_user(session, **body.model_dump())
