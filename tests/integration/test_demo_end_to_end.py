"""The whole job on the demo portal: crawl → facts → rules → findings → notice, through the real CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from parsel import Selector

from monitor.demo.feeds import ACCOUNT_PLANTED, ACCOUNT_UNVERIFIABLE, ACCOUNTS, LEAKED_ID
from monitor.demo.dept import DEPT_COLUMNS
from monitor.demo.site import COLUMNS, DEPT_PLANTED, PLANTED, PORTAL_PLANTED
from tests.conftest import DEMO_DAY, findings_json, run_monitor


def _planted_key(url: str) -> str:
    """A finding's URL as the demo names planted subjects: a path, or ext:/dead: for the other hosts."""
    return urlsplit(url).path


def _expected(planted=PORTAL_PLANTED) -> set[tuple[str, str]]:
    """(rule, path) of what the portal plants (or, given DEPT_PLANTED, the department site)."""
    out = set()
    for p in planted:
        path = p.subject_path.split(":", 1)[1] if ":" in p.subject_path else p.subject_path
        out.add((p.rule, path))
    return out


def _run_demo(tmp_path: Path, db_url: str) -> tuple[str, list[dict]]:
    out = run_monitor(
        "--db", db_url, "demo", "--as-of", DEMO_DAY.isoformat(), "--out", str(tmp_path / "notices"), cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr + out.stdout
    assert "督查通报" in out.stdout
    rows = findings_json(db_url, tmp_path)
    return out.stdout, rows


def _assert_exactly_planted(rows: list[dict]) -> None:
    site_rows = [r for r in rows if r["site"] == "demo-portal"]
    got = {(r["rule"], _planted_key(r["url"])) for r in site_rows}
    assert got == _expected()
    assert len(site_rows) == len(PORTAL_PLANTED)
    # the department site carries no column metas: its columns are found from their structure
    dept_rows = [r for r in rows if r["site"] == "demo-dept"]
    assert {(r["rule"], _planted_key(r["url"])) for r in dept_rows} == _expected(DEPT_PLANTED)
    assert len(dept_rows) == len(DEPT_PLANTED)
    account_rows = [r for r in rows if r["site"] not in ("demo-portal", "demo-dept")]
    assert sorted((r["rule"], r["site"]) for r in account_rows) == sorted((p.rule, p.account) for p in ACCOUNT_PLANTED)


def test_demo_reports_exactly_the_planted_problems_sqlite(tmp_path):
    db = tmp_path / "demo.db"
    stdout, rows = _run_demo(tmp_path, f"sqlite:///{db}")
    _assert_exactly_planted(rows)

    by_subject = {(r["rule"], _planted_key(r["url"])): r for r in rows}
    stale_news = by_subject[("W-V3", "/xwzx/xzdt/")]
    assert stale_news["facts"]["age_days"] == 45 and stale_news["facts"]["period_days"] == 14
    assert stale_news["facts"]["newest_date"] == "2026-10-12"
    stale_notice = by_subject[("W-V3", "/gsgg/")]
    assert stale_notice["facts"]["age_days"] == 200 and stale_notice["facts"]["period_days"] == 183
    assert by_subject[("W-V5", "/tjsj/")]["facts"]["items"] == 0
    zombie = by_subject[("W-V3", "/col/col104/")]
    assert zombie["site"] == "demo-dept" and zombie["facts"]["zombie"] is True and "僵尸栏目" in zombie["evidence"]
    assert zombie["facts"]["age_days"] == 420 and zombie["facts"]["recognised_by"] == "structure"
    assert by_subject[("W-V3", "/col/col103/")]["facts"]["zombie"] is False
    assert by_subject[("W-V5", "/col/col105/")]["facts"]["empty_evidence"] == "marker"
    removed = by_subject[("W-S1", "/xwzx/zwyw/202001/t20200101_999.html")]
    assert removed["facts"]["status"] == 404 and removed["facts"]["external"] is False
    assert removed["source_url"].startswith("http://127.0.0.1:") and "/xwzx/zwyw/" in removed["source_url"]
    # the compliance and content plants, with the facts a staff member checks them by
    assert by_subject[("W-V7", "/hdjl/xxgk/content/unanswered.html")]["facts"]["waited_days"] == 103
    assert by_subject[("W-V7", "/hdjl/xxgk/content/unanswered.html")]["severity"] == "否决"
    assert by_subject[("W-S2", "/bsfw/bstj/")]["facts"]["part"] == "service_stats"
    assert by_subject[("W-S2", "/bsfw/bstj/")]["facts"]["age_days"] == 100
    no_code = by_subject[("W-S6", "/xwzx/bmdt/content/nometa.html")]["facts"]
    assert no_code["count"] == 1 and no_code["problem"] == "缺少 SiteIDCode" and no_code["checked"] > 200
    repealed = by_subject[("W-S13", "/zcwj/content/repealed.html")]
    assert urlsplit(repealed["source_url"]).path == "/zcwj/content/repealing.html"
    assert by_subject[("W-V8", "/xwzx/zwyw/content/formula.html")]["severity"] == "否决"
    assert by_subject[("W-S4", "/gsgg/content/applicant.html")]["facts"]["masked"] == "36*************015"
    assert "13979712345" not in str(rows)  # personal data never stored unmasked in findings
    dead = [r for r in rows if r["facts"].get("error_kind") == "refused"]
    assert len(dead) == 1 and dead[0]["facts"]["on_home"] is True and dead[0]["facts"]["external"] is True
    for r in rows:  # the documented export fields
        assert {
            "rule",
            "severity",
            "site",
            "unit",
            "url",
            "source_url",
            "subject",
            "evidence",
            "facts",
            "first_seen",
            "last_seen",
            "status",
        } <= r.keys()
        assert r["first_seen"] == DEMO_DAY.isoformat()
        assert r["status"] == "已通报"  # the notice was issued
    by_account = {(r["rule"], r["site"]): r for r in rows if r["site"] != "demo-portal"}
    assert by_account[("N-V1", "demo-wb-police")]["facts"]["age_days"] == 20  # the older pinned post is not "fresh"
    assert by_account[("N-S1", "demo-wx-old")]["facts"]["level"] == "僵尸号"
    leak = by_account[("N-V3", "demo-wx-fabu")]
    assert leak["facts"]["content_rule"] == "W-S4" and "36*************" in leak["evidence"]
    assert by_account[("N-S2", "demo-wx-fabu")]["facts"]["status"] == 404
    unverified = findings_json(f"sqlite:///{db}", tmp_path, "--status", "all")
    assert not any(r["site"] in ACCOUNT_UNVERIFIABLE for r in unverified)  # failing sources: no finding at all

    # The facts behind them: every column of the portal was found, with the right item counts.
    con = sqlite3.connect(db)
    portal = con.execute("select id from crawl_runs where site='demo-portal'").fetchone()[0]
    cols = dict(
        con.execute("select url, item_count from columns where role='column' and run_id=?", (portal,)).fetchall()
    )
    assert len(cols) == len(COLUMNS)
    dept = con.execute("select id from crawl_runs where site='demo-dept'").fetchone()[0]
    dept_cols = {
        urlsplit(u).path: how
        for u, how in con.execute("select url, how from columns where role='column' and run_id=?", (dept,))
    }
    # every list column of the department site (its static 机构职能 page is no list), none by meta
    assert set(dept_cols) == {c.path for c in DEPT_COLUMNS if not c.static}
    assert set(dept_cols.values()) <= {"structure", "navigation"}
    assert {urlsplit(u).path: n for u, n in cols.items()}["/xwzx/zwyw/"] == 30
    runs = con.execute("select status, pages from crawl_runs").fetchall()
    assert runs[0][0] == "finished" and runs[0][1] > 200
    fetches = dict(con.execute("select account, outcome from account_fetches").fetchall())
    assert fetches == {a.key: {"ok0": "ok0", "http503": "http_error"}.get(a.failure, "ok") for a in ACCOUNTS}
    unverified = {r[0] for r in con.execute("select site from findings where verdict='unverified' and rule='N-V1'")}
    assert unverified == set(ACCOUNT_UNVERIFIABLE)

    # The notice lists each planted problem by URL in 附件2, and nothing else.
    notice = (tmp_path / "notices" / "督查通报-2026-11.html").read_text(encoding="utf-8")
    sel = Selector(text=notice)
    assert "关于2026年11月全县政府网站和政务新媒体检查情况的通报" in sel.xpath("//h1/text()").get()
    listed = sel.xpath("//h2[starts-with(., '附件2')]/following-sibling::table[1]//tr[@data-rule]")
    assert len(listed) == len(PLANTED) + len(ACCOUNT_PLANTED)
    site_urls = {
        _planted_key(u)
        for u in sel.xpath("//tr[@data-rule]/td[@class='url']/text()").getall()
        if "/newmedia/" not in u and "/hdjl/zjdc/" not in u
    }
    assert site_urls == {path for _, path in _expected() | _expected(DEPT_PLANTED)}
    # 政务新媒体: 6 accounts, 2 unverifiable (not counted), 2 of the 4 others vetoed
    summary = "".join(sel.xpath("//p[@id='newmedia-summary']//text()").getall())
    assert "本次共检查政务新媒体账号 6 个，其中可核实 4 个、存在单项否决问题的 2 个，合格率 50.0%" in summary
    assert "微信 50.0%" in summary and "微博 0.0%" in summary and "头条 100.0%" in summary
    assert len(sel.xpath("//p[@class='newmedia-problem']")) == len(ACCOUNT_PLANTED)
    unverifiable = sel.xpath("//p[@class='newmedia-unverifiable']//text()").getall()
    assert len(unverifiable) == 2 and any("示例县卫健委" in t and "ok=0" in t for t in unverifiable)
    assert any("示例县融媒" in t and "HTTP 503" in t for t in unverifiable)
    assert LEAKED_ID not in notice  # the leaked ID is shown masked only
    assert "整改要求" in notice and "2026年12月6日前完成整改" in notice
    # W-V7 and W-V8 are veto items: the portal is 不合格, without a score (so without a rank); the department site's three column
    # problems are deductions: it passes with a score
    assert "本次共检查政府网站 2 个，其中不合格（存在单项否决问题或得分低于60分）的 1 个，合格率 50.0%" in notice
    dept_unit = sel.xpath("//tr[@class='unit'][td[@class='unit']/text()='示例县农业农村局']")
    assert dept_unit.xpath("./td[@class='result']/text()").get() == "合格"
    assert dept_unit.xpath("./td[@class='deduction']/text()").get() == str(len(DEPT_PLANTED))
    unit = sel.xpath("//tr[@class='unit'][td[@class='unit']/text()='示例县人民政府办公室']")
    assert len(unit) == 1
    assert unit.xpath("./td[@class='score']/text()").get() == "—"
    assert unit.xpath("./td[@class='result']/text()").get() == "不合格"
    ranks = {
        r.xpath("./td[@class='unit']/text()").get(): r.xpath("./td[@class='rank']/text()").get()
        for r in sel.xpath("//tr[@class='unit']")
    }
    assert ranks["示例县人民政府办公室"] == "—"  # no score, no rank (units whose scores are all “—” are not ranked)


def test_demo_reports_the_same_on_postgresql(tmp_path, pg_url):
    _, rows = _run_demo(tmp_path, pg_url)
    _assert_exactly_planted(rows)


def test_rectified_demo_reports_nothing(tmp_path, demo_server):
    """The near-miss of the whole demo: with every planted problem fixed, no finding at all."""
    demo_server.rebuild(DEMO_DAY, fixed={p.subject_path for p in PLANTED})
    cfg = tmp_path / "sites.yaml"
    cfg.write_text(
        f"""
organisation: {{name: 示例县人民政府办公室}}
units: [{{name: 县政府办}}]
sites:
  - key: portal
    name: 示例县人民政府门户网站
    home: {demo_server.home}
    unit: 县政府办
    limits: {{delay_seconds: 0, concurrency_per_host: 8, allow_private_network: true}}
storage: {{url: "sqlite:///{tmp_path / "m.db"}", notices_dir: "{tmp_path / "out"}"}}
""",
        encoding="utf-8",
    )
    out = run_monitor("-c", str(cfg), "crawl", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    out = run_monitor("-c", str(cfg), "check", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = findings_json(f"sqlite:///{tmp_path / 'm.db'}", tmp_path)
    assert rows == []
    out = run_monitor(
        "-c", str(cfg), "report", "--month", "2026-11", "--as-of", DEMO_DAY.isoformat(), "--issue", cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    notice = (tmp_path / "out" / "督查通报-2026-11.html").read_text(encoding="utf-8")
    assert "本次检查未发现问题" in notice and "合格率 100.0%" in notice
    assert Selector(text=notice).xpath("//tr[@class='unit']/td[@class='score']/text()").getall() == ["100.0"]


def test_adhoc_url_crawl_works_without_a_config(tmp_path, demo_server):
    out = run_monitor(
        "--db",
        f"sqlite:///{tmp_path / 'a.db'}",
        "crawl",
        "--url",
        demo_server.home,
        "--as-of",
        DEMO_DAY.isoformat(),
        "--delay",
        "0",
        "--allow-private-network",
        cwd=tmp_path,
    )
    # like a link checker: exit 1 when problems were found
    assert out.returncode == 1, out.stderr
    assert "missing-attachment.pdf" in out.stdout
    assert not (tmp_path / "sites.yaml").exists()
    rows = findings_json(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    assert {(r["rule"], _planted_key(r["url"])) for r in rows} == _expected()


def test_demo_keeps_to_its_own_folder_and_can_be_explored(tmp_path):
    real = tmp_path / "var" / "notices"  # a real deployment's notices beside it: never written over
    real.mkdir(parents=True)
    (real / "督查通报-2026-11.html").write_text("正式通报", encoding="utf-8")
    out = run_monitor("demo", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr + out.stdout
    demo = tmp_path / "var" / "demo"
    assert (demo / "demo.db").is_file() and (demo / "notices" / "督查通报-2026-11.html").is_file()
    assert (real / "督查通报-2026-11.html").read_text(encoding="utf-8") == "正式通报"
    assert not (tmp_path / "var" / "monitor.db").exists()
    cfg = demo / "sites.yaml"
    assert f"monitor -c {cfg} findings" in out.stdout and "serve" in out.stdout and "user add" in out.stdout
    assert f"{Path(__import__('sys').executable)} -m monitor -c {cfg} findings" in out.stdout  # runnable as printed
    # the config left beside the database lets every other command read the demo's data
    rows = findings_json(f"sqlite:///{demo / 'demo.db'}", tmp_path)
    listed = run_monitor("-c", str(cfg), "findings", "--format", "json", cwd=tmp_path / "var")
    assert listed.returncode == 0, listed.stderr
    assert len(__import__("json").loads(listed.stdout)) == len(rows) > 0
    draft = run_monitor("-c", str(cfg), "report", "--month", "2026-11", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert draft.returncode == 0, draft.stderr
    assert (demo / "notices" / "督查通报-2026-11-征求意见稿.html").is_file()
    user = run_monitor(
        "-c",
        str(cfg),
        "user",
        "add",
        "jyj",
        "--role",
        "unit",
        "--unit",
        "示例县人民政府办公室",
        "--password-stdin",
        input="demo-password-1\n",
        cwd=tmp_path,
    )
    assert user.returncode == 0, user.stderr
    # the unit sees the notice the demo issued to it and its own extract
    import sqlite3

    con = sqlite3.connect(demo / "demo.db")
    kinds = {(k, u) for k, u in con.execute("select kind, unit from notice_files")}
    assert ("notice", None) in kinds and ("extract", "示例县人民政府办公室") in kinds
