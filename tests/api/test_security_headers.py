"""Security headers on every response, API docs without a CDN, 413 for any oversized body
(issue 14, finding 7), against the real application and PostGIS, in-process and live."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from api.settings import Settings
from tests.api.events.helpers import report
from tests.live import serve

MB = 2**20
STRICT = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def assert_secured(response: httpx.Response, *, policy: str | None = STRICT) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff", response.url
    assert headers["x-frame-options"] == "DENY", response.url
    assert "frame-ancestors 'none'" in headers["content-security-policy"], response.url
    assert headers["referrer-policy"] in ("no-referrer", "strict-origin-when-cross-origin")
    if policy is not None:
        assert headers["content-security-policy"] == policy, response.url


async def test_api_json_errors_and_photos_carry_the_headers(client, as_user):
    headers = await as_user("worker-a")
    me = await client.get("/auth/me", headers=headers)
    assert me.status_code == 200
    assert_secured(me)
    assert me.headers["cache-control"] == "no-store"

    for path, status, signed_in in (
        ("/healthz", 200, False),
        ("/openapi.json", 200, False),
        ("/auth/me", 401, False),
        ("/no/such/page", 404, False),
        ("/api/events/not-a-number", 422, True),
    ):
        response = await client.get(path, headers=headers if signed_in else {})
        assert response.status_code == status, (path, response.text)
        assert_secured(response)
        assert response.headers["cache-control"] == "no-store"

    event_id = (await report(client, headers)).json()["id"]
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
        b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    uploaded = await client.post(
        f"/api/events/{event_id}/attachments",
        headers=headers,
        files={"file": ("p.png", png, "image/png")},
    )
    assert uploaded.status_code == 201, uploaded.text
    photo = await client.get(uploaded.json()["url"], headers=headers)
    assert photo.content == png and photo.headers["content-type"] == "image/png"
    assert_secured(photo)
    assert photo.headers["cache-control"] == "private, max-age=86400"  # the route's own


async def test_an_html_page_named_webp_is_not_a_photo(client, as_user):
    headers = await as_user("worker-a")
    event_id = (await report(client, headers)).json()["id"]
    for name, content in (
        ("x.webp", b"<html><script>alert(document.cookie)</script></html>"),
        ("y.webp", b"RIFF\x20\x00\x00\x00WEBP<html><script>alert(1)</script></html>"),
        ("z.jpg", b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>"),
    ):
        refused = await client.post(
            f"/api/events/{event_id}/attachments",
            headers=headers,
            files={"file": (name, content, "image/webp")},
        )
        assert refused.status_code == 422, (name, refused.text)
        assert refused.json()["code"] == "photo_type_refused"
        assert name in refused.json()["message"]
        assert_secured(refused)
    detail = (await client.get(f"/api/events/{event_id}", headers=headers)).json()
    assert detail["attachments"] == []


async def test_tiles_keep_their_cache_policy(client, as_user):
    headers = await as_user("worker-a")
    tile = await client.get("/tiles/grids/14/13392/7142.mvt", headers=headers)
    assert tile.status_code in (200, 204), tile.text
    assert tile.headers["cache-control"] == "private, no-cache"
    assert_secured(tile)


async def test_a_server_error_carries_the_headers(app: FastAPI):
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        response = await plain.get("/boom")
    assert response.status_code == 500
    assert "boom" not in response.text
    assert_secured(response)


async def test_docs_come_from_our_own_origin(client):
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", docs.text)
    assert "/vendor/swagger-ui/swagger-ui-bundle.js" in urls
    assert "/vendor/swagger-ui/swagger-ui.css" in urls
    assert [u for u in urls if "//" in u] == []
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text
    policy = docs.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe-eval" not in policy
    assert_secured(docs, policy=None)

    script = await client.get("/vendor/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content[:200_000]
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "public, max-age=86400"
    assert_secured(script, policy=None)
    assert (await client.get("/redoc")).status_code == 404


async def test_the_dashboard_forbids_framing(client):
    page = await client.get("/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "frame-ancestors 'self'" not in policy
    assert "worker-src 'self' blob:" in policy
    assert "'unsafe-inline'" not in policy
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert_secured(page, policy=None)
    assert_secured(await client.get("/static/main.js"), policy=None)
    # MapLibre's worker runs under its own response's policy: it must fetch the tiles
    worker = await client.get("/vendor/maplibre-gl/maplibre-gl-worker.mjs")
    assert worker.status_code == 200
    assert "connect-src 'self'" in worker.headers["content-security-policy"]
    assert "worker-src 'self' blob:" in worker.headers["content-security-policy"]
    assert_secured(worker, policy=None)


def chunks(total: int, size: int = MB) -> Iterator[bytes]:
    """A body of ``total`` bytes, sent without Content-Length (chunked)."""
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b"x" * piece


def multipart_chunks(total: int) -> Iterator[bytes]:
    yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
    yield b"Content-Type: image/jpeg\r\n\r\n"
    yield from chunks(total)
    yield b"\r\n--b--\r\n"


async def streamed(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The same body for an async client (still without Content-Length)."""
    for part in parts:
        yield part


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text[:300]
    body = response.json()
    assert body["code"] == "payload_too_large"
    assert "exceeds the limit of 20,971,520 bytes" in body["message"]
    assert body["message_zh"] == "请求内容过大"
    assert_secured(response)


async def test_chunked_bodies_over_the_limit_get_413(client, as_user):
    headers = await as_user("worker-a")
    event_id = (await report(client, headers)).json()["id"]
    multipart = await client.post(
        f"/api/events/{event_id}/attachments",
        headers=headers | {"Content-Type": "multipart/form-data; boundary=b"},
        content=streamed(multipart_chunks(21 * MB)),
    )
    assert "content-length" not in multipart.request.headers
    assert_too_large(multipart)
    json_body = await client.post(
        "/api/events",
        headers=headers | {"Content-Type": "application/json"},
        content=streamed(chunks(21 * MB)),
    )
    assert_too_large(json_body)
    form = await client.post(
        "/auth/token",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        content=streamed(chunks(21 * MB)),
    )
    assert_too_large(form)
    declared = await client.post(
        "/api/events/import", headers=headers, files={"file": ("a.csv", b"x" * (21 * MB))}
    )
    assert "content-length" in declared.request.headers
    assert_too_large(declared)


@pytest.fixture(scope="module")
def live_server(settings: Settings) -> Iterator[str]:
    with serve(settings) as base:
        yield base


def test_a_live_server_answers_413_to_chunked_and_declared_bodies(live_server: str):
    with httpx.Client(base_url=live_server, timeout=60) as http:
        chunked = http.post(
            "/api/events/1/attachments",
            headers={"Content-Type": "multipart/form-data; boundary=b"},
            content=multipart_chunks(21 * MB),
        )
        assert "content-length" not in chunked.request.headers
        assert chunked.request.headers["transfer-encoding"] == "chunked"
        assert_too_large(chunked)
    with httpx.Client(base_url=live_server, timeout=60) as http:
        declared = http.post("/auth/token", data={"username": "x" * (21 * MB), "password": "y"})
        assert_too_large(declared)
        small = http.get("/docs")
        assert small.status_code == 200 and "swagger-ui-bundle.js" in small.text
        assert_secured(small, policy=None)
