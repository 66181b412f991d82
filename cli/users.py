"""``blockgrid users``: set a password (also to clear a demo password)."""

from __future__ import annotations

import asyncio
import getpass

import typer

from api.audit import service as audit
from api.errors import BlockgridError
from api.settings import get_settings
from api.users import service
from cli.common import admin_session, console, fail, ready_database

app = typer.Typer(help="Accounts.", no_args_is_help=True)


@app.command("set-password")
def set_password(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Set USERNAME's password (clears the demo-password mark and any lockout); every
    session of the account ends."""
    url = ready_database()
    settings = get_settings()

    async def _run() -> None:
        async with admin_session(url) as session:
            user = await service.set_password(
                session,
                username=username,
                password=password,
                demo_password=settings.demo_password.get_secret_value(),
            )
            await audit.record(
                session,
                action="password.reset",
                result="success",
                object_type="user",
                object_id=str(user.id),
                area_code=user.scope_code,
                details={"username": username, "by": "cli", "operator": getpass.getuser()},
            )

    try:
        asyncio.run(_run())
    except BlockgridError as exc:
        raise fail(exc.message) from exc
    console.print(f"password of {username} changed; its sessions were ended")
