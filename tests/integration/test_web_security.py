"""Dashboard security through a real uvicorn server and httpx: CSRF, roles, unit isolation, rate limit, files."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from sqlalchemy import select

from monitor.check import lifecycle
from monitor.model import FindingStatus
from monitor.store import Finding, FindingEvent, RecheckRequest, Store
from monitor.web import create_app
from tests.conftest import run_monitor
from tests.webserver import (
    EDU,
    EDU_OFFICE,
    HEALTH,
    PASSWORD,
    SECRET,
    TODAY,
    csrf_of,
    fill_store,
    login,
    running_dashboard,
    serve_app,
    web_config,
)


@pytest.fixture
def dash(tmp_path):
    with running_dashboard(tmp_path) as d:
        yield d


def client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, follow_redirects=True, timeout=10)


def test_anonymous_is_sent_to_login(dash):
    base, _, ids = dash
    with client(base) as c:
        r = c.get(f"/findings/{ids['edu']}")
        assert r.url.path == "/login" and "next=%2Ffindings" in str(r.url)


def test_post_without_or_with_wrong_csrf_token_is_refused(dash):
    base, store, ids = dash
    with client(base) as c:
        # the login form itself
        assert c.post("/login", data={"username": "auditor1", "password": PASSWORD}).status_code == 403
        assert login(c, "auditor1").url.path == "/"
        fid = ids["edu"]
        r = c.post(f"/findings/{fid}/status", data={"to": "无法整改", "reason": "x"})
        assert r.status_code == 403 and "校验码" in r.text
        r = c.post(f"/findings/{fid}/status", data={"to": "无法整改", "reason": "x", "csrf_token": "forged"})
        assert r.status_code == 403
        r = c.post(f"/findings/{fid}/note", headers={"X-CSRF-Token": "forged"}, data={"text": "x"})
        assert r.status_code == 403
        # with the session's token it goes through
        token = csrf_of(c.get(f"/findings/{fid}").text)
        r = c.post(f"/findings/{fid}/status", data={"to": "无法整改", "reason": "网站已关停", "csrf_token": token})
        assert r.status_code == 200
    with store.session() as s:
        events = s.scalars(select(FindingEvent).where(FindingEvent.finding_id == fid).order_by(FindingEvent.id)).all()
        assert [(e.actor, e.from_status, e.to_status, e.reason) for e in events[1:]] == [
            ("auditor1", "待整改", "无法整改", "网站已关停")
        ]


def test_session_cookie_flags(tmp_path):
    with running_dashboard(tmp_path, secure_cookies=True) as (base, _, _ids):
        r = httpx.get(base + "/login")
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "unsafe-inline" not in r.headers["content-security-policy"]


def test_unit_user_cannot_see_or_touch_another_units_findings(dash):
    base, store, ids = dash
    with client(base) as c:
        login(c, "edu1")
        listing = c.get("/findings", params={"unit": HEALTH})
        assert listing.status_code == 200
        assert HEALTH not in listing.text.split("<main>")[1]  # forced to its own unit; no other unit shown
        assert f'/findings/{ids["edu"]}"' in listing.text
        other = ids["health0"]
        assert c.get(f"/findings/{other}").status_code == 404
        token = csrf_of(c.get(f"/findings/{ids['edu']}").text)
        r = c.post(f"/findings/{other}/submit", data={"text": "已改", "csrf_token": token})
        assert r.status_code == 404
        # auditor actions and admin pages are not for units
        assert (
            c.post(
                f"/findings/{ids['edu']}/status", data={"to": "已整改", "reason": "x", "csrf_token": token}
            ).status_code
            == 403
        )
        assert c.get("/admin/users").status_code == 403
        # its own finding: 已提交整改 with a note queues a targeted re-check
        r = c.post(f"/findings/{ids['edu']}/submit", data={"text": "已删除失效链接", "csrf_token": token})
        assert r.status_code == 200 and "已提交整改" in r.text
    with store.session() as s:
        assert s.get(Finding, other).status == "待整改"
        assert s.get(Finding, ids["edu"]).status == FindingStatus.SUBMITTED.value
        reqs = s.scalars(select(RecheckRequest)).all()
        assert [(q.finding_id, q.site, q.requested_by, q.done_at) for q in reqs] == [(ids["edu"], "jyj", "edu1", None)]


def test_login_rate_limit_is_kept_in_the_store(tmp_path):
    with running_dashboard(tmp_path) as (base, store, _):
        with client(base) as c:
            for _ in range(5):
                assert login(c, "auditor1", "wrong-password").status_code == 401
            r = login(c, "auditor1")  # the right password, but too many failures
            assert r.status_code == 429 and "15 分钟" in r.text
            assert login(c, "edu1").url.path == "/"  # another account is not blocked
    # a restarted server on the same store still refuses
    app = create_app(Store(store.url), web_config(tmp_path / "notices"), secret_key=SECRET, today=lambda: TODAY)
    with serve_app(app) as base2, client(base2) as c:
        assert login(c, "auditor1").status_code == 429


def test_notices_by_month_and_no_file_outside_the_folder(dash):
    base, _, _ = dash
    with client(base) as c:
        login(c, "auditor1")
        page = c.get("/notices").text
        assert "2026-11" in page and "2026-10" in page and "notes.txt" not in page
        r = c.get("/notices/files/督查通报-2026-11.html")
        assert r.status_code == 200 and "全县通报" in r.text and "sandbox" in r.headers["content-security-policy"]
        r = c.get(f"/notices/files/督查通报-2026-11-{EDU}.docx?download=1")
        assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
        for bad in (
            "/notices/files/..%2Foutside.html",
            "/notices/files/%2E%2E/outside.html",
            "/notices/files/notes.txt",
            "/notices/files/%2Fetc%2Fpasswd",
        ):
            assert c.get(bad).status_code == 404, bad
        raw = httpx.Request("GET", base + "/notices/files/../outside.html")
        raw.url = httpx.URL(base + "/notices/files/x").copy_with(raw_path=b"/notices/files/../outside.html")
        assert c.send(raw).status_code == 404
    with client(base) as c:  # a unit: the notice issued to it and its own extract, matched exactly
        login(c, "edu1")
        page = c.get("/notices").text
        assert "督查通报-2026-11.html" in page and f"督查通报-2026-11-{EDU}.docx" in page
        assert HEALTH not in page and EDU_OFFICE not in page and "征求意见稿" not in page
        assert c.get("/notices/files/督查通报-2026-11.html").status_code == 200
        assert c.get(f"/notices/files/督查通报-2026-11-{EDU}.docx").status_code == 200
        assert c.get(f"/notices/files/督查通报-2026-11-问题清单-{EDU_OFFICE}.html").status_code == 404
        assert c.get("/notices/files/督查通报-2026-11-征求意见稿.html").status_code == 404
        assert c.get(f"/notices/files/督查通报-2026-10-{HEALTH}.pdf").status_code == 404
    with client(base) as c:  # a unit the November notice did not address sees October's own extract only
        login(c, "health1")
        page = c.get("/notices").text
        assert f"督查通报-2026-10-{HEALTH}.pdf" in page and "督查通报-2026-11.html" not in page
        assert c.get("/notices/files/督查通报-2026-11.html").status_code == 404
        assert c.get(f"/notices/files/督查通报-2026-10-{HEALTH}.pdf").status_code == 200


def test_admin_form_takes_only_units_of_sites_yaml(dash):
    base, store, _ = dash
    from monitor.store import User

    with client(base) as c:
        login(c, "admin1")
        token = csrf_of(c.get("/admin/users").text)
        for unit in ("示例县", EDU_OFFICE):  # a prefix of real units, a name that merely contains one
            r = c.post(
                "/admin/users",
                data={
                    "username": f"u{len(unit)}",
                    "password": "long-enough-pw-1",
                    "role": "unit",
                    "unit": unit,
                    "csrf_token": token,
                },
            )
            assert "不在 sites.yaml 的 units 列表中" in r.text
        r = c.post(
            "/admin/users",
            data={"username": "edu2", "password": "long-enough-pw-1", "role": "unit", "unit": EDU, "csrf_token": token},
        )
        assert "已创建" in r.text
    with store.session() as s:
        assert {u.username for u in s.query(User)} >= {"edu2"}
        assert not {u.username for u in s.query(User)} & {"u3", f"u{len(EDU_OFFICE)}"}


def test_keyset_pages_cover_every_finding_once(tmp_path):
    from tests.webserver import add_finding

    with running_dashboard(tmp_path) as (base, store, ids):
        with store.session() as s:
            for i in range(120):
                add_finding(s, site="wjw", unit=HEALTH, subject=f"p{i}", n=1000 + i)
        with client(base) as c:
            login(c, "auditor1")
            seen, url, pages = [], f"/findings?unit={HEALTH}", []
            while url:
                html = c.get(url).text
                pages.append(url)
                import re

                seen += [int(x) for x in re.findall(r'<td><a href="/findings/(\d+)">', html)]
                m = re.search(r'<a href="([^"]+)" rel="next">', html)
                url = m.group(1).replace("&amp;", "&") if m else None
            with store.session() as s:
                expected = sorted(s.scalars(select(Finding.id).where(Finding.unit == HEALTH)), reverse=True)
            assert seen == expected and len(pages) == 3
            assert f">{len(expected)}</b>" in html
            prev = re.search(r'<a href="([^"]+)" rel="prev">', html).group(1).replace("&amp;", "&")
            back = [int(x) for x in re.findall(r'<td><a href="/findings/(\d+)">', c.get(prev).text)]
            assert back == expected[50:100]


def test_cli_user_add_then_login(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    cfg = tmp_path / "sites.yaml"
    cfg.write_text(
        f"organisation: {{name: 示例县}}\nunits: [{{name: {EDU}}}]\nstorage: {{url: '{db}'}}\n", encoding="utf-8"
    )
    out = run_monitor(
        "-c",
        str(cfg),
        "user",
        "add",
        "zhang",
        "--role",
        "unit",
        "--unit",
        "不存在的单位",
        "--password-stdin",
        cwd=tmp_path,
        input="long-enough-pw\n",
    )
    assert out.returncode == 2 and "不在" in out.stderr
    out = run_monitor(
        "-c",
        str(cfg),
        "user",
        "add",
        "zhang",
        "--role",
        "unit",
        "--unit",
        EDU,
        "--password-stdin",
        cwd=tmp_path,
        input="long-enough-pw\n",
    )
    assert out.returncode == 0, out.stderr
    store = Store(db)
    from monitor.store import User

    with store.session() as s:
        u = s.scalar(select(User).where(User.username == "zhang"))
        assert (u.role, u.unit, u.active) == ("unit", EDU, True) and u.password_hash.startswith("$argon2")
    app = create_app(store, web_config(tmp_path / "n"), secret_key=SECRET, today=lambda: TODAY)
    with serve_app(app) as base, client(base) as c:
        assert login(c, "zhang", "wrong-password").status_code == 401
        assert login(c, "zhang", "long-enough-pw").url.path == "/"


def test_lifecycle_calls_append_history(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'l.db'}")
    ids = fill_store(store)
    fid = ids["edu"]
    lifecycle.extend_deadline(store, fid, date(2026, 12, 31), actor="a", reason="系统改版")
    lifecycle.set_status(store, fid, FindingStatus.WONTFIX, actor="a", reason="关停")
    lifecycle.add_note(store, fid, "已电话督促", actor="b")
    with pytest.raises(ValueError):  # a closed finding keeps its deadline
        lifecycle.extend_deadline(store, fid, date(2027, 1, 31), actor="a", reason="再延期")
    with store.session() as s:
        f = s.get(Finding, fid)
        ev = s.scalars(select(FindingEvent).where(FindingEvent.finding_id == fid).order_by(FindingEvent.id)).all()
    assert f.status == "无法整改" and f.deadline == date(2026, 12, 31)
    assert [(e.from_status, e.to_status) for e in ev] == [
        (None, "待整改"),
        ("待整改", "待整改"),
        ("待整改", "无法整改"),
        ("无法整改", "无法整改"),
    ]
    assert ev[3].reason == "已电话督促" and ev[3].actor == "b" and "2026-12-31" in ev[1].reason
    with pytest.raises(ValueError):
        lifecycle.set_status(store, 99999, FindingStatus.FIXED, actor="a", reason="x")


@pytest.mark.postgres
def test_dashboard_queries_and_actions_on_postgresql(pg_url, tmp_path):
    from monitor.web.findings import FILTERS, list_page
    from monitor.web.overview import trend, unit_rows

    store = Store(pg_url)
    ids = fill_store(store)
    rows = {r["unit"]: r for r in unit_rows(store, today=TODAY, unit=None, units=[EDU, HEALTH])}
    assert (rows[EDU]["open"], rows[EDU]["overdue"], rows[EDU]["veto"]) == (3, 1, 1)
    assert rows[HEALTH]["fixed_month"] == 1
    months = {m["month"]: m for m in trend(store, today=TODAY, unit=HEALTH)}
    assert months["2026-10"]["new"] == 3 and months["2026-11"]["fixed"] == 1 and months["2026-11"]["open"] == 3
    f = {k: "" for k in FILTERS} | {"unit": HEALTH, "status": "open", "month": "2026-10"}
    page = list_page(store, f, before=None, after=None, size=2)
    assert [r["id"] for r in page["rows"]] == [ids["health2"], ids["health1"]] and page["total"] == 3
    nxt = list_page(store, f, before=ids["health1"], after=None, size=2)
    assert [r["id"] for r in nxt["rows"]] == [ids["health0"]] and not nxt["has_next"]
    app = create_app(store, web_config(tmp_path / "n"), secret_key=SECRET, today=lambda: TODAY)
    with serve_app(app) as base, client(base) as c:
        login(c, "health1")
        token = csrf_of(c.get(f"/findings/{ids['health0']}").text)
        r = c.post(f"/findings/{ids['health0']}/submit", data={"text": "已修复", "csrf_token": token})
        assert "已提交整改" in r.text and "等待复查" in r.text
    store.close()


def test_sites_page_shows_last_crawl_availability_and_rule_book(dash):
    from datetime import timedelta

    from monitor.store import CrawlRun, Probe, utcnow

    base, store, _ = dash
    now = utcnow()
    with store.session() as s:
        s.add(
            CrawlRun(
                site="jyj",
                kind="site",
                started_at=now - timedelta(hours=2),
                finished_at=now,
                status="finished",
                pages=321,
            )
        )
        for i in range(4):
            s.add(Probe(site="jyj", at=now - timedelta(hours=i), url="http://127.0.0.1:9/", ok=i != 0))
        s.add(Probe(site="jyj", at=now - timedelta(days=30), url="http://127.0.0.1:9/", ok=False))  # too old
    with client(base) as c:
        login(c, "auditor1")
        page = c.get("/sites").text
        jyj = page.split("示例县教育体育局网站")[1].split("</tr>")[0]
        assert "321 个地址" in jyj and "75.0%（4 次探测）" in jyj and "完成" in jyj and "finished" not in jyj
        wjw = page.split("示例县卫生健康委员会网站")[1].split("</tr>")[0]
        assert "尚未抓取" in wjw and "无探测记录" in wjw
        rules = c.get("/rules").text
        assert 'id="W-V3"' in rules and "栏目不更新" in rules
        # explained in Chinese: what it checks, the threshold in plain words, the basis; no developer docstring
        assert "检查什么" in rules and "首页超过 14 天没有新信息即单项否决" in rules and "国办秘函〔2019〕19号" in rules
        assert "What it does" not in rules and "stale-column" not in rules
    with client(base) as c:
        login(c, "health1")
        assert "示例县教育体育局网站" not in c.get("/sites").text


def test_history_times_are_shown_in_beijing_time(dash):
    from datetime import datetime, timedelta

    from monitor.web.render import local_time

    assert local_time(datetime(2026, 11, 26, 17, 30)) == "2026-11-27 01:30"  # stored UTC, read in Beijing
    base, store, ids = dash
    with store.session() as s:
        first = s.scalars(
            select(FindingEvent).where(FindingEvent.finding_id == ids["edu"]).order_by(FindingEvent.id)
        ).first()
        stored = first.at
    with client(base) as c:
        login(c, "auditor1")
        page = c.get(f"/findings/{ids['edu']}").text
    assert (stored + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in page


def test_finding_detail_shows_the_check_record_with_chinese_labels(dash):
    base, store, ids = dash
    with store.session() as s:
        f = s.get(Finding, ids["edu"])
        f.facts = {
            "status": 404,
            "external": False,
            "parent_count": 2,
            "parents": [
                {"source_url": "http://127.0.0.1:9/a.html", "anchor_text": "通知", "on_home": True},
                {"source_url": "http://127.0.0.1:9/b.html", "anchor_text": "<b>x</b>", "on_home": False},
            ],
        }
    with client(base) as c:
        login(c, "auditor1")
        page = c.get(f"/findings/{ids['edu']}").text
    table = page.split('id="facts"')[1].split("</table>")[0]
    assert (
        '<th>HTTP 状态</th><td class="fact">404</td>' in table and '<th>外部链接</th><td class="fact">否</td>' in table
    )
    assert "所在页面（链接文字）" in table and "http://127.0.0.1:9/a.html（“通知”）（首页）<br>" in table
    assert "&lt;b&gt;x&lt;/b&gt;" in table and "<b>x</b>" not in table  # crawled text stays text
    for raw in ("status", "parent_count", "parents", "source_url", "{"):
        assert f">{raw}<" not in table and "&#34;source_url&#34;" not in table


def test_findings_list_search_sort_export_and_the_same_totals_as_the_overview(dash):
    import csv
    import io

    from tests.webserver import add_finding

    base, store, ids = dash
    with store.session() as s:  # an unverified item: shown on request, never counted with the findings
        add_finding(s, site="wjw", unit=HEALTH, subject="http://127.0.0.1:9/waf.html", n=77)
        s.query(Finding).filter(Finding.subject == "http://127.0.0.1:9/waf.html").update({"verdict": "unverified"})
        s.add(
            Finding(
                fingerprint="formula",
                rule="W-S1",
                severity="扣分",
                site="jyj",
                unit=EDU,
                url="http://127.0.0.1:9/f.html",
                subject='=HYPERLINK("http://x")',
                evidence="链接无法访问",
                facts={},
                first_seen=TODAY,
                last_seen=TODAY,
                status="已提交整改",
                updated_at=__import__("monitor.store", fromlist=["utcnow"]).utcnow(),
            )
        )
    with client(base) as c:
        login(c, "auditor1")
        page = c.get("/findings?status=open").text
        total = int(page.split('id="total">')[1].split("<")[0])
        overview = c.get("/").text
        assert f"<b>{total}</b>未整改" in overview  # the list and the overview count the same findings
        assert "示例县教育体育局网站" in page and "<td>jyj</td>" not in page  # names, not keys
        assert "已提交整改，待复查确认" in overview and 'id="rate"' in overview
        unverified = c.get("/findings?verdict=unverified").text
        assert 'id="total">1<' in unverified and "waf.html" in unverified
        found = c.get("/findings", params={"q": "wjw/1.html"}).text
        assert 'id="total">1<' in found and f'href="/findings/{ids["health1"]}"' in found
        assert 'id="total">0<' in c.get("/findings", params={"q": "%"}).text  # LIKE wildcards are literal
        old = c.get("/findings?sort=old").text
        new = c.get("/findings").text
        first_old = old.split('id="findings"')[1].split('href="/findings/')[1].split('"')[0]
        first_new = new.split('id="findings"')[1].split('href="/findings/')[1].split('"')[0]
        assert int(first_old) < int(first_new)
        r = c.get("/findings/export.csv", params={"status": "open"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
        assert rows[0][:5] == ["编号", "规则", "严重程度", "单位", "网站/账号"] and len(rows) - 1 == total
        assert any(row[5] == '\'=HYPERLINK("http://x")' for row in rows)  # no formula reaches Excel
    with client(base) as c:  # a unit exports its own findings only
        login(c, "edu1")
        rows = list(csv.reader(io.StringIO(c.get("/findings/export.csv").text.lstrip("\ufeff"))))
        assert {row[3] for row in rows[1:]} == {EDU}
