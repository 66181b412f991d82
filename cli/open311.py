"""``blockgrid open311 keys``: issue, list and revoke Open311 API keys (API 密钥)."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.errors import BlockgridError
from api.open311 import keys
from api.open311.models import ApiKey
from api.open311.service import JURISDICTION_ID
from api.settings import get_settings
from cli.common import admin_session, console, fail, ready_database

T = TypeVar("T")

app = typer.Typer(help="Open311 GeoReport v2.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys of Open311 clients (e.g. the 12345 hotline).")
app.add_typer(keys_app, name="keys", no_args_is_help=True)


async def _audit(session: AsyncSession, row: ApiKey, op: str) -> None:
    await audit.record(
        session,
        action="open311.key",
        result="success",
        object_type="api_key",
        object_id=str(row.id),
        area_code=row.area_code,
        details={
            "by": "cli",
            "operator": getpass.getuser(),
            "op": op,
            "name": row.name,
            "area_code": row.area_code,
        },
    )


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one owner transaction (committed when it returns)."""
    url = ready_database()

    async def _in_session() -> T:
        async with admin_session(url) as session:
            return await work(session)

    try:
        return asyncio.run(_in_session())
    except BlockgridError as exc:
        raise fail(exc.message) from exc


@keys_app.command("create")
def create(
    name: str = typer.Argument(..., help="Who the key is for, e.g. 12345热线"),
    area: str = typer.Option(JURISDICTION_ID, "--area", help="The key's area code"),
) -> None:
    """Issue a key valid in AREA; the key is printed once (only its hash is kept)."""
    secret_key = get_settings().secret_key.get_secret_value()

    async def work(session: AsyncSession) -> tuple[ApiKey, str]:
        row, key = await keys.create_api_key(
            session, name=name, area_code=area, secret_key=secret_key
        )
        await _audit(session, row, "create")
        return row, key

    row, key = _run(work)
    console.print(f"key {row.id} for {row.name} in {row.area_code} (shown once, keep it safe):")
    typer.echo(key)


@keys_app.command("list")
def list_keys(area: str = typer.Option("", "--area", help="Only keys inside this area")) -> None:
    """List the keys (never the keys themselves)."""

    async def work(session: AsyncSession) -> list[ApiKey]:
        return await keys.list_api_keys(session, area_prefix=area)

    table = Table("id", "name", "area", "created", "revoked")
    for row in _run(work):
        table.add_row(
            str(row.id),
            row.name,
            row.area_code,
            row.created_at.isoformat(timespec="seconds"),
            row.revoked_at.isoformat(timespec="seconds") if row.revoked_at else "",
        )
    Console(width=120).print(table)  # on stdout, for scripts


@keys_app.command("revoke")
def revoke(key_id: int = typer.Argument(..., min=1, max=2**31 - 1)) -> None:
    """Revoke key KEY_ID: it stops working at once."""

    async def work(session: AsyncSession) -> ApiKey:
        row = await keys.revoke_api_key(session, key_id=key_id, area_prefix="")
        await _audit(session, row, "revoke")
        return row

    row = _run(work)
    console.print(f"key {row.id} ({row.name}) revoked")
