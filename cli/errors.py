"""What the command line says when a command fails for a reason the user can act on.

``blockgrid`` prints one line and exits 1 for these instead of a traceback: the database
cannot be reached, a file or folder cannot be read or written, or one of our own errors
(:class:`api.errors.BlockgridError`, the embedded cluster's, the database roles').
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import socket

from sqlalchemy import make_url

from api.db import DatabaseRoleError, database_url
from api.errors import BlockgridError
from api.settings import get_settings
from gis.embedded import ClusterError

#: SQLSTATEs of a server that refuses the session: connection exceptions, failed logins,
#: no such database, too many connections, shutting down.
_UNREACHABLE_STATES = ("08", "28", "3D000", "53300", "57P")
#: asyncpg's own connection errors, which carry no SQLSTATE.
_UNREACHABLE_NAMES = frozenset({"ConnectionDoesNotExistError"})


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()).removeprefix("connection failed: ")
    return text[:300] or type(exc).__name__


def _database_address() -> str:
    """``host:port`` of the database the CLI uses (the socket folder for a local socket)."""
    try:
        url = make_url(database_url(get_settings()))
    except Exception:
        return "the configured address"
    host = url.host or str(url.query.get("host") or "localhost")
    return f"{host}:{url.port or 5432}"


def _is_unreachable(exc: BaseException) -> bool:
    """A connection that could not be made, was refused or was lost (not a refused statement)."""
    import psycopg

    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    state = getattr(exc, "sqlstate", None)
    if isinstance(exc, psycopg.OperationalError):
        return state is None or state.startswith(_UNREACHABLE_STATES)
    if type(exc).__module__.startswith("asyncpg") and isinstance(state, str):
        return state.startswith(_UNREACHABLE_STATES)
    return type(exc).__name__ in _UNREACHABLE_NAMES


def explain(exc: BaseException) -> str | None:
    """The one-line message for ``exc`` when it is a user's problem, else None."""
    chain = _chain(exc)
    for seen in chain:
        if isinstance(seen, BlockgridError):
            return seen.message
        if isinstance(seen, ClusterError | DatabaseRoleError):
            return str(seen)
    for seen in chain:
        if _is_unreachable(seen):
            return f"cannot reach the database at {_database_address()}: {_one_line(seen)}"
    for seen in chain:
        if isinstance(seen, OSError) and seen.filename is not None:
            reason = seen.strerror or _one_line(seen)
            return f"{seen.filename}: {reason}"
    return None
