"""User management API (账号管理), limited to the administrator's own area."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy import select

from api.audit import service as audit
from api.auth.models import User
from api.deps import CurrentUser, DbSession, SettingsDep, client_addr, require
from api.errors import Forbidden, NotFound
from api.users import service
from api.users.schemas import PasswordReset, UserCreate, UserRead

router = APIRouter(
    prefix="/api/users", tags=["users"], dependencies=[Depends(require("users.manage"))]
)

UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get(
    "",
    response_model=list[UserRead],
    summary="Accounts whose area lies in mine",
    description="users.manage; the accounts whose area lies inside yours, by username.",
)
async def list_users(principal: CurrentUser, session: DbSession) -> list[User]:
    rows = await session.scalars(
        select(User).where(User.scope_code.startswith(principal.scope_code)).order_by(User.username)
    )
    return list(rows)


@router.post(
    "",
    response_model=UserRead,
    status_code=201,
    summary="Create an account",
    description="The password must not be the demo password or a common one (zxcvbn score "
    "≥ 3); the area must lie inside the administrator's. Audited as user.create.",
)
async def create_user(
    body: UserCreate,
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
) -> User:
    if not body.scope_code.startswith(principal.scope_code):
        raise Forbidden(f"area {body.scope_code} is outside your area {principal.scope_code}")
    user = await service.create_user(
        session, **body.model_dump(), demo_password=settings.demo_password.get_secret_value()
    )
    await audit.record_by(
        session,
        principal,
        action="user.create",
        object_type="user",
        object_id=str(user.id),
        area_code=user.scope_code,
        client_addr=client_addr(request),
        details={"username": user.username, "role": user.role, "scope_code": user.scope_code},
    )
    return user


@router.post(
    "/{user_id}/password",
    status_code=204,
    summary="Reset an account's password; every session of that account ends",
    description="For an account inside the administrator's area. Audited as password.reset.",
)
async def reset_password(
    user_id: UserId,
    body: PasswordReset,
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
) -> None:
    user = await session.get(User, user_id)
    if user is None or not user.scope_code.startswith(principal.scope_code):
        raise NotFound(f"no user {user_id} in your area", code="user_not_found")
    await service.set_password(
        session,
        username=user.username,
        password=body.password,
        demo_password=settings.demo_password.get_secret_value(),
    )
    await audit.record_by(
        session,
        principal,
        action="password.reset",
        object_type="user",
        object_id=str(user.id),
        area_code=user.scope_code,
        client_addr=client_addr(request),
        details={"username": user.username, "sessions_ended": "all"},
    )
