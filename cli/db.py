"""``blockgrid db up|down|status|url`` and ``blockgrid migrate``."""

from __future__ import annotations

import typer

from api.db import DatabaseRoleError, api_database_url, database_url, embedded_cluster
from api.settings import get_settings
from cli.common import console, fail, migrate_database, ready_database
from gis.embedded import ClusterError

app = typer.Typer(
    help="The database: the embedded PostGIS cluster or DATABASE_URL.", no_args_is_help=True
)


@app.command()
def up() -> None:
    """Start the embedded PostGIS cluster (initialising it the first time) and migrate."""
    settings = get_settings()
    if settings.database_url:
        console.print("DATABASE_URL is set: using that server, nothing to start")
    ready_database(settings)
    console.print(f"[green]ready[/] {_redacted(database_url(settings))}")


@app.command()
def down() -> None:
    """Stop the embedded cluster."""
    settings = get_settings()
    if settings.database_url:
        raise fail("DATABASE_URL is set: blockgrid does not manage that server")
    try:
        embedded_cluster(settings).down()
    except ClusterError as exc:
        raise fail(str(exc)) from exc
    console.print("stopped")


@app.command()
def status() -> None:
    """Say whether the embedded cluster is initialised and running, and where."""
    settings = get_settings()
    if settings.database_url:
        typer.echo(f"external: {_redacted(settings.database_url)}")
        return
    cluster = embedded_cluster(settings)
    state = cluster.status()
    typer.echo(f"cluster: {cluster.root}")
    typer.echo(f"initialised: {'yes' if state.initialised else 'no'}")
    typer.echo(f"running: {f'yes (pid {state.pid})' if state.running else 'no'}")
    typer.echo(f"port: {state.port}")
    if not state.running:
        raise typer.Exit(code=3)


@app.command()
def url(
    api: bool = typer.Option(
        False, "--api", help="the server's own login role instead of the owner's"
    ),
) -> None:
    """Print the owner's DSN of the database (for psql, ogr2ogr, QGIS...), or the API's."""
    settings = get_settings()
    try:
        typer.echo(api_database_url(settings) if api else database_url(settings))
    except (ClusterError, DatabaseRoleError) as exc:
        raise fail(str(exc)) from exc


def migrate(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Apply the Alembic migrations up to REVISION (as the owner; rights checked first)."""
    settings = get_settings()
    url_ = ready_database(settings, migrate_schema=False)
    migrate_database(url_, settings, revision)
    console.print(f"migrated to {revision}")


def _redacted(dsn: str) -> str:
    if "@" not in dsn or "://" not in dsn:
        return dsn
    scheme, rest = dsn.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
