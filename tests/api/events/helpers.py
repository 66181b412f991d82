"""Helpers for the event tests: report at a known building, act with the ETag."""

from __future__ import annotations

import httpx

# Inside the footprint of building 4403040010010100001 (grid 44030400100101).
AT_BUILDING_A = {"lon": 114.0032, "lat": 22.5332}
# Open ground in grid 44030400100102 (no building within 30 m).
IN_GRID_B = {"lon": 114.0180, "lat": 22.5380}


async def report(client: httpx.AsyncClient, headers: dict, **overrides) -> httpx.Response:
    body = {
        "major": "06",
        "minor": "001",
        "title": "楼下暴露垃圾",
        "description": "垃圾桶满溢",
        **AT_BUILDING_A,
    } | overrides
    return await client.post("/api/events", json=body, headers=headers)


async def act(
    client: httpx.AsyncClient, headers: dict, event_id: int, action: str, **extra
) -> httpx.Response:
    current = await client.get(f"/api/events/{event_id}", headers=headers)
    etag = current.headers.get("etag", '"none"')
    body = {"action": action, "note": f"{action} 说明"} | extra
    return await client.post(
        f"/api/events/{event_id}/actions", json=body, headers=headers | {"If-Match": etag}
    )
