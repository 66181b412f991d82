"""``blockgrid import``: hotline events (CSV/XLSX) and building footprints."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path

import typer

from api.audit import service as audit
from api.errors import BlockgridError
from api.events import hotline_import
from cli.common import admin_session, console, fail, ready_database

app = typer.Typer(help="Import data files.", no_args_is_help=True)


def operator() -> dict[str, str]:
    """Who ran the import, for its audit record (审计): the command line and the OS account."""
    return {"by": "cli", "operator": getpass.getuser()}


@app.command("events")
def import_events(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX"),
    all_or_nothing: bool = typer.Option(False, help="file nothing if any row is bad"),
) -> None:
    """Import hotline (12345) tickets as events; writes FILE.rejects.csv for bad rows."""
    url = ready_database()

    content = file.read_bytes()

    async def _run() -> hotline_import.ImportReport:
        rows = hotline_import.read_rows(file.name, content)
        async with admin_session(url) as session:
            report = await hotline_import.import_hotline(
                session, rows=rows, all_or_nothing=all_or_nothing
            )
            if not report.applied:
                await session.rollback()
                return report
            await audit.record(
                session,
                action="import.events",
                result="success",
                object_type="file",
                object_id=file.name,
                details=operator() | report.counts(),
            )
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
    console.print(
        f"{report.rows} rows: {report.imported} {state}, {report.skipped_existing} already there"
    )
    if not report.applied:
        raise typer.Exit(code=1)


_STAGES = {
    "read": "reading and repairing",
    "insert": "assigning grids, issuing codes, inserting",
    "update": "updating changed buildings",
    "stats": "refreshing area statistics",
    "indexes": "rebuilding indexes",
}


@app.command("buildings")
def import_buildings(
    file: Path = typer.Argument(
        ..., exists=True, help="any GDAL vector source: .gpkg, .shp, .geojson, .gdb, .osm.pbf/.osm"
    ),
    from_crs: str = typer.Option(
        None,
        "--from",
        help="CRS of the coordinates when the file "
        "lacks or misstates it: gcj02, bd09 or e.g. EPSG:4547",
    ),
    layer: str = typer.Option(None, help="layer to read (default: the only polygon layer)"),
    source: str = typer.Option(None, help="name of the data source (default: the file name)"),
    id_field: str = typer.Option(
        None,
        help="attribute with the stable feature id "
        "(default: id, osm_id, fid...; else a geometry hash)",
    ),
    rejects: Path = typer.Option(
        None, help="rejects report, .csv or .gpkg (default: FILE.rejects.csv)"
    ),
    strict: bool = typer.Option(False, help="import nothing if any feature is rejected"),
    refresh_stats: bool = typer.Option(True, help="recompute area statistics afterwards"),
) -> None:
    """Import building footprints (楼栋轮廓): CRS check, repair, grid assignment and codes."""
    # Imported here: pyogrio, pandas and shapely would slow down every other command.
    import psycopg
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

    from api.buildings.importer import ImportAudit, ImportRefused, import_buildings_file
    from gis.crs import CoordinateError, CrsError
    from gis.footprints import FootprintError, write_rejects

    url = ready_database()
    rejects_path = rejects or file.with_name(file.name + ".rejects.csv")
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("reading", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=_STAGES.get(stage, stage), completed=done, total=total)

        try:
            result = import_buildings_file(
                url,
                file,
                source=source,
                layer=layer,
                crs=from_crs,
                id_field=id_field,
                strict=strict,
                refresh_stats=refresh_stats,
                progress=progress,
                audit=ImportAudit(file.name, operator()),
            )
        except ImportRefused as exc:
            if exc.details:
                write_rejects(exc.details, rejects_path)
                console.print(
                    f"[yellow]{len(exc.details)} features rejected[/]: see {rejects_path}"
                )
            raise fail(exc.message) from exc
        except (CrsError, CoordinateError, FootprintError) as exc:
            message = str(exc) if str(exc).startswith(file.name) else f"{file.name}: {exc}"
            raise fail(f"{message}; nothing was imported") from exc
        except psycopg.Error as exc:
            raise fail(f"the database refused the import, nothing was written: {exc}") from exc
    for note in result.notes:
        console.print(f"[cyan]note:[/] {note}")
    if result.rejects:
        write_rejects(result.rejects, rejects_path)
        console.print(f"[yellow]{result.rejected} features rejected[/]: see {rejects_path}")
    console.print(
        f"{result.read} read, {result.repaired} repaired, {result.rejected} rejected, "
        f"{result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged "
        f"in {result.seconds:.1f} s"
    )
    if result.read and result.rejected == result.read:
        raise fail(f"{file.name}: every feature was rejected, no building was imported")
