"""The map dashboard in real headless Chromium: sign-in, tiles, drill-down, building card,
phone layout and the English switch (issue 4, part 7). Screenshots go to test-artifacts/e2e/.
"""

from __future__ import annotations

import contextlib
import re

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.dashboard import Dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def open_dashboard(browser, base_url, artifacts):
    opened: list[Dashboard] = []

    def _open(*, phone: bool = False) -> Dashboard:
        dashboard = Dashboard.open(browser, base_url, artifacts, phone=phone)
        opened.append(dashboard)
        return dashboard

    yield _open
    for dashboard in opened:
        dashboard.close()


def assert_tiles_and_canvas(dashboard: Dashboard, name: str) -> None:
    statuses = [status for status, _ in dashboard.tile_statuses]
    assert 200 in statuses, f"no vector tile came back with data: {dashboard.tile_statuses[:5]}"
    failed = [(s, url) for s, url in dashboard.tile_statuses if s not in (200, 204, 304)]
    assert not failed, f"tile requests failed: {failed[:5]}"
    share = dashboard.drawn_share(name)
    assert share > 0.02, f"the map canvas looks blank ({share:.1%} of pixels drawn)"


def assert_no_console_errors(dashboard: Dashboard) -> None:
    assert dashboard.errors == [], "\n".join(dashboard.errors)


def test_grid_worker_opens_on_own_grid_and_building_card(open_dashboard):
    dashboard = open_dashboard()
    dashboard.login("demo-worker")
    me = dashboard.api("/auth/me")
    grid = me["grid_codes"][0]
    page = dashboard.page

    dashboard.wait_for_panel(grid)
    grid_area = dashboard.api(f"/api/areas/{grid}")
    assert dashboard.breadcrumb()[-1] == grid_area["short_name"]
    assert page.locator("#user-role").inner_text() == me["role_label"]
    bounds = page.evaluate("window.blockgrid.map.getBounds().toArray()")
    minx, miny, maxx, maxy = grid_area["bbox"]
    centre = ((minx + maxx) / 2, (miny + maxy) / 2)
    assert bounds[0][0] < centre[0] < bounds[1][0] and bounds[0][1] < centre[1] < bounds[1][1]
    assert_tiles_and_canvas(dashboard, "worker-home")
    dashboard.screenshot("worker-home")

    # The grid's panel lists its buildings; pick the one with most residents.
    listing = dashboard.api(f"/api/areas/{grid}/children")
    assert listing["child_level"] == "building" and listing["buildings"]
    target = max(listing["buildings"], key=lambda b: (b["residents"], b["code"]))
    card = dashboard.api(f"/api/buildings/{target['code']}")

    # Events and entities drawn on top could take the click: switch them off.
    page.click("#layers-button")
    page.wait_for_selector("#layers-panel:not([hidden])")
    for layer in ("events", "entities", "components"):
        checkbox = page.locator(f"#layer-toggle-{layer}")
        if checkbox.is_checked():
            checkbox.uncheck()
    dashboard.screenshot("worker-layers")
    page.click("#layers-panel .layers-head .icon-button")

    lon, lat = card["centroid"]
    dashboard.jump_to(lon, lat, 17.5)
    point = dashboard.project(lon, lat)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(f"[data-testid=building-card][data-code='{card['code']}']")
    title = page.locator("[data-testid=building-card] .area-name").inner_text()
    assert title and dashboard.breadcrumb()[-1] == title
    assert dashboard.breadcrumb()[-2] == grid_area["short_name"]
    text = page.locator("[data-testid=building-card]").inner_text()
    assert card["code"] in text
    # Residents are masked: no full 18-character ID number may appear on the card.
    assert not re.search(r"\b\d{17}[\dX]\b", text)
    if any(room["residents"] for room in card["rooms"]):
        assert "********" in text
    dashboard.wait_for_map()
    dashboard.screenshot("worker-building-card")

    # Closing the card goes back to the grid.
    page.click(".card-close")
    dashboard.wait_for_panel(grid)
    assert_no_console_errors(dashboard)

    # A token the server no longer accepts (idle timeout, signed out elsewhere) sends the
    # user back to the sign-in form with a message.
    token = dashboard.token()
    revoked = httpx.post(
        f"{dashboard.base_url}/auth/logout", headers={"Authorization": f"Bearer {token}"}
    )
    assert revoked.status_code == 204
    with contextlib.suppress(PlaywrightError):  # the page may already be reloading
        page.evaluate("code => window.blockgrid.navigate({area: code})", grid_area["parent_code"])
    page.wait_for_selector("#login-view:not([hidden]) #login-message:not([hidden])")
    assert page.locator("#login-message").inner_text() == "登录已失效，请重新登录"
    assert dashboard.token() is None


def test_supervisor_drills_down_and_back(open_dashboard):
    dashboard = open_dashboard()
    dashboard.login("demo-futian")
    page = dashboard.page
    dashboard.wait_for_panel("440304")
    assert dashboard.breadcrumb() == ["深圳市", "福田区"]
    assert_tiles_and_canvas(dashboard, "futian-home")
    page.wait_for_selector("[data-testid=choropleth-legend]")
    dashboard.screenshot("futian-home")
    district_residents = page.locator("[data-testid=kpis] .kpi-value").first.inner_text()

    # Drill down through the list: a street.
    listing = dashboard.api("/api/areas/440304/children")
    street = max(listing["children"], key=lambda c: c["stats"]["residents"])
    page.click(f"[data-testid=children] [data-code='{street['code']}']")
    dashboard.wait_for_panel(street["code"])
    assert dashboard.breadcrumb() == ["深圳市", "福田区", street["short_name"]]
    assert page.locator("[data-testid=area-name]").inner_text() == street["name"]
    street_residents = page.locator("[data-testid=kpis] .kpi-value").first.inner_text()
    assert street_residents == f"{street['stats']['residents']:,}"
    assert street_residents != district_residents or len(listing["children"]) == 1
    dashboard.wait_for_map()

    # Drill down on the map: click inside one community of the street (events hidden, so
    # that a cluster drawn on top cannot take the click).
    page.click("#layers-button")
    page.locator("#layer-toggle-events").uncheck()
    page.click("#layers-panel .layers-head .icon-button")
    communities = dashboard.api(f"/api/areas/{street['code']}/children")["children"]
    community = communities[0]
    point = dashboard.project(*community["centroid"])
    page.mouse.click(point["x"], point["y"])
    dashboard.wait_for_panel(community["code"])
    assert dashboard.breadcrumb()[-1] == community["short_name"]
    dashboard.wait_for_map()
    dashboard.screenshot("futian-community")

    # The metric picker recolours the map and the legend.
    page.click("#layers-button")
    page.select_option("#metric-select", "elderly")
    page.wait_for_selector("[data-testid=choropleth-legend] >> text=60岁以上老人")
    page.click("#layers-panel .layers-head .icon-button")

    # The breadcrumb goes back up.
    page.click("#breadcrumb button.crumb[data-code='440304']")
    dashboard.wait_for_panel("440304")
    assert dashboard.breadcrumb() == ["深圳市", "福田区"]

    # Address search: type part of a standard address, pick the hit, the card opens.
    address = dashboard.api("/api/addresses?q=4403040&limit=1")[0]
    page.fill("#search-input", address["address"][-8:])
    hit = page.locator(f".search-hit[data-code='{address['building_code']}']")
    hit.click()
    page.wait_for_selector(f"[data-testid=building-card][data-code='{address['building_code']}']")
    dashboard.wait_for_map()
    centre = page.evaluate("window.blockgrid.map.getCenter().toArray()")
    assert abs(centre[0] - address["lon"]) < 0.01 and abs(centre[1] - address["lat"]) < 0.01
    dashboard.screenshot("futian-search")
    assert_no_console_errors(dashboard)


def test_english_switch_is_remembered(open_dashboard):
    dashboard = open_dashboard()
    page = dashboard.page
    page.wait_for_selector("#login-form")
    assert page.locator("#login-submit").inner_text() == "登录"
    page.click("#login-form [data-lang-toggle]")
    assert page.locator("#login-submit").inner_text() == "Sign in"
    assert page.evaluate("document.documentElement.lang") == "en"
    dashboard.login("demo-futian")
    assert page.locator("#logout").inner_text() == "Sign out"
    assert "Residents" in page.locator("[data-testid=kpis]").inner_text()
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#logout").inner_text() == "Sign out"
    dashboard.wait_for_map()
    dashboard.screenshot("futian-english")
    page.click("#lang-toggle")
    assert page.locator("#logout").inner_text() == "退出"
    assert "实有人口" in page.locator("[data-testid=kpis]").inner_text()

    # Signing out revokes the token and returns to the sign-in form.
    token = dashboard.token()
    page.click("#logout")
    page.wait_for_selector("#login-form")
    assert dashboard.token() is None
    after = httpx.get(f"{dashboard.base_url}/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401
    assert_no_console_errors(dashboard)


def test_phone_layout(open_dashboard):
    dashboard = open_dashboard(phone=True)
    dashboard.login("demo-worker")
    page = dashboard.page
    grid = dashboard.api("/auth/me")["grid_codes"][0]
    dashboard.wait_for_panel(grid)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px wide)"
    sheet = page.locator("#sheet").bounding_box()
    assert sheet["y"] > 844 * 0.4 and sheet["y"] + sheet["height"] <= 844 + 1
    map_box = dashboard.map_box()
    assert map_box["width"] == 390 and map_box["height"] > 700, "the map is not full screen"
    assert_tiles_and_canvas(dashboard, "phone-worker")
    dashboard.screenshot("phone-worker")

    # The sheet expands; every building row is a big touch target.
    page.click("#sheet-handle")
    page.wait_for_function("document.querySelector('#sheet').dataset.state === 'full'")
    row = page.locator("[data-testid=buildings] .row").first
    assert row.bounding_box()["height"] >= 44
    code = row.get_attribute("data-code")
    row.tap()
    page.wait_for_selector(f"[data-testid=building-card][data-code='{code}']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    dashboard.wait_for_map()
    dashboard.screenshot("phone-building-card")
    assert_no_console_errors(dashboard)
