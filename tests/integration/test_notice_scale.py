"""The notice at real size (4,000 findings over 12 units): counts per unit and problem type, a few typical
examples per type, the full lists left to the per-unit extracts; the PDF stays a document people read.

The PDF pages are rasterised with pdftoppm into MONITOR_SCREENSHOTS (or the test's folder) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from parsel import Selector

from monitor.notices.notice import LIST_ALL, TYPICAL, VETO_TYPICAL, build_notice, issue_notice
from monitor.store import Finding, Store
from reports.notice import write_notice, write_unit_extracts
from tests import big_county as bc
from tests.conftest import need_service

MAX_PAGES = 20


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("county")
    cfg = bc.config(tmp)
    store = Store(cfg.storage.url)
    assert bc.seed(store, cfg, 4000) == 4000
    yield tmp, cfg, store
    store.close()


def test_body_gives_counts_and_typical_examples_not_every_finding(county):
    tmp, cfg, store = county
    view = build_notice(store, cfg, month="2026-11", as_of=bc.DAY)
    assert len(view.all_rows) == 4000 and view.draft and not view.full_list
    # per problem type: counts adding up to the total
    assert sum(c["count"] for c in view.category_rows) == 4000
    assert {c["category"]: c["count"] for c in view.category_rows}["链接不可用"] == 2800
    # per type a few typical examples, from different units first
    for sec in view.sections:
        cap = VETO_TYPICAL if sec["veto"] else TYPICAL
        assert len(sec["examples"]) <= max(cap, LIST_ALL if sec["count"] <= LIST_ALL else 0)
        assert len(sec["examples"]) + sec["more"] == sec["count"]
        assert len({r.unit for r in sec["examples"]}) == len(sec["examples"])  # 12 units: no unit twice
    html = Selector(text=__import__("reports.notice", fromlist=["x"]).render_notice_html(view))
    body_examples = html.css("p.example")
    assert 10 <= len(body_examples) <= 30
    assert html.css("#category-summary tr.category td:nth-child(4)::text").getall()[:1] == ["200"]  # veto first
    assert len(html.css("tr.unit-summary")) == len(bc.UNITS)  # 附件2: per unit and type, not 4,000 rows
    assert not html.css("#att2 tr[data-rule]")
    assert "另有同类问题 2797 个" in html.get()
    assert html.css("#draft-mark::text").get() == "征求意见稿"
    assert "抄送：县委办公室，县人大常委会办公室。" in html.get() and "联系人：张三" in html.css("#contact::text").get()
    with store.session() as s:  # a draft moves nothing
        assert {f.status for f in s.query(Finding)} == {"待整改"} and not any(f.deadline for f in s.query(Finding))


def test_pdf_page_count_is_bounded_and_pages_are_readable(county):
    from pypdf import PdfReader

    if not shutil.which("pdftoppm"):
        need_service("pdftoppm (Debian poppler-utils) is not installed")
    tmp, cfg, store = county
    view = build_notice(store, cfg, month="2026-11", as_of=bc.DAY)
    (pdf,) = write_notice(view, tmp / "out", ("pdf",))
    reader = PdfReader(pdf)
    assert len(reader.pages) <= MAX_PAGES, len(reader.pages)
    first = "".join(reader.pages[0].extract_text().split())
    assert "一、总体情况" in first and "本次共检查政府网站24个" in first
    # annex 1: a unit name is never broken one character a line (its column is wide enough)
    annex = next(p.extract_text() for p in reader.pages if "附件1" in p.extract_text() and "排名" in p.extract_text())
    assert all(
        u in annex.split("\n") or any(line.startswith(u) or f" {u} " in f" {line} " for line in annex.split("\n"))
        for u in bc.UNITS
    ), annex  # each unit name whole on one line
    shots = Path(os.environ.get("MONITOR_SCREENSHOTS") or tmp / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(shots / "notice-4000")], check=True)
    pngs = sorted(shots.glob("notice-4000*.png"))
    assert len(pngs) == len(reader.pages)


def test_issuing_writes_each_unit_its_full_list(county, tmp_path):
    tmp, cfg, store = county
    view, issue_id = issue_notice(store, cfg, month="2026-11", as_of=bc.DAY, actor="张审核")
    assert not view.draft and view.issued_by == "张审核" and issue_id
    files = write_unit_extracts(view, tmp_path, ("html",))
    assert len(files) == len(bc.UNITS)
    total = 0
    for unit, path in files:
        sel = Selector(text=path.read_text(encoding="utf-8"))
        rows = sel.css("table.unit-problems tr[data-rule]")
        total += len(rows)
        assert sel.css("h1::text").get() == f"{unit}问题清单"
        assert all(r.css("td.nowrap::text").get() == "2026-12-06" for r in rows)  # its deadline on every row
    assert total == 4000
    with store.session() as s:
        assert {f.status for f in s.query(Finding)} == {"已通报"}
