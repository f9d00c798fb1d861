"""The notice in HTML, PDF and DOCX from one stored state: same data, same notice; real CJK glyphs in the PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from parsel import Selector

from monitor.check.checking import record_outcomes
from monitor.config import parse_config
from monitor.model import Severity
from monitor.notices.notice import build_notice
from monitor.store import Store
from reports.notice import render_notice_html, write_notice
from rules.base import Outcome, Verdict

DAY = date(2026, 11, 26)
HOSTILE = '<script>alert("x")</script>'


def config(tmp_path: Path):
    return parse_config(
        {
            "organisation": {
                "name": "示例县人民政府办公室",
                "issuer": "示例县政务公开办公室",
                "doc_number": "示政公〔2026〕",
                "region": "全县",
                "rectify_days": 10,
            },
            "units": [{"name": "县政府办"}, {"name": "县教育局"}, {"name": "县统计局"}],
            "sites": [
                {"key": "portal", "name": "示例县人民政府", "home": "http://127.0.0.1:1/", "unit": "县政府办"},
                {"key": "edu", "name": "示例县教育局", "home": "http://127.0.0.1:2/", "unit": "县教育局"},
            ],
            "storage": {"url": f"sqlite:///{tmp_path / 'n.db'}", "notices_dir": str(tmp_path / "out")},
        }
    )


@pytest.fixture
def seeded(tmp_path):
    cfg = config(tmp_path)
    store = Store(cfg.storage.url)
    veto = [
        Outcome(
            rule="W-V3",
            severity=Severity.VETO,
            verdict=Verdict.FINDING,
            subject=f"栏目{i}",
            url=f"http://127.0.0.1:2/c{i}/",
            evidence=f"“栏目{i}”栏目已 {30 + i} 天未更新",
        )
        for i in range(5)
    ]
    record_outcomes(store, site_key="edu", unit="县教育局", rule_ids=["W-V3"], outcomes=veto, as_of=DAY, run_id=None)
    links = [
        Outcome(
            rule="W-S1",
            severity=Severity.DEDUCTION,
            verdict=Verdict.FINDING,
            subject="http://127.0.0.1:1/gone.pdf",
            url="http://127.0.0.1:1/gone.pdf",
            evidence=f"附件无法访问（HTTP 404），如页面中的“{HOSTILE}”",
            source_url="http://127.0.0.1:1/a.html",
        ),
        Outcome(
            rule="W-S1",
            severity=Severity.NOTICE,
            verdict=Verdict.UNVERIFIED,
            subject="http://127.0.0.1:1/waf",
            url="http://127.0.0.1:1/waf",
            evidence="链接暂无法核实（HTTP 403（可能被拦截））",
        ),
    ]
    record_outcomes(
        store, site_key="portal", unit="县政府办", rule_ids=["W-S1"], outcomes=links, as_of=DAY, run_id=None
    )
    yield store, cfg
    store.close()


def test_same_stored_data_gives_the_same_notice(seeded):
    store, cfg = seeded
    first = render_notice_html(build_notice(store, cfg, month="2026-11", as_of=DAY))
    second = render_notice_html(build_notice(store, cfg, month="2026-11", as_of=DAY))
    assert first.encode() == second.encode()
    sel = Selector(text=first)
    assert sel.css("div.red-head::text").get() == "示例县政务公开办公室"
    assert sel.css("div.doc-no::text").get() == "示政公〔2026〕11号"
    assert HOSTILE not in first and "&lt;script&gt;" in first  # crawled text is escaped
    body = "".join(sel.xpath("//body//text()").getall())
    assert "本次共检查政府网站 2 个，其中不合格（存在单项否决问题或得分低于60分）的 1 个，合格率 50.0%" in body
    # veto items first, then deductions by type; each names unit, site, fact and URL
    h3 = sel.css("h3::text").getall()
    assert h3 == ["（一）单项否决问题", "（二）链接不可用"]
    assert "县教育局“示例县教育局”：栏目不更新。“栏目0”栏目已 30 天未更新" in body
    att1 = [[c.strip() for c in tr.css("td::text").getall()] for tr in sel.css("#att1 tbody tr")]
    assert [r[1] for r in att1] == ["县政府办", "县教育局", "县统计局"]
    # 检查结果, 得分, 排名: one broken link on a non-home page costs 0.1 (P2); a veto leaves no score, so no rank
    assert att1[0][-3:] == ["合格", "99.9", "1"] and att1[1][-3] == "不合格" and att1[1][-1] == "—"
    assert att1[2][-1] == "—"
    att2_head = sel.css("#att2 table")[0].css("th::text").getall()
    assert att2_head == ["序号", "单位", "网站/账号", "问题类别", "问题描述", "链接", "整改期限"]
    assert len(sel.css("#att2 tr[data-rule]")) == 6
    assert "http://127.0.0.1:1/waf" in sel.xpath("//h2[contains(., '待核实')]/following::table[1]").get()


def test_scores_come_from_scoring_unless_given_and_platform_rows_only_when_given(seeded):
    store, cfg = seeded
    plain = render_notice_html(build_notice(store, cfg, month="2026-11", as_of=DAY))
    assert "得分" in Selector(text=plain).css("#att1 th::text").getall()  # rules.scoring by default
    assert "分平台看" not in plain
    view = build_notice(
        store,
        cfg,
        month="2026-11",
        as_of=DAY,
        unit_scores={"县政府办": {"score": 92.5}, "县教育局": {"score": 0}, "县统计局": {"score": 80}},
        platform_rows=[{"platform": "微信", "checked": 3, "pass_rate": "66.7%"}],
    )
    html = render_notice_html(view)
    sel = Selector(text=html)
    assert "得分" in sel.css("#att1 th::text").getall()
    ranks = {tr.css("td::text").getall()[1]: tr.css("td::text").getall()[-1] for tr in sel.css("#att1 tbody tr")}
    assert ranks == {"县政府办": "1", "县教育局": "2", "县统计局": "—"}  # by score; a unit with no site is not ranked
    assert "分平台看，微信检查 3 个、合格率 66.7%。" in html


def test_pdf_has_the_text_and_real_cjk_glyphs(seeded, tmp_path):
    from pypdf import PdfReader

    from tests.conftest import need_service

    if not shutil.which("pdftoppm"):  # ./dev.sh installs poppler-utils; skipped elsewhere, failed under CI
        need_service("pdftoppm (Debian poppler-utils) is not installed")

    store, cfg = seeded
    view = build_notice(store, cfg, month="2026-11", as_of=DAY)
    pdf, docx = write_notice(view, tmp_path / "out", ("pdf", "docx"))
    reader = PdfReader(pdf)
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    for needle in (
        "关于2026年11月全县政府网站和政务新媒体检查情况的通报",
        "一、总体情况",
        "二、主要问题",
        "三、整改要求",
        "附件1",
        "各单位检查结果",
        "附件2",
        "问题清单",
        "http://127.0.0.1:1/gone.pdf",
        "示例县政务公开办公室",
    ):
        assert needle in text, needle
    fonts = {
        str(f["/BaseFont"])
        for page in reader.pages
        for f in (page["/Resources"].get("/Font") or {}).values()
        if "/BaseFont" in f.get_object()
    }
    assert any("CJK" in f for f in fonts), fonts

    page = _first_page_png(pdf, tmp_path / "real")
    w, h = page.size
    # the red issuer header: plenty of red pixels in the top band, where the red head sits
    top = page.crop((0, int(h * 0.10), w, int(h * 0.22)))
    assert sum(1 for r, g, b in top.getdata() if r > 180 and g < 80 and b < 80) > 1000
    # the title (black ink between the red rule and the addressees): CJK glyphs are many separate strokes,
    # a missing-glyph box is one connected outline per character.
    title_band = (0, int(h * 0.29), w, int(h * 0.40))
    n_chars = len(view.title)
    real = _ink_components(page.crop(title_band))
    assert real > 2 * n_chars, (real, n_chars)

    # Control: the same title with its Chinese characters in code points no font has (private use area), alone
    # on a page: tofu boxes. The measure must call that blank boxes, or the check above proves nothing.
    from weasyprint import HTML

    tofu_title = "".join(chr(0xE000 + i) if "\u4e00" <= c <= "\u9fff" else c for i, c in enumerate(view.title))
    tofu_pdf = tmp_path / "tofu.pdf"
    HTML(
        string=f"<h1 style=\"font: bold 22pt 'Noto Serif CJK SC', serif; margin-top: 8cm\">{tofu_title}</h1>"
    ).write_pdf(tofu_pdf)
    tofu = _ink_components(_first_page_png(tofu_pdf, tmp_path / "tofu").crop(title_band))
    assert 0 < tofu <= n_chars + 2, tofu


def _first_page_png(pdf: Path, stem: Path):
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)], check=True
    )
    return Image.open(f"{stem}.png").convert("RGB")


def _ink_components(band) -> int:
    """Connected blobs of black ink (4-neighbourhood); red is not ink here."""
    w, h = band.size
    px = band.load()
    ink = {(x, y) for y in range(h) for x in range(w) if max(px[x, y]) < 110}
    n = 0
    while ink:
        n += 1
        stack = [ink.pop()]
        while stack:
            x, y = stack.pop()
            for q in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if q in ink:
                    ink.remove(q)
                    stack.append(q)
    return n


def test_docx_is_a_government_document(seeded, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    store, cfg = seeded
    view = build_notice(store, cfg, month="2026-11", as_of=DAY)
    (path,) = write_notice(view, tmp_path / "out", ("docx",))
    doc = Document(str(path))
    paras = [p.text for p in doc.paragraphs]
    assert paras[:2] == ["示例县政务公开办公室", "示政公〔2026〕11号"]
    head = doc.paragraphs[0].runs[0]
    assert head.font.color.rgb is not None and str(head.font.color.rgb) == "DD0000" and head.font.bold
    assert "关于2026年11月全县政府网站和政务新媒体检查情况的通报" in paras
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["一、总体情况", "二、主要问题", "（一）单项否决问题", "（二）链接不可用", "三、整改要求"]
    h1 = next(p for p in doc.paragraphs if p.text == "一、总体情况").runs[0]
    assert h1._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    body = next(p for p in doc.paragraphs if p.text.startswith("本次共检查政府网站")).runs[0]
    assert body._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert paras[-2:] == ["问题清单", ""] or "问题清单" in paras
    assert "示例县政务公开办公室" in paras and "2026年11月26日" in paras  # signature and date
    summary = doc.tables[0]  # the body's counts per problem type
    assert [c.text for c in summary.rows[0].cells][:4] == ["序号", "问题类型", "性质", "问题数"]
    assert [c.text for c in summary.rows[-1].cells][1:4] == ["合计", "", "6"]
    # page numbers: a PAGE field in the footer every section shares; a draft says so in the header
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer
    assert doc.sections[1].footer.is_linked_to_previous
    assert "征求意见稿" in doc.sections[0].header.paragraphs[0].text
    att2 = doc.tables[2]
    assert [c.text for c in att2.rows[0].cells] == [
        "序号",
        "单位",
        "网站/账号",
        "问题类别",
        "问题描述",
        "链接",
        "整改期限",
    ]
    assert len(att2.rows) == 7 and HOSTILE in att2.rows[6].cells[4].text  # Word shows the text as text
    assert doc.sections[1].orientation == 1  # attachments on a landscape page
