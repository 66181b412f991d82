"""Accounts API: sign in, sign out, who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from api.areas.models import Area, GridWorker
from api.auth import service
from api.auth.models import Role
from api.auth.schemas import MeRead, TokenRead
from api.deps import CurrentUser, DbSession, SettingsDep, client_addr
from api.errors import error_responses
from api.users import service as users
from api.users.schemas import PasswordChange

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=TokenRead,
    summary="Sign in (OAuth2 password flow)",
    description="Form fields username and password. A wrong name or password is a 401 "
    "(audited); after repeated failures the account is locked for a while (423).",
    responses=error_responses(401, 423),
)
async def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: DbSession,
    settings: SettingsDep,
) -> TokenRead:
    token, user_session = await service.login(
        session,
        username=form.username,
        password=form.password,
        client_addr=client_addr(request),
        user_agent=request.headers.get("user-agent"),
        settings=settings,
    )
    lifetime = user_session.expires_at - user_session.created_at
    return TokenRead(
        access_token=token,
        expires_in=int(lifetime.total_seconds()),
        idle_timeout=settings.session_idle_minutes * 60,
    )


@router.post(
    "/logout",
    status_code=204,
    summary="Sign out: revoke this token on the server",
    description="Ends this session at once, live streams included. Audited.",
)
async def logout(request: Request, principal: CurrentUser, session: DbSession) -> None:
    await service.logout(session, principal=principal, client_addr=client_addr(request))


@router.post(
    "/password",
    status_code=204,
    summary="Change my password; every session of my account ends, this one too",
    description="Needs the current password. The new one must not be the demo password or a "
    "common one. Afterwards sign in again (POST /auth/token). Audited as password.change.",
)
async def change_password(
    body: PasswordChange,
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
) -> None:
    await users.change_own_password(
        session,
        principal=principal,
        current_password=body.current_password,
        new_password=body.new_password,
        demo_password=settings.demo_password.get_secret_value(),
        client_addr=client_addr(request),
    )


@router.get(
    "/me",
    response_model=MeRead,
    summary="The signed-in user, role and area",
    description="Who you are: role, area, permissions and the grids you walk.",
)
async def me(principal: CurrentUser, session: DbSession) -> MeRead:
    role_label = await session.scalar(select(Role.label_zh).where(Role.name == principal.role))
    scope_name = await session.scalar(select(Area.name).where(Area.code == principal.scope_code))
    grids = await session.scalars(
        select(GridWorker.grid_code)
        .where(GridWorker.user_id == principal.user_id)
        .order_by(GridWorker.grid_code)
    )
    return MeRead(
        id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        role_label=role_label or principal.role,
        scope_code=principal.scope_code,
        scope_name=scope_name,
        department_id=principal.department_id,
        permissions=sorted(principal.permissions),
        grid_codes=list(grids),
    )
