"""A signed-in dashboard page and what the browser tests check on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.pixels import read_png

DEMO_PASSWORD = "blockgrid-demo"
MAP_BACKGROUND = (232, 237, 241)  # #e8edf1, the style's background colour
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 820}


@dataclass
class Dashboard:
    """One browser context and page, with the console errors and tile responses it saw."""

    page: Any
    base_url: str
    artifacts: Path
    errors: list[str] = field(default_factory=list)
    tile_statuses: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def open(cls, browser, base_url: str, artifacts: Path, *, phone: bool = False) -> Dashboard:
        options: dict[str, Any] = {"viewport": PHONE if phone else DESKTOP, "locale": "zh-CN"}
        if phone:
            options |= {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
        page = browser.new_context(**options).new_page()
        page.set_default_timeout(20_000)
        dashboard = cls(page, base_url, artifacts)
        page.on("console", dashboard._console)
        page.on("pageerror", lambda error: dashboard.errors.append(f"pageerror: {error}"))
        page.on("response", dashboard._response)
        page.goto(f"{base_url}/")
        return dashboard

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _response(self, response) -> None:
        path = response.url.split("?", 1)[0]
        if "/tiles/" in path and path.endswith(".mvt"):
            self.tile_statuses.append((response.status, response.url))

    def close(self) -> None:
        self.page.context.close()

    # ---- signing in --------------------------------------------------------------------

    def login(self, username: str, password: str = DEMO_PASSWORD, *, map: bool = True) -> None:
        page = self.page
        page.wait_for_selector("#login-form")
        page.fill("#login-username", username)
        page.fill("#login-password", password)
        page.click("#login-submit")
        # The first map of a fresh Chromium compiles its shaders in software: be patient.
        page.wait_for_selector("body[data-ready=true]", timeout=45_000)
        if map:
            self.wait_for_map()

    def token(self) -> str:
        return self.page.evaluate("sessionStorage.getItem('blockgrid.token')")

    def api(self, path: str) -> Any:
        """Call the API with the page's own token (to find test targets)."""
        response = httpx.get(
            f"{self.base_url}{path}",
            timeout=20,
            headers={"Authorization": f"Bearer {self.token()}"},
        )
        response.raise_for_status()
        return response.json()

    def api_post(self, path: str, body: dict, headers: dict | None = None) -> httpx.Response:
        """POST as the page's user (to change things behind the page's back)."""
        return httpx.post(
            f"{self.base_url}{path}",
            json=body,
            timeout=20,
            headers={"Authorization": f"Bearer {self.token()}", **(headers or {})},
        )

    def console_errors(self, *, allowed_statuses: tuple[int, ...] = ()) -> list[str]:
        """Console errors, less Chromium's notes on HTTP statuses a test provoked."""
        allowed = [f"status of {status} " for status in allowed_statuses]
        return [e for e in self.errors if not any(a in e for a in allowed)]

    # ---- panels and the event views ----------------------------------------------------

    def open_tab(self, panel: str) -> None:
        self.page.click(f"#panel-tabs [data-panel={panel}]")

    def wait_live(self) -> None:
        """Until the live change stream is connected."""
        self.page.wait_for_selector("body[data-live=on]")

    def event_status(self) -> str:
        return self.page.locator("[data-testid=event-detail]").get_attribute("data-status")

    def wait_event_status(self, event_id: int, status: str) -> None:
        self.page.wait_for_selector(
            f"[data-testid=event-detail][data-id='{event_id}'][data-status='{status}']"
        )

    def take_action(
        self, action: str, *, note: str | None = None, department: str | None = None
    ) -> None:
        """Press a workflow step's button, fill in its form, confirm, wait for the answer."""
        page = self.page
        detail = page.locator("[data-testid=event-detail]")
        version = detail.get_attribute("data-version")
        page.click(f"[data-testid=event-actions] [data-action={action}]")
        page.wait_for_selector(f"[data-testid=action-form][data-action={action}]")
        if note is not None:
            page.fill("#action-note", note)
        if department is not None:
            page.select_option("#action-department", department)
        page.click("#action-submit")
        page.wait_for_function(
            "v => { const d = document.querySelector('[data-testid=event-detail]');"
            " return d && d.dataset.version !== v && !document.querySelector("
            "'[data-testid=action-form]'); }",
            arg=version,
        )

    def timeline(self) -> list[str]:
        """The workflow steps in the open event's history, oldest first."""
        return self.page.locator("[data-testid=timeline] > li").evaluate_all(
            "items => items.map(li => li.dataset.action)"
        )

    # ---- the map -----------------------------------------------------------------------

    def wait_for_map(self) -> None:
        """Until the map has stopped moving and drawn every tile in view."""
        self.page.evaluate("window.blockgrid.whenIdle()")
        self.page.wait_for_function(
            "() => { const m = window.blockgrid.map;"
            " return m.loaded() && !m.isMoving() && m.areTilesLoaded(); }"
        )

    def wait_for_panel(self, code: str) -> None:
        self.page.wait_for_selector(f"#panel-body > [data-code='{code}']")

    def map_box(self) -> dict[str, float]:
        return self.page.locator("#map").bounding_box()

    def drawn_share(self, name: str) -> float:
        """Screenshot the map; the share of sampled pixels that are not plain background."""
        box = self.map_box()
        png = self.page.screenshot(path=self.artifacts / f"{name}-map.png", clip=box)
        image = read_png(png)

        def drawn(rgb: tuple[int, int, int]) -> bool:
            return max(abs(a - b) for a, b in zip(rgb, MAP_BACKGROUND, strict=True)) > 24

        matching, sampled = image.count((0, 0, image.width, image.height), drawn, step=3)
        return matching / max(sampled, 1)

    def project(self, lon: float, lat: float) -> dict[str, float]:
        """Page coordinates of a point on the map."""
        point = self.page.evaluate(
            "([lon, lat]) => window.blockgrid.map.project([lon, lat])", [lon, lat]
        )
        box = self.map_box()
        return {"x": box["x"] + point["x"], "y": box["y"] + point["y"]}

    def jump_to(self, lon: float, lat: float, zoom: float) -> None:
        self.page.evaluate(
            "([lon, lat, zoom]) => window.blockgrid.map.jumpTo({center: [lon, lat], zoom})",
            [lon, lat, zoom],
        )
        self.wait_for_map()

    def breadcrumb(self) -> list[str]:
        return self.page.locator("#breadcrumb .crumb").all_inner_texts()

    def screenshot(self, name: str) -> Path:
        path = self.artifacts / f"{name}.png"
        self.page.screenshot(path=path)
        return path
