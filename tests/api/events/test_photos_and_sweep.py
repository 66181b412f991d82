"""Photos (type and size limits), oversized requests, and the overdue sweep."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import text

from api.events.calendar import now
from api.events.sweeper import sweep
from tests.api.events.helpers import report


def image_bytes(kind: str, size: tuple[int, int] = (8, 6)) -> bytes:
    """A real image (photos are decoded, a bare signature is not enough)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (214, 96, 40)).save(buffer, kind)
    return buffer.getvalue()


PNG = image_bytes("PNG")


async def test_a_photo_is_stored_and_served(client, as_user):
    headers = await as_user("worker-a")
    event_id = (await report(client, headers)).json()["id"]
    uploaded = await client.post(
        f"/api/events/{event_id}/attachments",
        headers=headers,
        files={"file": ("现场.png", PNG, "image/png")},
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["content_type"] == "image/png"
    served = await client.get(uploaded.json()["url"], headers=headers)
    assert served.content == PNG and served.headers["content-type"] == "image/png"
    detail = (await client.get(f"/api/events/{event_id}", headers=headers)).json()
    assert [p["filename"] for p in detail["attachments"]] == ["现场.png"]


async def test_photos_are_typed_by_their_content_not_their_name(client, as_user):
    headers = await as_user("worker-a")
    event_id = (await report(client, headers)).json()["id"]
    jpeg, webp = image_bytes("JPEG"), image_bytes("WEBP")
    for name, content, declared, stored in (
        ("现场.webp", jpeg, "image/webp", "image/jpeg"),
        ("现场.jpg", webp, "image/jpeg", "image/webp"),
        ("现场", PNG, "application/octet-stream", "image/png"),
    ):
        uploaded = await client.post(
            f"/api/events/{event_id}/attachments",
            headers=headers,
            files={"file": (name, content, declared)},
        )
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["content_type"] == stored
        served = await client.get(uploaded.json()["url"], headers=headers)
        assert served.content == content
        assert served.headers["content-type"] == stored
        assert served.headers["x-content-type-options"] == "nosniff"
    truncated = await client.post(
        f"/api/events/{event_id}/attachments",
        headers=headers,
        files={"file": ("cut.jpg", jpeg[: len(jpeg) // 2], "image/jpeg")},
    )
    assert truncated.status_code == 422
    assert truncated.json()["code"] == "photo_type_refused"
    assert "does not decode" in truncated.json()["message"]


async def test_photos_of_the_wrong_type_or_size_are_refused(client, as_user):
    headers = await as_user("worker-a")
    event_id = (await report(client, headers)).json()["id"]
    fake = await client.post(
        f"/api/events/{event_id}/attachments",
        headers=headers,
        files={"file": ("x.png", b"<script>", "image/png")},
    )
    assert fake.status_code == 422 and fake.json()["code"] == "photo_type_refused"
    signature_only = await client.post(
        f"/api/events/{event_id}/attachments",
        headers=headers,
        files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")},
    )
    assert signature_only.status_code == 422, "a PNG signature on bytes that do not decode"
    big = await client.post(
        f"/api/events/{event_id}/attachments",
        headers=headers,
        files={"file": ("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 2**20), "image/jpeg")},
    )
    assert big.status_code == 413 and "at most 5 MB" in big.json()["message"]


async def test_oversized_requests_are_refused_before_reading(client, as_user):
    headers = await as_user("worker-a")
    response = await client.post(
        "/api/events",
        headers=headers | {"Content-Type": "application/json"},
        content=b"{" + b" " * (21 * 2**20) + b"}",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_the_sweep_escalates_overdue_cases_once(client, session, as_user):
    event_id = (await report(client, await as_user("worker-a"))).json()["id"]
    await session.execute(
        text("INSERT INTO area_stats (area_code) SELECT code FROM areas ON CONFLICT DO NOTHING")
    )
    await session.execute(
        text("UPDATE events SET stage_due_at = now() - interval '1 hour' WHERE id = :id"),
        {"id": event_id},
    )
    assert await sweep(session, at=now()) == 1
    assert await sweep(session, at=now() + timedelta(minutes=1)) == 0
    level, version = (
        await session.execute(
            text("SELECT escalation_level, version FROM events WHERE id = :id"), {"id": event_id}
        )
    ).one()
    assert (level, version) == (1, 2)
    overdue = dict(
        (
            await session.execute(
                text("SELECT area_code, events_overdue FROM area_stats WHERE events_overdue > 0")
            )
        ).all()
    )
    assert overdue == {
        "4403": 1,
        "440304": 1,
        "440304001": 1,
        "440304001001": 1,
        "44030400100101": 1,
    }
    detail = (await client.get(f"/api/events/{event_id}", headers=await as_user("street"))).json()
    assert detail["overdue"] is True
    assert detail["actions"][-1]["action"] == "escalate"
    assert detail["actions"][-1]["note"] == "超期自动督办"
