"""Logins, sessions and lockout (账号安全); keyword-only functions, no HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.models import Role, User, UserSession
from api.auth.schemas import Principal
from api.auth.security import new_token, token_digest, verify_password
from api.errors import AccountLocked, LoginFailed, Unauthorized
from api.settings import Settings

# last_seen_at is written at most this often, so that tiles do not write on every request.
TOUCH_INTERVAL = timedelta(seconds=30)
# Ended sessions are announced here (at commit), so that live streams stop at once.
SESSIONS_CHANNEL = "blockgrid_sessions"


def _now() -> datetime:
    return datetime.now(UTC)


async def login(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    client_addr: str | None,
    user_agent: str | None,
    settings: Settings,
) -> tuple[str, UserSession]:
    """Check the password, apply the lockout rule, open a session and audit the attempt.

    Raises
    ------
    LoginFailed
        Unknown user, wrong password or inactive account (one message for all three).
    AccountLocked
        Too many failures; the message says when to try again.
    """
    now = _now()
    user = await session.scalar(
        select(User).where(User.username == username.strip().lower()).with_for_update()
    )
    if user is not None and user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        await audit.record(
            session,
            action="login",
            result="denied",
            user_id=user.id,
            username=user.username,
            area_code=user.scope_code,
            client_addr=client_addr,
            details={"reason": "locked"},
        )
        raise AccountLocked(
            f"account locked after {settings.lockout_failures} failed logins;"
            f" try again in {minutes} min",
            message_zh=f"连续登录失败 {settings.lockout_failures} 次，账号已锁定，"
            f"请 {minutes} 分钟后再试",
        )
    if not verify_password(user.password_hash if user else None, password) or not (
        user and user.is_active
    ):
        await _count_failure(
            session,
            user=user,
            username=username,
            client_addr=client_addr,
            settings=settings,
            now=now,
        )
        raise LoginFailed("wrong username or password")

    user.failed_logins = 0
    user.locked_until = None
    token = new_token()
    user_session = UserSession(
        token_hash=token_digest(token, settings.secret_key.get_secret_value()),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_max_hours),
        client_addr=client_addr,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(user_session)
    await session.flush()
    await audit.record(
        session,
        action="login",
        result="success",
        user_id=user.id,
        username=user.username,
        area_code=user.scope_code,
        client_addr=client_addr,
        session_id=user_session.id,
    )
    return token, user_session


async def _count_failure(
    session: AsyncSession,
    *,
    user: User | None,
    username: str,
    client_addr: str | None,
    settings: Settings,
    now: datetime,
) -> None:
    details: dict[str, object] = {"reason": "unknown_user" if user is None else "bad_password"}
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= settings.lockout_failures:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            details["locked_until"] = user.locked_until.isoformat()
    await audit.record(
        session,
        action="login",
        result="failure",
        user_id=user.id if user else None,
        username=username[:40],
        area_code=user.scope_code if user else None,
        client_addr=client_addr,
        details=details,
    )


async def _touch(session: AsyncSession, session_id: int, now: datetime) -> None:
    """Record activity on the session row, unless another request holds it.

    The row lock lasts until the request's transaction ends: waiting for it would queue
    every concurrent request of one user behind the slowest (SKIP LOCKED: the other
    request's touch is as recent).
    """
    locked = (
        select(UserSession.id)
        .where(UserSession.id == session_id)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    await session.execute(
        update(UserSession).where(UserSession.id == locked).values(last_seen_at=now)
    )


async def authenticate(
    session: AsyncSession, *, token: str, settings: Settings, touch: bool = True
) -> Principal:
    """Resolve a bearer token to its user, refusing revoked, expired and idle sessions;
    ``touch`` records the activity (at most every 30 s)."""
    now = _now()
    digest = token_digest(token, settings.secret_key.get_secret_value())
    row = (
        await session.execute(
            select(
                UserSession.id,
                UserSession.revoked_at,
                UserSession.expires_at,
                UserSession.last_seen_at,
                User.id.label("user_id"),
                User.username,
                User.display_name,
                User.role,
                User.scope_code,
                User.department_id,
                User.is_active,
                User.extra_permissions,
                Role.permissions,
            )
            .join(User, User.id == UserSession.user_id)
            .join(Role, Role.name == User.role)
            .where(UserSession.token_hash == digest)
        )
    ).first()  # plain columns: no ORM objects to build on every request
    if row is None:
        raise Unauthorized("invalid token")
    if row.revoked_at is not None:
        raise Unauthorized("this session was signed out", code="session_revoked")
    if not row.is_active:
        raise Unauthorized("this account is disabled", code="account_disabled")
    if row.expires_at <= now:
        raise Unauthorized("this session has expired; sign in again", code="session_expired")
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    if now - row.last_seen_at > idle_limit:
        raise Unauthorized(
            f"signed out after {settings.session_idle_minutes} min without activity",
            code="session_expired",
            message_zh="长时间未操作，已自动退出，请重新登录",
        )
    if touch and now - row.last_seen_at > TOUCH_INTERVAL:
        await _touch(session, row.id, now)
    return Principal(
        user_id=row.user_id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        scope_code=row.scope_code,
        department_id=row.department_id,
        permissions=frozenset(row.permissions) | frozenset(row.extra_permissions),
        session_id=row.id,
    )


async def end_sessions(
    session: AsyncSession, *, user_id: int, session_id: int | None = None
) -> list[int]:
    """Revoke the open sessions of ``user_id`` (only ``session_id`` if given) and announce
    them on ``blockgrid_sessions`` so that live streams of those sessions end at commit."""
    query = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if session_id is not None:
        query = query.where(UserSession.id == session_id)
    ended = list(await session.scalars(query.values(revoked_at=_now()).returning(UserSession.id)))
    if ended:
        payload = json.dumps({"user_id": user_id, "sessions": ended})
        await session.execute(select(func.pg_notify(SESSIONS_CHANNEL, payload)))
    return ended


async def logout(session: AsyncSession, *, principal: Principal, client_addr: str | None) -> None:
    """Revoke the caller's session on the server."""
    await end_sessions(session, user_id=principal.user_id, session_id=principal.session_id)
    await audit.record_by(session, principal, action="logout", client_addr=client_addr)
