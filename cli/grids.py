"""``blockgrid grids check``: gaps, overlaps, orphan buildings and household balance."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely
import typer
from sqlalchemy import create_engine, text

from api.db import sync_url
from api.settings import get_settings
from cli.common import console, ready_database
from grids.grid_check import check_grids
from grids.partition import BasicGrid

app = typer.Typer(help="Basic grids (基础网格).", no_args_is_help=True)


def single_polygon(geometry):
    """Grids are stored as one-part MultiPolygons; the check wants the Polygon."""
    if geometry.geom_type == "MultiPolygon" and len(geometry.geoms) == 1:
        return geometry.geoms[0]
    return geometry


@app.command()
def check(
    area: str = typer.Option("4403", help="check the communities under this area code"),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="every community, not only those with problems"
    ),
) -> None:
    """Check that each community's grids tile it, hold each building once, and balance
    households (target from the settings); exit code 1 when anything is wrong."""
    settings = get_settings()
    target = (settings.household_target_min, settings.household_target_max)
    engine = create_engine(sync_url(ready_database(settings)))
    with engine.connect() as connection:
        communities = connection.execute(
            text("""
            SELECT code, ST_AsBinary(geom) FROM areas
            WHERE level = 'community' AND code LIKE :area || '%' ORDER BY code"""),
            {"area": area},
        ).all()
        grids = connection.execute(
            text("""
            SELECT a.code, ST_AsBinary(a.geom), count(h.id) FROM areas a
            LEFT JOIN households h ON h.grid_code = a.code
            WHERE a.level = 'grid' AND a.retired_at IS NULL AND a.code LIKE :area || '%'
            GROUP BY a.code, a.geom ORDER BY a.code"""),
            {"area": area},
        ).all()
        buildings = connection.execute(
            text("""
            SELECT grid_code, ST_X(ST_Centroid(footprint)), ST_Y(ST_Centroid(footprint))
            FROM buildings
            WHERE grid_code LIKE :area || '%' ORDER BY grid_code, id"""),
            {"area": area},
        ).all()
    engine.dispose()
    grids_of: dict[str, list] = defaultdict(list)
    for code, wkb, households in grids:
        grids_of[code[:12]].append((code, wkb, households))
    points_of: dict[str, list] = defaultdict(list)
    for grid_code, lon, lat in buildings:
        points_of[grid_code[:12]].append((grid_code, lon, lat))
    failed = 0
    for community, wkb in communities:
        points = points_of[community]
        xy = np.array([(lon, lat) for _, lon, lat in points], dtype=float).reshape(-1, 2)
        members = [
            BasicGrid(
                code=code,
                polygon=single_polygon(shapely.from_wkb(grid_wkb)),
                building_indices=np.array(
                    [i for i, p in enumerate(points) if p[0] == code], dtype=np.int64
                ),
                households=households,
            )
            for code, grid_wkb, households in grids_of[community]
        ]
        report = check_grids(
            shapely.from_wkb(wkb), members, xy, target=target, community_code=community
        )
        if not report.ok:
            failed += 1
        if verbose or not report.ok:
            for line in report.summary_lines():
                console.print(line)
    console.print(
        f"{len(communities)} communities, {len(grids)} grids, {len(buildings)} "
        f"buildings: {failed} with problems"
    )
    if failed:
        raise typer.Exit(code=1)
