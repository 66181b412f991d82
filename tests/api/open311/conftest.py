"""Open311 fixtures: keys issued as the CLI and the admin API do, and a request poster."""

from __future__ import annotations

import httpx
import pytest

from api.open311.keys import create_api_key
from api.settings import DEFAULT_SECRET_KEY

FUTIAN_POINT = {"lat": "22.5332", "long": "114.0032"}  # grid 44030400100101
NANSHAN_POINT = {"lat": "22.5050", "long": "113.9850"}  # grid 44030500100101


async def issue_key(session, *, name: str, area_code: str) -> str:
    _, key = await create_api_key(
        session, name=name, area_code=area_code, secret_key=DEFAULT_SECRET_KEY
    )
    await session.commit()
    return key


@pytest.fixture
async def hotline_key(session) -> str:
    """The 12345 hotline's key: the whole city."""
    return await issue_key(session, name="12345热线", area_code="4403")


@pytest.fixture
async def futian_key(session) -> str:
    return await issue_key(session, name="福田区热线", area_code="440304")


@pytest.fixture
async def nanshan_key(session) -> str:
    return await issue_key(session, name="南山区热线", area_code="440305")


@pytest.fixture
def post_request(client: httpx.AsyncClient):
    """``await post_request(key, service_code="06001", ...)`` → the receipt's request id."""

    async def _post(key: str, *, where: dict = FUTIAN_POINT, **fields: str) -> str:
        response = await client.post(
            "/open311/v2/requests.json",
            data={"api_key": key, "service_code": "06001", **where, **fields},
        )
        assert response.status_code == 200, response.text
        return response.json()[0]["service_request_id"]

    return _post
