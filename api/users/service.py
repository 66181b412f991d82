"""Accounts administration (账号管理): create users, set passwords, the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.areas.models import Area, GridWorker
from api.audit import service as audit
from api.auth.models import Role, User
from api.auth.passwords import check_password
from api.auth.schemas import Principal
from api.auth.security import hash_password, verify_password
from api.auth.service import end_sessions
from api.departments.models import Department
from api.errors import Conflict, Forbidden, NotFound, Unprocessable
from api.settings import DEFAULT_DEMO_PASSWORD


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    scope_code: str,
    department_id: int | None = None,
    grid_codes: list[str] | tuple[str, ...] = (),
    extra_permissions: list[str] | tuple[str, ...] = (),
    has_demo_password: bool = False,
    demo_password: str = DEFAULT_DEMO_PASSWORD,
) -> User:
    """Create an account after checking its role, area, department and grids.

    Raises
    ------
    Unprocessable
        Unknown role, unknown area code, a handler without a department, a grid outside
        the user's area, or a weak password (short, common, or the demo password —
        unless the account is a demo account, marked ``has_demo_password``).
    Conflict
        The username is taken.
    """
    roles = list(await session.scalars(select(Role.name).order_by(Role.name)))
    if role not in roles:
        raise Unprocessable(
            f"unknown role {role!r}; one of: {', '.join(roles)}",
            code="unknown_role",
            message_zh=f"未知角色 {role}",
        )
    if not has_demo_password:
        check_password(
            password, username=username, display_name=display_name, demo_password=demo_password
        )
    if await session.scalar(select(func.count()).where(Area.code == scope_code)) == 0:
        raise Unprocessable(
            f"unknown area code {scope_code!r}",
            code="unknown_area",
            message_zh=f"未知区划代码 {scope_code}",
        )
    if role == "dept_handler" and department_id is None:
        raise Unprocessable("a dept_handler needs a department_id")
    if department_id is not None and await session.get(Department, department_id) is None:
        raise Unprocessable(f"unknown department {department_id}")
    for grid in grid_codes:
        if len(grid) != 14 or not grid.startswith(scope_code):
            raise Unprocessable(f"grid {grid!r} is not a basic grid inside {scope_code}")
    if await session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"username {username!r} is taken", code="username_taken")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        scope_code=scope_code,
        department_id=department_id,
        extra_permissions=list(extra_permissions),
        has_demo_password=has_demo_password,
    )
    session.add(user)
    await session.flush()
    for grid in grid_codes:
        session.add(GridWorker(grid_code=grid, user_id=user.id))
    await session.flush()
    return user


async def set_password(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    demo_password: str = DEFAULT_DEMO_PASSWORD,
    is_demo: bool = False,
) -> User:
    """Replace a user's password, clear the demo-password mark and any lockout, and end
    every session of the account (a stolen token stops working with the old password).

    ``is_demo`` is for ``blockgrid demo`` resetting its accounts: the demo password is
    then allowed and the account stays marked.

    Raises
    ------
    NotFound
        No such user.
    Unprocessable
        A weak password (see :func:`api.auth.passwords.check_password`).
    """
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    if not is_demo:
        check_password(
            password,
            username=user.username,
            display_name=user.display_name,
            demo_password=demo_password,
        )
    user.password_hash = hash_password(password)
    user.has_demo_password = is_demo
    user.failed_logins = 0
    user.locked_until = None
    user.password_changed_at = func.now()
    await session.flush()
    await end_sessions(session, user_id=user.id)
    return user


async def change_own_password(
    session: AsyncSession,
    *,
    principal: Principal,
    current_password: str,
    new_password: str,
    demo_password: str,
    client_addr: str | None,
) -> None:
    """Change the caller's password after checking the current one; every session of the
    account ends, this one included (sign in again with the new password).

    Raises
    ------
    Forbidden
        The current password is wrong (the refusal is audited).
    Unprocessable
        The new password is weak.
    """
    user = await session.get(User, principal.user_id)
    if user is None or not verify_password(user.password_hash, current_password):
        await audit.record_by(
            session,
            principal,
            action="password.change",
            result="denied",
            object_type="user",
            object_id=str(principal.user_id),
            client_addr=client_addr,
            details={"reason": "wrong_current_password"},
        )
        raise Forbidden(
            "the current password is wrong",
            code="wrong_password",
            message_zh="当前密码不正确",
            keep_changes=True,
        )
    await set_password(
        session, username=user.username, password=new_password, demo_password=demo_password
    )
    await audit.record_by(
        session,
        principal,
        action="password.change",
        object_type="user",
        object_id=str(principal.user_id),
        client_addr=client_addr,
        details={"sessions_ended": "all"},
    )


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope_code: str
    scope_name: str


async def ensure_demo_accounts(session: AsyncSession, *, password: str) -> list[DemoAccount]:
    """Create (or reset) the demo accounts of SPEC §5 on the areas that are loaded.

    The worker walks the basic grid of 福田 (440304) with the most buildings (the first
    by code when no buildings are loaded); demo-street supervises that grid's street.
    """
    worker_grid = await session.scalar(
        select(Area.code)
        .where(Area.level == "grid", Area.code.startswith("440304"))
        .order_by(Area.code)
        .limit(1)
    )
    from api.buildings.models import Building

    busiest = await session.scalar(
        select(Building.grid_code)
        .where(Building.grid_code.startswith("440304"))
        .group_by(Building.grid_code)
        .order_by(func.count().desc(), Building.grid_code)
        .limit(1)
    )
    worker_grid = busiest or worker_grid
    if worker_grid is None:
        raise NotFound("no basic grid in 福田 (440304): load the demo city first")
    department = await session.scalar(
        select(Department.id).where(Department.code == "city-management")
    )
    plan = [
        ("demo-admin", "演示·市级管理员", "city_admin", "4403", (), ["personal.reveal"]),
        ("demo-futian", "演示·福田区指挥中心", "district_supervisor", "440304", (), []),
        ("demo-street", "演示·街道指挥中心", "street_supervisor", worker_grid[:9], (), []),
        ("demo-worker", "演示·网格员", "grid_worker", worker_grid, (worker_grid,), []),
        ("demo-dept", "演示·城管局处置人员", "dept_handler", "4403", (), []),
        ("demo-auditor", "演示·审计员", "auditor", "4403", (), []),
    ]
    accounts = []
    for username, display, role, scope, grids, extra in plan:
        department_id = department if role == "dept_handler" else None
        existing = await session.scalar(select(User).where(User.username == username))
        if existing is None:
            await create_user(
                session,
                username=username,
                display_name=display,
                password=password,
                role=role,
                scope_code=scope,
                department_id=department_id,
                grid_codes=grids,
                extra_permissions=extra,
                has_demo_password=True,
            )
        else:  # reset in place: the audit log keeps pointing at the same account
            await _reset_demo_account(
                existing,
                session,
                password=password,
                role=role,
                scope=scope,
                department_id=department_id,
                grids=grids,
                extra=extra,
            )
        name = await session.scalar(select(Area.name).where(Area.code == scope))
        accounts.append(DemoAccount(username, role, scope, name or scope))
    return accounts


async def _reset_demo_account(
    user: User,
    session: AsyncSession,
    *,
    password: str,
    role: str,
    scope: str,
    department_id: int | None,
    grids: tuple[str, ...],
    extra: list[str],
) -> None:
    user.role, user.scope_code, user.department_id = role, scope, department_id
    user.extra_permissions = extra
    user.is_active = True
    await session.execute(delete(GridWorker).where(GridWorker.user_id == user.id))
    session.add_all(GridWorker(grid_code=grid, user_id=user.id) for grid in grids)
    await set_password(session, username=user.username, password=password, is_demo=True)
