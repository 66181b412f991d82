"""``blockgrid users``: set a password (also to clear a demo password)."""

from __future__ import annotations

import asyncio

import typer

from api.cli.common import admin_session, console, fail, ready_database
from api.errors import BlockgridError
from api.users import service

app = typer.Typer(help="Accounts.", no_args_is_help=True)


@app.command("set-password")
def set_password(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Set USERNAME's password (clears the demo-password mark and any lockout)."""
    url = ready_database()

    async def _run() -> None:
        async with admin_session(url) as session:
            await service.set_password(session, username=username, password=password)

    try:
        asyncio.run(_run())
    except BlockgridError as exc:
        raise fail(exc.message) from exc
    console.print(f"password of {username} changed")
