"""The ``blockgrid`` command line: db, migrate, demo, serve, users."""

from __future__ import annotations

import os
import sys

# NumPy's and Arrow's documented switches, read when they are first imported: no
# transparent huge pages for large arrays (where the kernel's THP defrag mode is
# ``madvise`` or ``always``, their first touch stalls while it compacts memory:
# ~0.9 s of system time per 300 MB of fresh arrays in a bulk import), and Arrow's
# memory from malloc rather than mimalloc's huge-page arenas (docs/import.md).
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

import typer

from cli import bench, db, demo, grids, imports, open311, serve, users
from cli.common import console
from cli.errors import explain

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
app.add_typer(open311.app, name="open311")


def main() -> None:
    """Run the CLI; a failure the user can act on is one line on stderr and exit 1."""
    try:
        app()
    except KeyboardInterrupt:
        console.print("[bold red]interrupted[/]")
        sys.exit(130)
    except Exception as exc:
        message = explain(exc)
        if message is None or os.environ.get("BLOCKGRID_TRACEBACK") == "1":
            raise
        console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
        sys.exit(1)
