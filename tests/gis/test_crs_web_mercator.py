"""WGS 84 → Web Mercator on coordinate arrays: published values, PostGIS, from_wgs84."""

from __future__ import annotations

import numpy as np
import psycopg
import shapely

from gis.crs import from_wgs84, lonlat_to_web_mercator

#: 20037508.342789244 m: half the equator of the WGS 84 sphere radius (π × 6378137).
HALF_WORLD = np.pi * 6_378_137.0


def test_published_web_mercator_coordinates():
    # EPSG Guidance Note 7-2, method 1024 (Popular Visualisation Pseudo Mercator):
    # 24°22'54.433"N, 100°20'00.000"W -> E = -11 169 055.58 m, N = 2 800 000.00 m
    lon = [-(100 + 20 / 60), 180.0, -180.0, 0.0]
    lat = [24 + 22 / 60 + 54.433 / 3600, 0.0, 0.0, 85.0511287798066]
    x, y = lonlat_to_web_mercator(lon, lat)
    np.testing.assert_allclose(x, [-11_169_055.58, HALF_WORLD, -HALF_WORLD, 0.0], atol=0.005)
    np.testing.assert_allclose(y, [2_800_000.00, 0.0, 0.0, HALF_WORLD], atol=0.005)


def test_equals_postgis_and_from_wgs84_on_shenzhen_points(database_url):
    rng = np.random.default_rng(3857)
    lon, lat = rng.uniform(113.7, 114.7, 200), rng.uniform(22.4, 22.9, 200)
    x, y = lonlat_to_web_mercator(lon, lat)
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT ST_X(p), ST_Y(p) FROM unnest(%s::float8[], %s::float8[]) AS u(lon, lat),"
            " ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 3857) AS p",
            (lon.tolist(), lat.tolist()),
        ).fetchall()
    np.testing.assert_allclose(np.column_stack([x, y]), np.array(rows), rtol=0, atol=1e-6)
    moved = shapely.get_coordinates(from_wgs84(shapely.points(lon, lat), 3857))
    np.testing.assert_array_equal(np.column_stack([x, y]), moved)
