"""Posting through GeoReport: a client's retry is not a second case; a key's posts are limited."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api.db import async_url
from tests.api.open311.conftest import FUTIAN_POINT, issue_key


async def _post(client, key: str, **fields: str):
    return await client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, "service_code": "06001", **FUTIAN_POINT, **fields},
    )


async def _events(session) -> int:
    return await session.scalar(text("SELECT count(*) FROM events WHERE source = 'open311'"))


async def test_a_retry_of_the_same_request_gets_the_first_receipt(client, session, hotline_key):
    before = await _events(session)
    first = (await _post(client, hotline_key, description="垃圾满溢")).json()[0]
    again = await _post(client, hotline_key, description=" 垃圾满溢 ")  # stripped alike
    assert again.status_code == 200
    assert again.json() == [
        {
            "service_request_id": first["service_request_id"],
            "service_notice": "重复提交，已按首次受理",
            "account_id": None,
        }
    ]
    assert await _events(session) == before + 1


async def test_a_different_request_is_filed_on_its_own(client, session, hotline_key):
    first = (await _post(client, hotline_key, description="垃圾满溢")).json()[0]
    other_words = (await _post(client, hotline_key, description="垃圾桶破损")).json()[0]
    other_place = (
        await _post(client, hotline_key, description="垃圾满溢", lat="22.5333", long="114.0033")
    ).json()[0]
    ids = {r["service_request_id"] for r in (first, other_words, other_place)}
    assert len(ids) == 3


async def test_the_same_request_from_another_key_is_not_a_retry(
    client, session, hotline_key, futian_key
):
    first = (await _post(client, hotline_key, description="垃圾满溢")).json()[0]
    second = (await _post(client, futian_key, description="垃圾满溢")).json()[0]
    assert first["service_request_id"] != second["service_request_id"]


async def test_a_key_past_its_hourly_posts_gets_429(app, client, session, hotline_key, futian_key):
    app.state.settings = app.state.settings.model_copy(update={"open311_posts_per_hour": 2})
    for n in range(2):
        assert (await _post(client, hotline_key, description=f"第{n}次")).status_code == 200
    refused = await _post(client, hotline_key, description="第3次")
    assert refused.status_code == 429
    assert refused.json() == [
        {
            "code": 429,
            "description": "this api_key posted 2 requests in the last hour; try again later",
        }
    ]
    assert 1 <= int(refused.headers["Retry-After"]) <= 3601
    # another key is counted on its own
    assert (await _post(client, futian_key, description="第3次")).status_code == 200


async def test_a_retry_at_the_hourly_limit_still_gets_its_receipt(app, client, hotline_key):
    app.state.settings = app.state.settings.model_copy(update={"open311_posts_per_hour": 1})
    first = (await _post(client, hotline_key, description="井盖缺失")).json()[0]
    again = await _post(client, hotline_key, description="井盖缺失")
    assert again.status_code == 200
    assert again.json()[0]["service_request_id"] == first["service_request_id"]
    assert (await _post(client, hotline_key, description="另一件事")).status_code == 429


async def test_two_copies_posted_at_once_file_one_case(live_app_client, fresh_database):
    # a client that timed out re-sends while its first post is still being filed
    engine = create_async_engine(async_url(fresh_database))
    async with AsyncSession(engine, expire_on_commit=False) as owner:
        key = await issue_key(owner, name="并发测试", area_code="4403")
    posts = [
        live_app_client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": key,
                "service_code": "06001",
                **FUTIAN_POINT,
                "description": "并发重试",
            },
        )
        for _ in range(4)
    ]
    answers = await asyncio.gather(*posts)
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.json()[0]["service_request_id"] for a in answers}) == 1
    async with engine.connect() as connection:
        filed = await connection.scalar(
            text("SELECT count(*) FROM events WHERE description = '并发重试'")
        )
    await engine.dispose()
    assert filed == 1
