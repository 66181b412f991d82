"""``blockgrid import``: hotline events (CSV/XLSX) and building footprints."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from api.cli.common import admin_session, console, fail, ready_database
from api.errors import BlockgridError
from api.events import hotline_import

app = typer.Typer(help="Import data files.", no_args_is_help=True)


@app.command("events")
def import_events(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX"),
    all_or_nothing: bool = typer.Option(False, help="file nothing if any row is bad"),
) -> None:
    """Import hotline (12345) tickets as events; writes FILE.rejects.csv for bad rows."""
    url = ready_database()

    async def _run() -> hotline_import.ImportReport:
        rows = hotline_import.read_rows(file.name, file.read_bytes())
        async with admin_session(url) as session:
            report = await hotline_import.import_hotline(session, rows=rows,
                                                         all_or_nothing=all_or_nothing)
            if not report.applied:
                await session.rollback()
            return report

    try:
        report = asyncio.run(_run())
    except BlockgridError as exc:
        raise fail(exc.message) from exc
    if report.rejected:
        rejects = file.with_name(file.name + ".rejects.csv")
        rejects.write_text(report.rejects_csv(), encoding="utf-8")
        console.print(f"[yellow]{len(report.rejected)} rows rejected[/]: see {rejects}")
    state = "imported" if report.applied else "nothing imported (--all-or-nothing)"
    console.print(f"{report.rows} rows: {report.imported} {state}, "
                  f"{report.skipped_existing} already there")
    if not report.applied:
        raise typer.Exit(code=1)
