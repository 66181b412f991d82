"""The auditor's desk and my account in real Chromium (issue 14: findings 2 and 4)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_auditor_reads_filters_and_exports_the_trail(open_dashboard, artifacts):
    reader = open_dashboard()
    reader.login("demo-worker")  # something to find: a sign-in of the worker
    auditor = open_dashboard()
    auditor.login("demo-auditor", map=False)
    page = auditor.page
    assert page.evaluate("document.body.dataset.mode") == "desk"
    page.wait_for_selector("[data-testid=audit-row]")
    assert page.locator("#map").is_visible() is False
    page.select_option("[data-testid=audit-filters] select >> nth=0", "login")
    page.fill("[data-testid=audit-filters] input >> nth=0", "demo-worker")
    page.click("[data-testid=audit-filters] button[type=submit]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=audit-row]')].length > 0 &&"
        " [...document.querySelectorAll('[data-testid=audit-row] strong')]"
        ".every(e => e.textContent === '登录')"
    )
    rows = page.locator("[data-testid=audit-row]").all_inner_texts()
    assert rows and all("demo-worker" in row for row in rows)
    with page.expect_download() as download_info:
        page.click("[data-testid=audit-export]")
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert exported and {(r["action"], r["username"]) for r in exported} == {
        ("login", "demo-worker")
    }
    page.screenshot(path=str(artifacts / "audit-desk.png"))
    assert auditor.console_errors() == []


def test_changing_my_password_signs_me_out_everywhere(open_dashboard, base_url):
    admin = open_dashboard()
    admin.login("demo-admin")
    street = admin.api("/api/areas/440304/children")["children"][0]["code"]
    created = admin.api_post(
        "/api/users",
        {
            "username": "e2e-changer",
            "display_name": "改密测试",
            "password": "amber-falcon-meadow-7",
            "role": "street_supervisor",
            "scope_code": street,
        },
    )
    assert created.status_code in (201, 409), created.text
    other = httpx.post(
        f"{base_url}/auth/token",
        data={"username": "e2e-changer", "password": "amber-falcon-meadow-7"},
    ).json()["access_token"]
    mine = open_dashboard()
    mine.login("e2e-changer", "amber-falcon-meadow-7")
    page = mine.page
    page.click("#user-menu")
    page.fill("[data-testid=password-form] input[name=current]", "amber-falcon-meadow-7")
    page.fill("[data-testid=password-form] input[name=next]", "1234567890")
    page.fill("[data-testid=password-form] input[name=repeat]", "1234567890")
    page.click("[data-testid=password-form] button[type=submit]")
    page.wait_for_selector("[data-testid=password-form] .form-message:not([hidden])")
    assert "密码过于简单" in page.inner_text("[data-testid=password-form] .form-message")
    page.fill("[data-testid=password-form] input[name=next]", "copper-harbor-lantern-9")
    page.fill("[data-testid=password-form] input[name=repeat]", "copper-harbor-lantern-9")
    page.click("[data-testid=password-form] button[type=submit]")
    page.wait_for_selector("#login-view:not([hidden])")
    assert "密码已修改" in page.inner_text("#login-message")
    stale = httpx.get(f"{base_url}/auth/me", headers={"Authorization": f"Bearer {other}"})
    assert stale.status_code == 401
    mine.login("e2e-changer", "copper-harbor-lantern-9")
    assert mine.console_errors(allowed_statuses=(401, 422)) == []


def test_on_a_phone_my_account_is_one_tap_from_the_header(open_dashboard, artifacts):
    worker = open_dashboard(phone=True)
    worker.login("demo-worker")
    page = worker.page
    button = page.locator("#user-menu")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # inside the phone's width
    header = page.locator(".topbar").bounding_box()
    assert header is not None and header["width"] <= 390  # nothing pushed off screen
    button.click()
    page.wait_for_selector("[data-testid=password-form]")
    assert page.locator("[data-testid=password-form] input[name=current]").is_visible()
    page.screenshot(path=str(artifacts / "account-phone.png"))
    assert worker.console_errors() == []


def test_the_audit_desk_fits_a_phone(open_dashboard, artifacts):
    auditor = open_dashboard(phone=True)
    auditor.login("demo-auditor", map=False)
    page = auditor.page
    page.wait_for_selector("[data-testid=audit-row]")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390  # no sideways scrolling
    export = page.locator("[data-testid=audit-export]").bounding_box()
    page.screenshot(path=str(artifacts / "audit-desk-phone.png"))
    assert export is not None and export["height"] >= 44
    assert auditor.console_errors() == []
