"""``blockgrid demo``: load the demo city and create the demo accounts (SPEC §5)."""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from api.errors import BlockgridError
from api.settings import get_settings
from api.users.service import DemoAccount, ensure_demo_accounts
from cli.common import admin_session, console, fail, ready_database


def demo(
    scale: float = typer.Option(
        0.02, min=0.0005, max=1.0, help="1.0 ≈ Shenzhen: 600k buildings, 17.6M people"
    ),
    seed: int = typer.Option(20111, help="same seed, same city"),
    accounts_only: bool = typer.Option(False, help="only (re)create the demo accounts"),
) -> None:
    """Load the demo city (Shenzhen's real hierarchy, synthetic block data) and the accounts."""
    settings = get_settings()
    url = ready_database(settings)
    if not accounts_only:
        from democity.pipeline import load_demo_city

        summary = load_demo_city(url, scale=scale, seed=seed, progress=True)
        console.print(summary.table() if hasattr(summary, "table") else summary)
    password = settings.demo_password.get_secret_value()

    async def _accounts() -> list[DemoAccount]:
        async with admin_session(url) as session:
            return await ensure_demo_accounts(session, password=password)

    try:
        accounts = asyncio.run(_accounts())
    except BlockgridError as exc:
        raise fail(exc.message) from exc
    table = Table(title=f"demo accounts — password: {password}")
    for column in ("username", "role", "area"):
        table.add_column(column)
    for account in accounts:
        table.add_row(
            account.username, account.role, f"{account.scope_name} ({account.scope_code})"
        )
    console.print(table)
    if not settings.is_demo:
        console.print(
            "[yellow]these accounts have the demo password: the server refuses to "
            "start outside BLOCKGRID_ENVIRONMENT=demo until you change them[/]"
        )
