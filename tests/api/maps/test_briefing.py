"""The folium briefing map of one grid: its content, local assets only, and scope."""

from __future__ import annotations

import re

from tests.api.events.helpers import report


async def test_briefing_map_shows_the_grid_and_loads_only_local_assets(client, as_user):
    headers = await as_user("worker-a")
    await report(client, headers)
    response = await client.get("/maps/grids/44030400100101.html", headers=headers)
    assert response.status_code == 200
    page = response.text
    assert "<title>滨江社区第01网格（44030400100101）工作图</title>" in page
    assert "4403040010010100001" in page  # the building
    assert "暴露垃圾" in page  # the open event
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/vendor/leaflet/") for s in sources), sources
    assert "cdn" not in page.lower() and "https://" not in page


async def test_briefing_of_a_grid_outside_the_scope_is_refused(client, as_user):
    response = await client.get(
        "/maps/grids/44030400100102.html", headers=await as_user("worker-a")
    )
    assert response.status_code == 404
    bad = await client.get("/maps/grids/440304.html", headers=await as_user("admin"))
    assert bad.status_code == 422
