"""Rectification followed across crawls of the demo portal, through the real CLI, with frozen --as-of dates.

Timeline (one module-scoped scenario, three crawls):
 11-26  crawl + check + November notice: all 7 planted problems 已通报, deadline 12-06.
 11-28  the unit reports two fixed (已提交整改): the removed article's link, the dead friend link.
 12-01  site rebuilt with 4 fixed; crawl + check: the submitted link removal is confirmed (已整改), the
        submitted dead link is still there (已通报), 3 others 待复核. An auditor sets 公示公告 无法整改 and
        extends the dead link's deadline to 12-08.
 12-03  `monitor recheck` (no crawl): the 3 待复核 ones are absent a second time → 已整改.
 12-08  the missing attachment is back; crawl + check: 重新出现; 乡镇动态 past its deadline → 逾期.
 12-09  `monitor check` on the same crawl: the dead link's extended deadline has passed → 逾期.
 12-09  December notice (HTML, PDF, DOCX, XLSX ledger) with screenshots.
"""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from parsel import Selector

from monitor.demo.server import serve_demo
from monitor.demo.site import MISSING_ATTACHMENT, PLANTED, REMOVED_ARTICLE
from tests.conftest import run_monitor

GONE, DEAD, EMPTY, STALE_NEWS, STALE_NOTICE = "ext:/gone.html", "dead:/", "/tjsj/", "/xwzx/xzdt/", "/gsgg/"
# The scenario follows the seven link and column problems; the demo's other plants are fixed throughout.
FOLLOWED = {REMOVED_ARTICLE, MISSING_ATTACHMENT, GONE, DEAD, EMPTY, STALE_NEWS, STALE_NOTICE}
OTHERS = frozenset(p.subject_path for p in PLANTED) - FOLLOWED


def key(row: dict) -> str:
    """A finding row as the demo names planted problems."""
    path = urlsplit(row["url"]).path
    if row["rule"] == "W-S1" and path == "/gone.html":
        return GONE
    if row["rule"] == "W-S1" and path == "/":
        return DEAD
    return path


class Scenario:
    def __init__(self, tmp: Path, demo):
        self.tmp, self.demo = tmp, demo
        self.db = tmp / "m.db"
        self.cfg = tmp / "sites.yaml"
        self.out = tmp / "out"
        self.cfg.write_text(
            f"""
organisation: {{name: 示例县人民政府办公室, doc_number: "示政办函〔2026〕", rectify_days: 10, fixed_after_checks: 2}}
units: [{{name: 示例县人民政府办公室}}, {{name: 县统计局}}]
sites:
  - key: portal
    name: 示例县人民政府门户网站
    home: {demo.home}
    unit: 示例县人民政府办公室
    limits: {{delay_seconds: 0, concurrency_per_host: 8, allow_private_network: true}}
storage: {{url: "sqlite:///{self.db}", notices_dir: "{self.out}"}}
""",
            encoding="utf-8",
        )
        self.snapshots: dict[str, dict[str, str]] = {}
        self.outputs: dict[str, str] = {}

    def run(self, *args: str):
        """The real CLI; in this process (click's runner) except for crawls, which need their own reactor."""
        if args[0] == "crawl":
            out = run_monitor("-c", str(self.cfg), *args, cwd=self.tmp)
            assert out.returncode == 0, f"{args}: {out.stderr}{out.stdout}"
            return out
        from click.testing import CliRunner

        from monitor.cli.app import main

        res = CliRunner().invoke(main, ["-c", str(self.cfg), *args], catch_exceptions=False)
        assert res.exit_code == 0, f"{args}: {res.output}"
        return res

    def crawl_and_check(self, day: str) -> None:
        self.run("crawl", "--as-of", day)
        self.run("check", "--as-of", day)

    def rows(self) -> dict[str, dict]:
        return {key(r): r for r in json.loads(self.run("findings", "--format", "json", "--status", "all").stdout)}

    def snap(self, label: str) -> None:
        self.snapshots[label] = {k: r["status"] for k, r in self.rows().items()}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rectify")
    with serve_demo(date(2026, 11, 26), fixed=OTHERS) as demo:
        sc = Scenario(tmp, demo)
        sc.crawl_and_check("2026-11-26")
        sc.outputs["draft"] = sc.run("report", "--month", "2026-11", "--as-of", "2026-11-26").stdout
        sc.snap("draft")  # proofreading a draft issues nothing
        sc.run("report", "--month", "2026-11", "--as-of", "2026-11-26", "--issue", "--by", "张审核")
        sc.snap("11-26")
        ids = {k: r["id"] for k, r in sc.rows().items()}
        sc.ids = ids
        for k in (REMOVED_ARTICLE, DEAD):
            sc.run(
                "finding",
                str(ids[k]),
                "--set",
                "已提交整改",
                "--reason",
                "已删除失效链接",
                "--actor",
                "示例县人民政府办公室",
                "--as-of",
                "2026-11-28",
            )

        demo.rebuild(date(2026, 12, 1), fixed={GONE, MISSING_ATTACHMENT, EMPTY, REMOVED_ARTICLE, *OTHERS})
        sc.crawl_and_check("2026-12-01")
        sc.snap("12-01")
        sc.run(
            "finding",
            str(ids[STALE_NOTICE]),
            "--set",
            "无法整改",
            "--reason",
            "栏目已停用，待网站改版后下线",
            "--actor",
            "张审核",
            "--as-of",
            "2026-12-01",
        )
        sc.run(
            "finding",
            str(ids[DEAD]),
            "--extend-deadline",
            "2026-12-08",
            "--reason",
            "融媒体中心网站迁移中",
            "--actor",
            "张审核",
            "--as-of",
            "2026-12-01",
        )
        sc.run(
            "finding", str(ids[STALE_NEWS]), "--note", "已电话督促乡镇办", "--actor", "张审核", "--as-of", "2026-12-02"
        )

        sc.outputs["recheck"] = sc.run("recheck", "--as-of", "2026-12-03").stdout
        sc.snap("12-03")

        demo.rebuild(date(2026, 12, 8), fixed={GONE, EMPTY, REMOVED_ARTICLE, *OTHERS})
        sc.crawl_and_check("2026-12-08")
        sc.snap("12-08")
        sc.run("check", "--as-of", "2026-12-09")
        sc.snap("12-09")
        sc.outputs["finding"] = sc.run("finding", str(ids[DEAD])).stdout
        sc.outputs["report"] = sc.run(
            "report",
            "--month",
            "2026-12",
            "--as-of",
            "2026-12-09",
            "--screenshots",
            "--issue",
            "--by",
            "张审核",
            "--format",
            "html",
            "--format",
            "pdf",
            "--format",
            "docx",
            "--format",
            "xlsx",
        ).stdout
        sc.snap("report-12")
        yield sc


def test_every_lifecycle_state_across_crawls(scenario):
    s = scenario.snapshots
    assert set(s["draft"].values()) == {"待整改"} and len(s["draft"]) == 7
    assert "征求意见稿" in scenario.outputs["draft"] and (scenario.out / "督查通报-2026-11-征求意见稿.html").is_file()
    assert set(s["11-26"].values()) == {"已通报"} and len(s["11-26"]) == 7
    assert s["12-01"] == {
        REMOVED_ARTICLE: "已整改",
        DEAD: "已通报",
        GONE: "待复核",
        MISSING_ATTACHMENT: "待复核",
        EMPTY: "待复核",
        STALE_NEWS: "已通报",
        STALE_NOTICE: "已通报",
    }
    assert s["12-03"] == {
        **s["12-01"],
        GONE: "已整改",
        MISSING_ATTACHMENT: "已整改",
        EMPTY: "已整改",
        STALE_NOTICE: "无法整改",
    }
    assert s["12-08"] == {**s["12-03"], MISSING_ATTACHMENT: "重新出现", STALE_NEWS: "逾期"}
    assert s["12-09"] == {**s["12-08"], DEAD: "逾期"}  # a check on the same crawl, after the extended deadline
    assert s["report-12"][MISSING_ATTACHMENT] == "已通报"  # the December notice notifies it again
    assert (
        "复查 5 个问题：仍存在 2 个，未再发现 3 个（其中确认已整改 3 个），无法确认 0 个" in scenario.outputs["recheck"]
    )


def test_identity_and_history_through_the_cli(scenario):
    rows = scenario.rows()
    assert len(rows) == 7  # the same 7 findings after 3 crawls on different days: no duplicates
    news = rows[STALE_NEWS]
    assert (news["first_seen"], news["last_seen"]) == (
        "2026-11-26",
        "2026-12-08",
    )  # the 12-09 check judged the 12-08 crawl again: nothing new was seen
    missing = rows[MISSING_ATTACHMENT]
    assert missing["deadline"] == "2026-12-19"  # the new deadline of the December notice
    con = sqlite3.connect(scenario.db)
    hist = con.execute(
        "select as_of, actor, from_status, to_status, reason, kind from finding_events where finding_id=? order by id",
        (scenario.ids[DEAD],),
    ).fetchall()
    assert [(h[0], h[2], h[3]) for h in hist if h[5] == "status"] == [
        ("2026-11-26", None, "待整改"),
        ("2026-11-26", "待整改", "已通报"),
        ("2026-11-28", "已通报", "已提交整改"),
        ("2026-12-01", "已提交整改", "已通报"),
        ("2026-12-09", "已通报", "逾期"),
    ]
    assert (
        "2026-12-01",
        "张审核",
        "已通报",
        "已通报",
        "整改期限由 2026-12-06 调整为 2026-12-08：融媒体中心网站迁移中",
        "deadline",
    ) in hist
    wontfix = con.execute(
        "select actor, reason from finding_events where finding_id=? and to_status='无法整改'",
        (scenario.ids[STALE_NOTICE],),
    ).fetchall()
    assert wontfix == [("张审核", "栏目已停用，待网站改版后下线")]
    shown = scenario.outputs["finding"]
    assert "整改记录" in shown and "融媒体中心网站迁移中" in shown and "已提交整改" in shown and "逾期" in shown


def test_findings_filters(scenario):
    def rows(*args: str) -> set[str]:
        return {key(r) for r in json.loads(scenario.run("findings", "--format", "json", *args).stdout)}

    assert rows("--status", "逾期") == {DEAD, STALE_NEWS}
    assert rows("--status", "all", "--rule", "W-V3") == {STALE_NEWS, STALE_NOTICE}
    assert rows("--status", "all", "--unit", "县统计局") == set()
    assert rows("--status", "all", "--site", "portal") == set(scenario.ids)
    # seen in December: everything still there on 12-01 or later, not the link fixed by 12-01
    dec = rows("--status", "all", "--month", "2026-12")
    assert REMOVED_ARTICLE not in dec and {DEAD, STALE_NEWS, MISSING_ATTACHMENT} <= dec
    bad = run_monitor(
        "-c", str(scenario.cfg), "finding", str(scenario.ids[DEAD]), "--set", "无法整改", cwd=scenario.tmp
    )
    assert bad.returncode == 2 and "必须说明原因" in bad.stderr


def test_december_notice_reviews_last_month_and_embeds_screenshots(scenario):
    html = (scenario.out / "督查通报-2026-12.html").read_text(encoding="utf-8")
    assert (
        "上期（2026-11）通报的 7 个问题，经复查已整改 3 个，逾期未整改 2 个，整改后重新出现 1 个，"
        "经审核确认无法整改 1 个"
    ) in html
    sel = Selector(text=html)
    assert sel.css("div.red-head::text").get() == "示例县人民政府办公室"
    assert sel.css("div.doc-no::text").get() == "示政办函〔2026〕12号"
    listed = {
        key({"rule": r.attrib["data-rule"], "url": r.css("td.url::text").get()}) for r in sel.css("#att2 tr[data-rule]")
    }
    assert listed == {DEAD, STALE_NEWS, MISSING_ATTACHMENT}  # 无法整改 and 已整改 are not listed
    assert "逾期未整改" in html and "整改后再次出现" in html
    assert len(sel.css("figure img[src^='data:image/png;base64,']")) == 3
    con = sqlite3.connect(scenario.db)
    shots = con.execute("select finding_id, found, png, page_url from evidence_shots").fetchall()
    by_finding = {s[0]: s for s in shots}
    assert set(by_finding) == {scenario.ids[k] for k in (DEAD, STALE_NEWS, MISSING_ATTACHMENT)}
    assert all(s[1] for s in shots)  # the link / newest item was found and outlined on each page
    from PIL import Image

    img = Image.open(io.BytesIO(by_finding[scenario.ids[DEAD]][2])).convert("RGB")
    red = sum(1 for px in img.getdata() if px[0] > 230 and px[1] < 40 and px[2] < 40)
    assert img.size == (1280, 900) and red > 200  # the red outline around the dead link
    assert urlsplit(by_finding[scenario.ids[DEAD]][3]).path == "/"  # taken on the page that links it
    assert list((scenario.out / "evidence").glob("finding-*.png"))


def test_issued_notices_are_recorded_with_their_unit_extracts(scenario):
    con = sqlite3.connect(scenario.db)
    issues = con.execute(
        "select month, issued_by, deadline, findings, forced from notice_issues order by id"
    ).fetchall()
    assert issues == [("2026-11", "张审核", "2026-12-06", 7, 0), ("2026-12", "张审核", "2026-12-19", 3, 0)]
    files = con.execute("select f.month, f.path, f.unit, f.kind from notice_files f order by f.id").fetchall()
    extracts = [f for f in files if f[3] == "extract" and f[0] == "2026-12"]
    assert [f[2] for f in extracts] == ["示例县人民政府办公室"] * 3  # html, pdf, docx; 县统计局 had no problem
    html = (scenario.out / next(f[1] for f in extracts if f[1].endswith(".html"))).read_text(encoding="utf-8")
    sel = Selector(text=html)
    listed = {
        key({"rule": r.attrib["data-rule"], "url": r.css("td.url::text").get()})
        for r in sel.css("table.unit-problems tr[data-rule]")
    }
    assert listed == {DEAD, STALE_NEWS, MISSING_ATTACHMENT}
    assert "示例县人民政府办公室问题清单" in html and "2026-12-08" in html  # the extended deadline, not the notice's
    # re-issuing a month is refused, and changes nothing
    again = run_monitor(
        "-c", str(scenario.cfg), "report", "--month", "2026-12", "--as-of", "2026-12-09", "--issue", cwd=scenario.tmp
    )
    assert again.returncode == 2 and "已于" in again.stderr and "张审核" in again.stderr and "--force" in again.stderr
    assert con.execute("select count(*) from notice_issues").fetchone()[0] == 2


def test_december_notice_in_pdf_and_docx(scenario):
    from docx import Document
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(scenario.out / "督查通报-2026-12.pdf").pages)
    flat = "".join(text.split())
    assert "关于2026年12月全县政府网站和政务新媒体检查情况的通报" in flat
    assert "一、总体情况" in flat and "二、主要问题" in flat and "三、整改要求" in flat and "附件2" in flat
    assert "整改后重新出现1个" in flat
    doc = Document(str(scenario.out / "督查通报-2026-12.docx"))
    paras = [p.text for p in doc.paragraphs]
    assert paras[0] == "示例县人民政府办公室" and "示政办函〔2026〕12号" in paras
    assert len(doc.inline_shapes) == 3  # the screenshots


def test_ledger_has_summary_and_unit_sheets_with_history(scenario):
    wb = load_workbook(scenario.out / "整改台账-2026-12.xlsx")
    assert wb.sheetnames == ["汇总", "全部问题", "示例县人民政府办公室"]
    ws = wb["示例县人民政府办公室"]
    header = [c.value for c in ws[2]]
    assert header[:14] == [
        "序号",
        "发现日期",
        "单位",
        "网站/账号",
        "问题类别",
        "问题描述",
        "URL",
        "所在页面",
        "链接文字",
        "严重程度",
        "整改期限",
        "状态",
        "整改完成日期",
        "复查结果",
    ]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert wb["全部问题"].freeze_panes == "A2" and wb["全部问题"].auto_filter.ref.startswith("A1:")
    rows = {urlsplit(r[6]).path: r for r in ws.iter_rows(min_row=3, values_only=True)}
    # December's ledger: what was still open on 12-01 or fixed during December (the article link was fixed on 12-01)
    assert len(rows) == 7
    gone = rows["/gone.html"]
    assert gone[11] == "已整改" and gone[12] == "2026-12-03" and "复查" in gone[13]
    assert "已通报 → 待复核" in gone[14] and "待复核 → 已整改" in gone[14]
    assert gone[7] and all(p.startswith("http://127.0.0.1:") for p in gone[7].split("\n"))  # every referring page
    assert gone[8]  # and the link text there
    assert rows[MISSING_ATTACHMENT][11] == "已通报" and "已整改 → 重新出现" in rows[MISSING_ATTACHMENT][14]
    assert rows[STALE_NOTICE][11] == "无法整改"
    summary = [[c.value for c in r] for r in wb["汇总"].iter_rows(min_row=4, max_row=6)]
    head = summary[0]
    assert summary[1][0] == "示例县人民政府办公室" and summary[1][1] == 7
    assert summary[1][head.index("已整改")] == 3 and summary[1][head.index("逾期")] == 2
