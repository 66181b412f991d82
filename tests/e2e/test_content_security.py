"""Our HTML pages work under their Content-Security-Policy in a real Chromium: the API docs
(Swagger UI from our own origin) and a grid's folium briefing map (issue 14, finding 7).
A CSP violation is a console error and a ``securitypolicyviolation`` event: both fail."""

from __future__ import annotations

import httpx

from tests.e2e.dashboard import DEMO_PASSWORD

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
"""


def open_page(browser, url: str, *, headers: dict | None = None):
    context = browser.new_context(extra_http_headers=headers or {})
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    # a failed resource is reported by the response hook with its URL; the console line
    # without one is Chromium's own /favicon.ico request
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and problems.append(m.text)
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on(
        "request",
        lambda r: not r.url.startswith(url.split("/", 3)[0]) and problems.append(r.url),
    )
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.add_init_script(REPORT_VIOLATIONS)
    page.goto(url)
    return page, problems


def test_swagger_ui_renders_from_our_origin_without_violations(browser, base_url):
    page, problems = open_page(browser, f"{base_url}/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 40
    page.click(".opblock-summary >> nth=0")
    page.wait_for_selector(".opblock-body")
    page.click("button.authorize")
    page.wait_for_selector(".auth-container input[type=password]")
    colour = page.eval_on_selector(
        ".opblock-summary-method", "el => getComputedStyle(el).backgroundColor"
    )
    assert colour != "rgba(0, 0, 0, 0)"  # swagger-ui.css applied
    assert problems == []
    page.context.close()


def test_the_briefing_map_draws_under_its_policy(browser, base_url):
    token = httpx.post(
        f"{base_url}/auth/token", data={"username": "demo-worker", "password": DEMO_PASSWORD}
    ).json()["access_token"]
    me = httpx.get(f"{base_url}/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    grid = me["scope_code"]
    assert len(grid) == 14
    page, problems = open_page(
        browser, f"{base_url}/maps/grids/{grid}.html", headers={"Authorization": f"Bearer {token}"}
    )
    page.wait_for_selector(".leaflet-container path")
    assert page.locator(".leaflet-container path").count() >= 1  # at least the boundary
    assert problems == []
    page.context.close()
