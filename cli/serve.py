"""``blockgrid serve``: the API and the dashboard."""

from __future__ import annotations

import typer
import uvicorn

from api.settings import get_settings
from cli.common import ready_database


def serve(
    host: str = typer.Option(None, help="address to listen on (default from settings)"),
    port: int = typer.Option(None, help="port (default from settings)"),
    workers: int = typer.Option(1, help="uvicorn worker processes"),
) -> None:
    """Start the embedded database if needed, migrate, and serve the API and dashboard."""
    settings = get_settings()
    ready_database(settings)
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=False,
        log_level="info",
    )
