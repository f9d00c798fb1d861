"""The dashboard in real Chromium: each role signs in, filters, opens a finding, acts on it, reads the history."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from monitor.store import RecheckRequest
from tests.conftest import need_service
from tests.webserver import EDU, HEALTH, HOSTILE, PASSWORD, running_dashboard

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        need_service(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield b
        b.close()


@pytest.fixture
def dash(tmp_path):
    with running_dashboard(tmp_path) as d:
        yield d


class Page:
    """A browser tab that records dialogs and console errors (CSP violations show up there)."""

    def __init__(self, browser, base):
        self.ctx = browser.new_context(base_url=base)
        self.page = self.ctx.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def login(self, username: str, password: str = PASSWORD):
        self.page.goto("/")
        assert "/login" in self.page.url
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("form[action='/login'] button[type=submit]")
        self.page.wait_for_load_state()
        return self.page

    def close(self):
        self.ctx.close()


def history_rows(page) -> list[list[str]]:
    return [[c.strip() for c in row.locator("td").all_inner_texts()] for row in page.locator("#history tbody tr").all()]


def test_auditor_filters_opens_changes_status_and_sees_history(browser, dash):
    base, store, ids = dash
    tab = Page(browser, base)
    page = tab.login("auditor1")
    # overview: every unit, with its counts
    units = {
        r.locator("td").first.inner_text(): r.locator("td").all_inner_texts()
        for r in page.locator("#units tbody tr").all()
    }
    # open, overdue, fixed this month, veto, submitted, to re-check, 整改率
    assert units[EDU][1:] == ["3", "1", "0", "1", "0", "0", "0.0%"]
    assert units[HEALTH][1:] == ["3", "0", "1", "0", "0", "0", "25.0%"]
    assert page.locator("figure.chart svg rect").count() == 24
    # filter the list by unit and month
    page.click("nav >> text=问题清单")
    page.select_option("select[name=unit]", HEALTH)
    page.fill("input[name=month]", "2026-10")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#total").inner_text() == "3"
    assert set(page.locator("#findings tbody tr td:nth-child(4)").all_inner_texts()) == {HEALTH}
    # open one, declare it 无法整改 with a reason, extend the deadline, add a note
    page.click(f"#findings a[href='/findings/{ids['health1']}'] >> nth=0")
    page.wait_for_url(f"**/findings/{ids['health1']}")
    page.fill("#deadline-form input[name=deadline]", "2026-12-31")
    page.fill("#deadline-form input[name=reason]", "门户改版")
    page.click("#deadline-form button")
    page.wait_for_load_state()
    assert page.locator("#deadline").inner_text() == "2026-12-31"
    page.select_option("#status-form select[name=to]", "无法整改")
    page.fill("#status-form input[name=reason]", "网站已关停并入门户")
    page.click("#status-form button")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "无法整改"
    page.fill("#note-form input[name=text]", "已电话督促")
    page.click("#note-form button")
    page.wait_for_load_state()
    rows = history_rows(page)
    assert [r[1:] for r in rows] == [
        ["系统检查", "待整改", "首次发现"],
        ["auditor1", "待整改（不变）", "整改期限设为 2026-12-31：门户改版"],
        ["auditor1", "待整改 → 无法整改", "网站已关停并入门户"],
        ["auditor1", "无法整改（不变）", "已电话督促"],
    ]
    # a closed finding's deadline is not moved any more: the page says so instead of failing
    page.fill("#deadline-form input[name=deadline]", "2027-01-31")
    page.fill("#deadline-form input[name=reason]", "再延期")
    page.click("#deadline-form button")
    page.wait_for_load_state()
    assert "无需调整整改期限" in page.content()
    assert page.locator("#deadline").inner_text() == "2026-12-31"
    assert all(r[0].startswith("20") for r in rows)  # when
    assert tab.errors == []  # no Content-Security-Policy violation on any page visited
    tab.close()


def test_unit_user_sees_only_its_unit_and_submits_a_fix(browser, dash):
    base, store, ids = dash
    tab = Page(browser, base)
    page = tab.login("edu1")
    assert EDU in page.locator("#whoami").inner_text()
    assert [r.locator("td").first.inner_text() for r in page.locator("#units tbody tr").all()] == [EDU]
    page.goto(f"/findings?unit={HEALTH}")
    assert page.locator("select[name=unit]").count() == 0
    assert set(page.locator("#findings tbody tr td:nth-child(4)").all_inner_texts()) == {EDU}
    assert page.locator("#total").inner_text() == "3"
    # another unit's finding, by link or id: not found
    resp = page.goto(f"/findings/{ids['health0']}")
    assert resp.status == 404 and "没有这个问题" in page.content()
    # its own: mark 已提交整改 with a note; no auditor forms here
    page.goto(f"/findings/{ids['edu']}")
    assert page.locator("#status-form").count() == 0
    page.fill("#submit-form input[name=text]", "已删除失效链接")
    page.click("#submit-form button")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "已提交整改"
    assert history_rows(page)[-1][1:] == ["edu1", "待整改 → 已提交整改", "已删除失效链接"]
    assert "等待复查" in page.locator("#rechecks").inner_text()
    with store.session() as s:
        assert s.scalars(select(RecheckRequest.finding_id)).all() == [ids["edu"]]
    tab.close()


def test_hostile_crawled_text_shows_as_text(browser, dash):
    base, _, ids = dash
    tab = Page(browser, base)
    page = tab.login("auditor1")
    page.goto("/findings")
    assert HOSTILE in page.locator("#findings").inner_text()
    page.goto(f"/findings/{ids['hostile']}")
    assert page.locator("#subject").inner_text() == HOSTILE
    assert page.locator("#evidence").inner_text() == '<img src=x onerror="alert(2)">'
    assert page.locator("#summary script, #summary img").count() == 0
    assert page.locator("#summary a[href^='javascript']").count() == 0
    page.wait_for_timeout(300)
    assert tab.dialogs == []
    tab.close()


def test_admin_creates_a_unit_account_that_can_sign_in(browser, dash):
    base, _, _ = dash
    tab = Page(browser, base)
    page = tab.login("admin1")
    page.click("nav >> text=账号与单位")
    page.fill("#add-user input[name=username]", "wang")
    page.fill("#add-user input[name=password]", "another-pass-1")
    page.select_option("#add-user select[name=role]", "unit")
    page.select_option("#add-user select[name=unit]", HEALTH)
    page.click("#add-user button")
    page.wait_for_load_state()
    assert "wang" in page.locator("table#accounts").inner_text()
    page.click("header form button")  # 退出
    page.wait_for_load_state()
    tab.login("wang", "another-pass-1")
    assert HEALTH in page.locator("#whoami").inner_text()
    assert page.goto("/admin/users").status == 403
    tab.close()


def test_every_dashboard_page_renders_and_is_screenshotted(browser, dash, tmp_path):
    """Each page in real Chromium for a person to look at (MONITOR_SCREENSHOTS=folder keeps the PNGs): no
    console error, no page wider than the window, Chinese labels where JSON keys and slugs used to be."""
    from pathlib import Path

    base, store, ids = dash
    out = Path(os.environ.get("MONITOR_SCREENSHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    pages = {
        "auditor": [
            ("overview", "/"),
            ("findings", "/findings?status=open"),
            ("finding", f"/findings/{ids['edu_veto']}"),
            ("notices", "/notices"),
            ("rules", "/rules"),
            ("sites", "/sites"),
        ],
        "edu1": [("unit-notices", "/notices"), ("unit-findings", "/findings")],
    }
    for user, visits in pages.items():
        tab = Page(browser, base)
        try:
            p = tab.login("auditor1" if user == "auditor" else user)
            p.set_viewport_size({"width": 1280, "height": 900})
            for name, url in visits:
                resp = p.goto(url)
                assert resp.status == 200, (url, resp.status)
                overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 2, (url, overflow)
                shot = out / f"dashboard-{name}.png"
                p.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 10_000
            assert not tab.errors, tab.errors
        finally:
            tab.close()
    rules = (out / "dashboard-rules.png").exists()
    assert rules
