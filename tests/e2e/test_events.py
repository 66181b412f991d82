"""The event views in real headless Chromium (issues 5 and 6): a case reported on a phone by
tapping the map, accepted, dispatched, handled, verified and closed by four accounts in
their own browsers, with live updates between them; stale steps; the list's filters.
"""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.dashboard import PHONE, Dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORKFLOW = ["report", "accept", "dispatch", "start", "report_done", "verify_pass", "close"]


def tiny_png(path) -> None:
    """A 64×48 orange PNG, a stand-in for a photo taken on site."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes((214, 96, 40)) * 64 for _ in range(48))
    header = struct.pack(">IIBBBBB", 64, 48, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def assert_clean(dashboard: Dashboard, *allowed_statuses: int) -> None:
    errors = dashboard.console_errors(allowed_statuses=allowed_statuses)
    assert errors == [], "\n".join(errors)


def mark_page(dashboard: Dashboard) -> None:
    """Leave a mark in the page's memory: it survives everything but a reload."""
    dashboard.page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(dashboard: Dashboard) -> None:
    assert dashboard.page.evaluate("window.__notReloaded === true"), "the page was reloaded"


def report_category(worker: Dashboard, department_id: int) -> dict:
    """A category the department handles by default (so dispatching lands in its inbox)."""
    categories = worker.api("/api/event-categories")
    return next(c for c in categories if c["default_department_id"] == department_id)


def test_case_goes_through_the_workflow_in_four_browsers(open_dashboard, artifacts, tmp_path):
    # Three browsers: the command centre watching the worker's grid, the worker on a phone,
    # the department on its inbox.
    admin = open_dashboard()
    admin.login("demo-admin")
    worker = open_dashboard(phone=True)
    worker.login("demo-worker")
    dept = open_dashboard()
    dept.login("demo-dept")
    grid = worker.api("/auth/me")["grid_codes"][0]
    grid_area = worker.api(f"/api/areas/{grid}")
    department = dept.api("/auth/me")["department_id"]
    category = report_category(worker, department)
    dept.page.wait_for_selector("[data-view=inbox]")
    dept.wait_live()
    mark_page(dept)

    admin.page.evaluate("code => window.blockgrid.navigate({area: code})", grid)
    admin.wait_for_panel(grid)
    admin.wait_for_map()
    admin.open_tab("events")
    admin.page.wait_for_selector("[data-testid=event-list], [data-testid=event-list-empty]")
    admin.wait_live()
    mark_page(admin)

    # An earlier report of the same kind at the same place: the new one will be flagged.
    lon, lat = grid_area["centroid"]
    earlier = worker.api_post(
        "/api/events",
        {"category_id": category["id"], "title": "早先上报的同类事件", "lon": lon, "lat": lat},
        {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert earlier.status_code == 201, earlier.text

    # 1. The grid worker, on a phone, taps 上报事件 and then the place on the map.
    page = worker.page
    worker.wait_for_panel(grid)
    worker.wait_live()
    mark_page(worker)
    page.tap("#report-button")
    page.wait_for_selector("#pick-banner:not([hidden])")
    point = worker.project(lon, lat)
    page.touchscreen.tap(point["x"], point["y"])
    page.wait_for_selector("[data-testid=report-form]")
    page.select_option("#report-category", str(category["id"]))
    assert page.input_value("#report-title") == category["name"]
    page.fill("#report-title", f"{category['name']}（浏览器测试）")
    page.fill("#report-description", "巡查发现，需尽快处置。")
    photo = tmp_path / "site.png"
    tiny_png(photo)
    page.set_input_files("#report-photos", str(photo))
    page.wait_for_selector("[data-testid=report-photos] img")

    # The form fits the phone: no sideways scrolling, big touch targets, full-height sheet.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("#sheet").get_attribute("data-state") == "full"
    for selector in ("#report-category", "#report-title", "#report-submit"):
        assert page.locator(selector).bounding_box()["height"] >= 40, selector
    worker.screenshot("event-report-form-phone")

    def event_tiles(dashboard: Dashboard) -> int:
        return sum("/tiles/events/" in url for _, url in dashboard.tile_statuses)

    tiles_before = event_tiles(admin)
    page.tap("#report-submit")
    result = page.wait_for_selector("[data-testid=report-result]")
    event_id = int(result.get_attribute("data-id"))
    code = result.get_attribute("data-code")
    page.wait_for_selector("[data-testid=report-uploads] >> text=1/1")
    duplicates = page.locator("[data-testid=report-duplicates]")
    assert "附近24小时内已有同类事件" in duplicates.inner_text()
    assert duplicates.locator(f".duplicate-link[data-id='{earlier.json()['id']}']").count() == 1
    worker.screenshot("event-report-result-phone")
    page.tap("#report-open")
    worker.wait_event_status(event_id, "reported")
    page.wait_for_selector("[data-testid=event-photos] img[src^='blob:']")
    assert worker.timeline() == ["report"]
    assert page.locator("[data-testid=event-actions]").count() == 0  # nothing for her to do

    # 2. The command centre sees it arrive without reloading (list and map), accepts and
    # dispatches it.
    row = admin.page.wait_for_selector(f"[data-testid=event-list] [data-code='{code}']")
    assert_not_reloaded(admin)
    row.click()
    admin.wait_event_status(event_id, "reported")
    actions = admin.page.locator("[data-testid=event-actions] [data-action]")
    assert set(actions.evaluate_all("bs => bs.map(b => b.dataset.action)")) == {
        "accept",
        "reject",
        "merge",
    }
    admin.take_action("accept", note="情况属实，立案")
    assert admin.event_status() == "accepted"
    admin.take_action("dispatch")  # the picker's default: the routing rules
    assert admin.event_status() == "dispatched"
    detail = admin.page.locator("[data-testid=event-detail]").inner_text()
    assert "深圳市城市管理和综合执法局" in detail
    admin.screenshot("event-admin-dispatched")
    assert event_tiles(admin) > tiles_before, "the events tiles were not refreshed"

    # 3. The department's inbox shows it without reloading; it starts and reports it done.
    dept.page.click(f"[data-testid=inbox-list] [data-code='{code}']")
    assert_not_reloaded(dept)
    dept.wait_event_status(event_id, "dispatched")
    assert set(
        dept.page.locator("[data-testid=event-actions] [data-action]").evaluate_all(
            "bs => bs.map(b => b.dataset.action)"
        )
    ) == {"start", "report_done", "return"}
    dept.take_action("start")
    dept.take_action("report_done", note="已清理完毕")
    assert dept.event_status() == "handled"
    dept.screenshot("event-dept-handled")

    # 4. The worker's open detail follows live; she verifies on site.
    worker.wait_event_status(event_id, "handled")
    assert_not_reloaded(worker)
    worker.take_action("verify_pass", note="现场核查已处置")
    assert worker.event_status() == "verified"
    worker.screenshot("event-worker-verified-phone")

    # 5. The command centre, still on the same page, closes it.
    admin.wait_event_status(event_id, "verified")
    assert_not_reloaded(admin)
    admin.take_action("close")
    assert admin.event_status() == "closed"
    assert admin.timeline() == WORKFLOW
    history = admin.page.locator("[data-testid=timeline]").inner_text()
    for text in ("上报", "受理立案", "派遣", "开始处置", "处置反馈", "核查通过", "结案"):
        assert text in history
    for text in ("网格员", "市级管理员", "职能部门处置人员", "已清理完毕", "情况属实，立案"):
        assert text in history
    assert admin.page.locator("[data-testid=event-actions]").count() == 0
    admin.wait_for_map()
    admin.screenshot("event-admin-closed")

    # The API agrees with what the pages show.
    final = admin.api(f"/api/events/{event_id}")
    assert final["status"] == "closed"
    assert [a["action"] for a in final["actions"]] == WORKFLOW
    assert len(final["attachments"]) == 1
    for dashboard in (admin, worker, dept):
        assert_clean(dashboard)


def test_stale_step_is_refused_and_the_event_reloaded(open_dashboard):
    admin = open_dashboard()
    admin.login("demo-admin")
    worker = open_dashboard()
    worker.login("demo-worker")
    grid = worker.api("/auth/me")["grid_codes"][0]
    lon, lat = worker.api(f"/api/areas/{grid}")["centroid"]
    categories = worker.api("/api/event-categories")
    created = worker.api_post(
        "/api/events",
        {"category_id": categories[0]["id"], "title": "并发办理测试", "lon": lon, "lat": lat},
    )
    assert created.status_code == 201, created.text
    event = created.json()

    page = admin.page
    admin.wait_live()
    admin.open_tab("events")
    page.fill("#event-q", event["code"])
    page.click(f"[data-testid=event-list] [data-code='{event['code']}']")
    admin.wait_event_status(event["id"], "reported")

    # A note is asked for before rejecting.
    page.click("[data-testid=event-actions] [data-action=reject]")
    page.click("#action-submit")
    assert page.locator("[data-testid=action-message]").inner_text() == "请填写办理说明。"
    page.click("[data-testid=action-form] .btn:not(.btn-primary)")  # cancel

    # The admin starts to accept; meanwhile the same event is accepted elsewhere.
    page.click("[data-testid=event-actions] [data-action=accept]")
    page.fill("#action-note", "我来受理")
    etag = f'"e{event["id"]}v{event["version"]}"'
    other = admin.api_post(
        f"/api/events/{event['id']}/actions", {"action": "accept"}, {"If-Match": etag}
    )
    assert other.status_code == 200, other.text
    # The live stream says so without touching the half-written step.
    page.wait_for_selector("[data-testid=event-message] >> text=新进展")
    assert page.input_value("#action-note") == "我来受理"
    page.click("#action-submit")
    message = page.wait_for_selector("[data-testid=event-message]:has-text('已被他人修改')")
    assert "刷新" in message.inner_text()
    admin.wait_event_status(event["id"], "accepted")
    assert "accept" not in page.locator("[data-testid=event-actions]").inner_html()
    admin.screenshot("event-stale-step")
    assert_clean(admin, 412)
    assert_clean(worker)


def test_events_list_filters_and_pages(open_dashboard):
    dashboard = open_dashboard()
    dashboard.login("demo-futian")
    page = dashboard.page
    dashboard.wait_for_panel("440304")
    dashboard.open_tab("events")
    page.wait_for_selector("[data-testid=event-list]")

    def shown_total() -> int:
        text = page.locator("[data-testid=events-total]").inner_text()
        return int(text.removeprefix("共 ").removesuffix(" 件").replace(",", ""))

    def expect(query: str) -> None:
        total = dashboard.api(f"/api/events?area=440304&limit=1&{query}")["total"]
        page.wait_for_function(
            "n => { const el = document.querySelector('[data-testid=events-total]');"
            " return el && el.textContent.replace(/[^0-9]/g, '') === String(n)"
            " && !document.querySelector('.events-panel[data-loading]'); }",
            arg=total,
        )
        assert shown_total() == total, query

    expect("")
    page.select_option("#event-status", "handling")
    expect("status=handling")
    rows = page.locator("[data-testid=event-list] .event-row")
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.status)")) == {"handling"}
    page.select_option("#event-status", "")
    page.check("#event-overdue")
    expect("overdue=true")
    overdue = rows.evaluate_all("rs => rs.map(r => r.dataset.overdue)")
    assert overdue and set(overdue) == {"true"}
    dashboard.screenshot("events-overdue")
    page.uncheck("#event-overdue")
    page.check("#event-open")
    expect("open=true")
    page.uncheck("#event-open")
    page.select_option("#event-major", "09")
    expect("major=09")
    page.select_option("#event-source", "hotline")
    expect("major=09&source=hotline")
    page.select_option("#event-major", "")
    page.select_option("#event-source", "")

    # Paging: 20 a page.
    expect("")
    assert rows.count() == 20
    first_page = rows.evaluate_all("rs => rs.map(r => r.dataset.id)")
    page.click("#events-next")
    page.wait_for_selector("[data-testid=events-range] >> text=第 21–40 件")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.id)") != first_page
    page.click("#events-prev")
    page.wait_for_selector("[data-testid=events-range] >> text=第 1–20 件")

    # Text search by code.
    code = dashboard.api("/api/events?area=440304&limit=1&offset=7")["items"][0]["code"]
    page.fill("#event-q", code)
    expect(f"q={code}")
    assert rows.count() == 1 and rows.first.get_attribute("data-code") == code

    # The area filter follows the drill-down: a street of 福田.
    page.fill("#event-q", "")
    street = dashboard.api("/api/areas/440304/children")["children"][0]["code"]
    page.evaluate("code => window.blockgrid.navigate({area: code})", street)
    page.wait_for_selector(f"#breadcrumb .crumb-current[data-code='{street}']")
    total = dashboard.api(f"/api/events?area={street}&limit=1")["total"]
    page.wait_for_function(
        "n => document.querySelector('[data-testid=events-total]')"
        ".textContent.replace(/[^0-9]/g, '') === String(n)",
        arg=total,
    )
    assert page.locator("#event-area").is_checked()

    # A click on an event point on the map opens its detail in the events panel.
    target = dashboard.api(f"/api/events?area={street}&limit=1")["items"][0]
    dashboard.jump_to(target["lon"], target["lat"], 17.5)
    point = dashboard.project(target["lon"], target["lat"])
    page.mouse.click(point["x"], point["y"])
    detail = page.wait_for_selector("[data-testid=event-detail]")
    opened = dashboard.api(f"/api/events/{detail.get_attribute('data-id')}")
    assert abs(opened["lon"] - target["lon"]) < 2e-4 and abs(opened["lat"] - target["lat"]) < 2e-4
    dashboard.wait_for_map()
    dashboard.screenshot("events-map-click")
    assert_clean(dashboard)
