"""Attachments are read: the crawl extracts DOC/DOCX/XLS/XLSX text so the content rules (W-S4) see inside them."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rules.content.pii import valid_resident_id
from tests.conftest import DEMO_DAY, findings_json, run_monitor
from tests.local_http import page, serve, sites_yaml


def resident_id(first17: str) -> str:
    """GB 11643 check digit appended."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


DOCX_ID = resident_id("35010219880512123")
XLSX_ID = resident_id("11010519760315402")
XLS_ID = resident_id("44030419850101234")


def build_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("关于2026年低保对象的公示")
    d.add_paragraph(f"张三，男，身份证号{DOCX_ID}，家庭人口3人。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def build_xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "补贴金额"])
    ws.append(["李四", XLSX_ID, 1200])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_xls() -> bytes:
    """An Excel 97-2003 workbook, as many county sites still publish their lists."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("临时救助")
    for c, v in enumerate(["姓名", "身份证号码", "救助金额"]):
        ws.write(0, c, v)
    for c, v in enumerate(["王五", XLS_ID, 800]):
        ws.write(1, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_route(files: dict[str, bytes]):
    def route(path: str, srv):
        if path == "/":
            return 200, {}, page("首页", "<a href='/gsgg/dibao.html'>低保公示</a>")
        if path == "/gsgg/dibao.html":
            return (
                200,
                {},
                page(
                    "低保公示",
                    """<p>名单见附件。</p>
                <a href='/files/dibao.docx'>低保名单.docx</a> <a href='/files/butie.xlsx'>补贴表.xlsx</a>
                <a href='/files/jiuzhu.xls'>救助表.xls</a> <a href='/files/notice.doc'>通知.doc</a>
                <a href='/files/broken.docx'>损坏的附件</a> <a href='/files/missing.pdf'>缺失的附件</a>
                <a href='/files/huge.pdf'>超大附件</a>""",
                ),
            )
        if path == "/files/dibao.docx":
            return 200, {"Content-Type": DOCX}, files["docx"]
        if path == "/files/butie.xlsx":
            return 200, {"Content-Type": XLSX}, files["xlsx"]
        if path == "/files/jiuzhu.xls":
            return 200, {"Content-Type": "application/vnd.ms-excel"}, files["xls"]
        if path == "/files/notice.doc":
            return 200, {"Content-Type": "application/msword"}, files["doc"]
        if path == "/files/broken.docx":
            return 200, {"Content-Type": DOCX}, b"PK\x03\x04 this is not really a zip file"
        if path == "/files/huge.pdf":
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n" + b"0" * 300_000
        return 404, {}, page("404", "")

    return route


@pytest.fixture(scope="module")
def attachment_crawl(tmp_path_factory):
    assert all(valid_resident_id(n, today=DEMO_DAY) for n in (DOCX_ID, XLSX_ID, XLS_ID))
    tmp = tmp_path_factory.mktemp("attach")
    files = {
        "docx": build_docx(),
        "xlsx": build_xlsx(),
        "xls": build_xls(),
        "doc": (Path(__file__).parents[1] / "fixtures" / "harmless-clean.doc").read_bytes(),
    }
    with serve(make_route(files)) as srv:
        cfg = sites_yaml(tmp / "sites.yaml", [{"key": "att", "home": srv.url("/")}], max_attachment_bytes=200_000)
        db = tmp / "m.db"
        db_url = f"sqlite:///{db}"
        out = run_monitor("-c", cfg, "--db", db_url, "crawl", cwd=tmp)
        assert out.returncode == 0, out.stderr
        out = run_monitor("-c", cfg, "--db", db_url, "check", "--as-of", DEMO_DAY.isoformat(), cwd=tmp)
        assert out.returncode == 0, out.stderr
        yield {"db": db, "srv": srv, "rows": findings_json(db_url, tmp, "--status", "all")}


def test_personal_data_in_docx_xlsx_and_xls_attachments_is_found(attachment_crawl):
    srv = attachment_crawl["srv"]
    ws4 = [r for r in attachment_crawl["rows"] if r["rule"] == "W-S4"]
    by_url = {r["url"]: r for r in ws4}
    assert set(by_url) == {srv.url("/files/dibao.docx"), srv.url("/files/butie.xlsx"), srv.url("/files/jiuzhu.xls")}
    for r in ws4:
        assert r["source_url"] == srv.url("/gsgg/dibao.html")
        assert r["facts"]["text_kind"] == "attachment" and r["facts"]["kind"] == "身份证号"
    assert by_url[srv.url("/files/dibao.docx")]["facts"]["masked"] == DOCX_ID[:2] + "*" * 13 + DOCX_ID[-3:]
    assert XLSX_ID not in str(by_url[srv.url("/files/butie.xlsx")])  # evidence is masked


def test_unreadable_and_oversized_attachments_record_why(attachment_crawl):
    con = sqlite3.connect(attachment_crawl["db"])
    rows = {
        urlsplit(u).path: (status, attachment, text, err, kind)
        for u, status, attachment, text, err, kind in con.execute(
            "select url, status, attachment, text, text_error, error_kind from pages where url like '%/files/%'"
        )
    }
    assert rows["/files/dibao.docx"][1] == 1 and DOCX_ID in rows["/files/dibao.docx"][2]
    assert "【临时救助】" in rows["/files/jiuzhu.xls"][2] and XLS_ID in rows["/files/jiuzhu.xls"][2]
    assert rows["/files/notice.doc"][2].startswith("Test\nThis is a harmless test document.")
    assert rows["/files/broken.docx"][2] is None and "broken.docx" in rows["/files/broken.docx"][3]
    assert rows["/files/huge.pdf"][4] == "too_large"  # over max_attachment_bytes: not downloaded
    assert rows["/files/missing.pdf"][0] == 404


def test_broken_attachment_link_is_a_broken_link(attachment_crawl):
    srv = attachment_crawl["srv"]
    ws1 = [r for r in attachment_crawl["rows"] if r["rule"] == "W-S1"]
    assert [r["url"] for r in ws1] == [srv.url("/files/missing.pdf")]
    assert ws1[0]["evidence"].startswith("附件无法访问")
