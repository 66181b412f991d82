"""Every items page is an export of block data (块数据导出) and leaves an audit record."""

from __future__ import annotations

from sqlalchemy import text


async def test_each_items_page_is_audited_as_an_export(client, as_user, session):
    headers = await as_user("worker-a")
    response = await client.get(
        "/ogc/collections/buildings/items",
        params={"bbox": "113.9,22.4,114.1,22.6", "limit": "5000", "offset": "0"},
        headers=headers,
    )
    assert response.status_code == 200
    rows = (
        await session.execute(
            text(
                "SELECT a.action, a.result, a.username, a.user_id = u.id, a.object_type,"
                " a.object_id, a.area_code, host(a.client_addr), a.details"
                " FROM audit_log a JOIN users u ON u.username = a.username"
                " WHERE a.action = 'ogc.export'"
            )
        )
    ).all()
    assert [tuple(row) for row in rows] == [
        (
            "ogc.export",
            "success",
            "worker-a",
            True,
            "collection",
            "buildings",
            "44030400100101",  # the worker's grid: the scope the export was limited to
            "10.1.2.3",  # the test client's address
            {
                "returned": 1,
                "matched": 1,
                "bbox": "113.9,22.4,114.1,22.6",
                "datetime": None,
                "limit": 1000,  # capped
                "offset": 0,
            },
        )
    ]


async def test_a_refused_items_request_exports_nothing(client, as_user, session):
    response = await client.get(
        "/ogc/collections/buildings/items",
        params={"bbox": "nonsense"},
        headers=await as_user("admin"),
    )
    assert response.status_code == 400
    count = await session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'ogc.export'"))
    assert count == 0
