"""The ``blockgrid`` command line: db, migrate, demo, serve, users."""

from __future__ import annotations

import typer

from api.cli import bench, db, demo, grids, imports, serve, users
from gis.memory import use_ordinary_pages

app = typer.Typer(
    help="blockgrid — 网格化管理 on block data (块数据).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.command("migrate")(db.migrate)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")
app.add_typer(imports.app, name="import")
app.add_typer(bench.app, name="bench")
app.add_typer(grids.app, name="grids")


def main() -> None:
    use_ordinary_pages()  # no memory compaction stalls on large arrays
    app()
