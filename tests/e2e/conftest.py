"""Browser-test fixtures: Debian's headless Chromium driven by Playwright, against a live server.

The server is the session's ``demo_server`` (tests/conftest.py: the demo city at a tiny
scale with the demo accounts). ``BLOCKGRID_E2E_URL`` points the tests at a server that is
already running instead (``blockgrid demo`` + ``blockgrid serve``), for quick iterations.
A missing Chromium fails the tests: it is never a reason to skip them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import PROJECT_ROOT

CHROMIUM = Path(os.environ.get("BLOCKGRID_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"

# The flags the project requires (--headless --no-sandbox --disable-gpu
# --disable-background-networking --disable-component-update --no-first-run), plus WebGL
# through ANGLE's SwiftShader, which MapLibre needs once the GPU is disabled.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-features=Translate,MediaRouter",
    "--lang=zh-CN",
]


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> str:
    external = os.environ.get("BLOCKGRID_E2E_URL")
    if external:
        return external.rstrip("/")
    return request.getfixturevalue("demo_server")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def open_dashboard(browser, base_url, artifacts):
    """``open_dashboard(phone=False)`` → a new signed-out Dashboard; closed after the test."""
    from tests.e2e.dashboard import Dashboard

    opened: list[Dashboard] = []

    def _open(*, phone: bool = False) -> Dashboard:
        dashboard = Dashboard.open(browser, base_url, artifacts, phone=phone)
        opened.append(dashboard)
        return dashboard

    yield _open
    for dashboard in opened:
        dashboard.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium per module; each test gets its own context (fresh storage).

    Module scope on purpose: Playwright's sync API keeps an event loop running while it
    is open, and the async tests of other modules need it closed.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
            "(scripts/install-system-deps.sh does it)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a fresh temporary profile (user-data-dir).
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
