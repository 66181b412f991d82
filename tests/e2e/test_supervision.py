"""The supervisor's views in real headless Chromium (issues 5 and 6): the evaluation
indicators with the department league, and hotspot mode with its tile layer, ranked
units, a unit's weekly chart and events, and the repeat locations.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.dashboard import Dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def assert_rate(shown: str, rate: float | None, what: str) -> None:
    """``shown`` is ``rate`` as a percentage with one decimal ("—" when there is none)."""
    if rate is None:
        assert shown == "—", what
    else:
        assert abs(float(shown.removesuffix("%")) - rate * 100) <= 0.05 + 1e-9, (what, shown)


def assert_clean(dashboard: Dashboard) -> None:
    assert dashboard.errors == [], "\n".join(dashboard.errors)


def test_indicators_show_the_rates_and_the_league(open_dashboard):
    dashboard = open_dashboard()
    dashboard.login("demo-futian")
    page = dashboard.page
    dashboard.wait_for_panel("440304")
    dashboard.open_tab("indicators")
    rates = page.wait_for_selector("[data-testid=indicator-rates]")
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    expected = dashboard.api(f"/api/indicators?area=440304&period={month}")
    assert page.input_value("#indicator-period") == month
    for rate, value in expected["rates"].items():
        card = page.locator(f"[data-testid=indicator-rates] [data-rate={rate}] .rate-value")
        assert_rate(card.inner_text(), value, rate)
    text = rates.inner_text()
    for label in ("结案率", "按期结案率", "返工率", "按时立案率", "准确派遣率"):
        assert label in text
    counts = expected["counts"]
    closure = page.locator("[data-rate=closure_rate] .rate-formula").inner_text()
    assert closure == f"{counts['closed']} / {counts['due'] - counts['postponed']}"
    mean = page.locator("[data-testid=mean-hours] .kpi-value").inner_text()
    assert expected["mean_handling_hours"] is None or mean.endswith("小时")

    # The league table, ranked as the API ranks it, and its chart.
    page.wait_for_selector("[data-testid=league-chart][data-ready]")
    rows = page.locator("[data-testid=league-table] tbody tr")
    assert rows.count() == len(expected["departments"])
    if expected["departments"]:
        assert expected["departments"][0]["department"] in rows.first.inner_text()
    page.locator("[data-testid=league-table]").scroll_into_view_if_needed()
    dashboard.screenshot("indicators-futian")

    # The previous month is one click away.
    page.click("#period-prev")
    page.wait_for_selector(".indicators-panel:not([data-period='" + month + "'])")
    previous = page.locator(".indicators-panel").get_attribute("data-period")
    earlier = dashboard.api(f"/api/indicators?area=440304&period={previous}")
    shown = page.locator("[data-rate=on_time_closure_rate] .rate-value").inner_text()
    assert_rate(shown, earlier["rates"]["on_time_closure_rate"], "previous month")

    # In English too.
    page.click("#lang-toggle")
    page.wait_for_selector("[data-testid=indicator-rates] >> text=Accurate dispatch rate")
    page.click("#lang-toggle")
    page.wait_for_selector("[data-testid=indicator-rates] >> text=准确派遣率")
    assert_clean(dashboard)


def test_hotspot_mode_lists_units_and_draws_the_layer(open_dashboard):
    dashboard = open_dashboard()
    dashboard.login("demo-futian")
    page = dashboard.page
    dashboard.wait_for_panel("440304")
    url = "/api/hotspots?unit=grid&window=30&area=440304"
    # A run's window ends on a 10-minute boundary: the page's run is the one asked for
    # just before opening the tab, or (across a boundary) the one just after.
    before = dashboard.api(url)
    dashboard.open_tab("hotspots")
    page.wait_for_selector("[data-testid=hotspot-list]")
    shown = page.locator("[data-testid=hotspot-list] .hotspot-row").evaluate_all(
        "rows => rows.map(r => [r.dataset.unit, Number(r.dataset.bin)])"
    )
    after = dashboard.api(url)
    matching = [
        run
        for run in (before, after)
        if shown[:10] == [[u["unit_id"], u["gi_bin"]] for u in run["units"][:10]]
    ]
    assert matching, f"the list shows {shown[:3]}…, neither run around it"
    expected = matching[0]
    assert shown[0][1] != 0, "significant units come first"

    # The layer: tiles of the chosen analysis, drawn as a fill, with its legend.
    dashboard.wait_for_map()
    hotspot_tiles = [(s, url) for s, url in dashboard.tile_statuses if "/tiles/hotspots/" in url]
    assert any(status == 200 for status, _ in hotspot_tiles), hotspot_tiles[:3]
    # the tiles draw the very run the list shows, computed once by /api/hotspots
    assert all(url.endswith(f"?run={expected['run_id']}") for _, url in hotspot_tiles)
    drawn = page.evaluate(
        "window.blockgrid.map.queryRenderedFeatures({layers: ['hotspots-fill']})"
        ".map(f => f.properties.gi_bin)"
    )
    assert drawn and any(b > 0 for b in drawn)
    assert page.locator("#hotspot-legend:not([hidden])").inner_text().startswith("热点分析")
    dashboard.screenshot("hotspots-futian")

    # A click on a hot unit on the map opens it (events hidden so that they cannot take it).
    page.click("#layers-button")
    page.locator("#layer-toggle-events").uncheck()
    page.click("#layers-panel .layers-head .icon-button")
    hot = page.evaluate(
        """() => {
          const f = window.blockgrid.map.queryRenderedFeatures({layers: ['hotspots-fill']})
            .find(f => f.properties.gi_bin > 0 && f.geometry.type === 'Polygon');
          const ring = f.geometry.coordinates[0].slice(0, -1);
          const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
          const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
          return {unit: f.properties.unit_id, lon, lat};
        }"""
    )
    point = dashboard.project(hot["lon"], hot["lat"])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(f"[data-testid=hotspot-unit][data-unit='{hot['unit']}']")
    page.click("[data-testid=hotspot-unit] .back-button")
    page.click("#layers-button")
    page.locator("#layer-toggle-events").check()
    page.click("#layers-panel .layers-head .icon-button")

    # H3 hexagons at a chosen resolution.
    page.click("[data-testid=hotspot-unit] label:has-text('H3')")
    page.wait_for_selector(".hotspots-panel[data-unit-type=h3] [data-testid=hotspot-list]")
    h3_tiles = page.evaluate("window.blockgrid.map.getSource('hotspots').tiles[0]")
    page.select_option("#hotspot-resolution", "8")
    page.wait_for_function(
        "(before) => window.blockgrid.map.getSource('hotspots').tiles[0] !== before", arg=h3_tiles
    )
    page.wait_for_selector(".hotspots-panel[data-unit-type=h3] [data-testid=hotspot-list]")
    rows = page.locator("[data-testid=hotspot-list] .hotspot-row")
    hexagon = rows.first.get_attribute("data-unit")
    assert len(hexagon) == 15 and int(hexagon, 16)
    dashboard.wait_for_map()
    dashboard.screenshot("hotspots-h3")

    # Another window and unit: the list and the layer follow.
    page.click("[data-testid=hotspot-window] label:has-text('近90天')")
    page.click("[data-testid=hotspot-unit] label:has-text('社区')")
    page.wait_for_selector(".hotspots-panel[data-unit-type=community] [data-testid=hotspot-list]")
    dashboard.wait_for_map()
    tiles = page.evaluate("window.blockgrid.map.getSource('hotspots').tiles[0]")
    community = dashboard.api("/api/hotspots?unit=community&window=90&area=440304")
    assert tiles.endswith(f"?run={community['run_id']}")
    page.click("[data-testid=hotspot-unit] label:has-text('网格')")
    page.click("[data-testid=hotspot-window] label:has-text('近30天')")
    page.wait_for_selector(".hotspots-panel[data-unit-type=grid] [data-testid=hotspot-list]")

    # A unit: weekly chart, its events, then all of them in the events panel.
    unit = next(u for u in expected["units"] if u["events"] > 0 and u["gi_bin"] > 0)
    page.click(f"[data-testid=hotspot-list] [data-unit='{unit['unit_id']}']")
    page.wait_for_selector(f"[data-testid=hotspot-unit][data-unit='{unit['unit_id']}']")
    page.wait_for_selector("[data-testid=hotspot-chart][data-ready]")
    page.wait_for_selector("[data-testid=hotspot-events] .event-row")
    assert page.evaluate(
        "id => JSON.stringify(window.blockgrid.map.getFilter('hotspots-selected')).includes(id)",
        unit["unit_id"],
    )
    dashboard.wait_for_map()
    dashboard.screenshot("hotspot-unit")
    window_start = expected["params"]["window_start"]
    total = dashboard.api(
        f"/api/events?area={unit['unit_id']}&reported_from={window_start.replace('+', '%2B')}"
        "&limit=1"
    )["total"]
    page.click("[data-testid=hotspot-open-events]")
    page.wait_for_selector(f"#breadcrumb .crumb-current[data-code='{unit['unit_id']}']")
    page.wait_for_function(
        "n => { const el = document.querySelector('[data-testid=events-total]');"
        " return el && el.textContent.replace(/[^0-9]/g, '') === String(n); }",
        arg=total,
    )
    assert page.locator("#event-area").is_checked()
    first = page.locator("[data-testid=event-list] .event-row").first
    first.click()
    page.wait_for_selector("[data-testid=event-detail]")

    # Repeat locations open the building card.
    if expected["repeat_locations"]:
        dashboard.open_tab("hotspots")
        page.click("[data-testid=hotspot-unit] .back-button")
        repeat = expected["repeat_locations"][0]
        page.click(f"[data-testid=repeat-locations] [data-code='{repeat['building_code']}']")
        page.wait_for_selector(
            f"[data-testid=building-card][data-code='{repeat['building_code']}']"
        )
    assert_clean(dashboard)
