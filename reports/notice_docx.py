"""The monthly notice as a Word document (python-docx), from the same ``NoticeView`` as the HTML.

Laid out like a government document (GB/T 9704 habits): red issuer header and
文号 above a red rule, title in 小标宋 (bold), body in 仿宋 三号, first-level
headings in 黑体, second-level in 楷体, signature and date at the right, the
attachments on landscape pages. East-Asian font names are set explicitly
(w:eastAsia), or Word falls back to a Latin font for Chinese text.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from monitor.model import xml_safe
from monitor.model.views import NoticeView, ProblemRow

FANGSONG, HEITI, KAITI, XIAOBIAOSONG = "仿宋", "黑体", "楷体", "方正小标宋简体"
RED = RGBColor(0xDD, 0x00, 0x00)
BODY = Pt(16)  # 三号
TABLE = Pt(10.5)  # 五号


def _font(run: Run, name: str, size: Length = BODY, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _para(
    doc: DocumentObject,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: Length = BODY,
    bold: bool = False,
    color: RGBColor | None = None,
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
    indent: bool = True,
    style: str | None = None,
) -> Paragraph:
    p = doc.add_paragraph(style=style)
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(size.pt * 2) if indent else None
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28) if size == BODY else None
    if text:
        _font(p.add_run(xml_safe(text)), font, size, bold=bold, color=color)
    return p


def _heading(doc: DocumentObject, text: str, level: int) -> Paragraph:
    """Real Word headings (navigation pane, outline), dressed in 黑体/楷体."""
    p = doc.add_paragraph(style=f"Heading {level}")
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(32)
    fmt.space_before, fmt.space_after = Pt(6), Pt(0)
    _font(p.add_run(xml_safe(text)), HEITI if level == 1 else KAITI, BODY, bold=level == 2, color=RGBColor(0, 0, 0))
    return p


def _rule(paragraph: Paragraph, side: str) -> None:
    """A thin black line above or below a paragraph (the 版记 lines)."""
    ppr = paragraph._element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is None:
        border = OxmlElement("w:pBdr")
        ppr.append(border)
    el = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        el.set(qn(k), v)
    border.append(el)


def _red_rule(paragraph: Paragraph) -> None:
    ppr = paragraph._element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "24"), ("w:space", "4"), ("w:color", "DD0000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


def _table(doc: DocumentObject, header: list[str], rows: list[list[str]]) -> Table:
    t: Table = doc.add_table(rows=1, cols=len(header))  # python-docx leaves this one unannotated
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, header):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(xml_safe(text)), HEITI, TABLE)
    for values in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(xml_safe(str(text))), FANGSONG, TABLE)
    return t


def _field(paragraph: Paragraph, instr: str) -> None:
    """A Word field (PAGE …): Word computes it when the document is shown or printed."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)
    _font(run, FANGSONG, Pt(14))


def _page_numbers(section: Section, *, draft: bool) -> None:
    """“— 1 —” centred in the footer, as government documents number their pages (and 征求意见稿 on drafts)."""
    section.footer.is_linked_to_previous = False
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), FANGSONG, Pt(14))
    _field(p, "PAGE")
    _font(p.add_run(" —"), FANGSONG, Pt(14))
    if draft:
        h = section.header
        h.is_linked_to_previous = False
        hp = h.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _font(hp.add_run("征求意见稿"), HEITI, Pt(12), color=RED)


def _widths(table: Table, cm: list[float]) -> None:
    """Column widths that keep unit names and dates whole (Word needs them on every cell)."""
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, cm):
            cell.width = Cm(w)


def _landscape_section(doc: DocumentObject) -> Section:
    sec: Section = doc.add_section()  # python-docx leaves this one unannotated
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Cm(2)
    return sec


def _problem(doc: DocumentObject, view: NoticeView, no: int, r: ProblemRow, *, with_category: bool) -> None:
    tail = f"（{r.flag}）" if r.flag else ""
    what = f"{r.category}。{r.evidence}" if with_category else r.evidence
    text = f"{no}. {r.unit}“{r.site_name}”：{what}{tail}。链接：{r.url}"
    if r.source_url and r.source_url != r.url:
        text += f"（所在页面：{r.source_url}）"
    _para(doc, text)
    if r.shot_id and r.shot_id in view.shots:
        doc.add_picture(io.BytesIO(view.shots[r.shot_id]), width=Cm(14))
        _para(doc, r.shot_caption, size=TABLE, indent=False)


def render_notice_docx(view: NoticeView) -> DocumentObject:
    """A ``docx.Document`` of the notice. No queries, no thresholds."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FANGSONG, BODY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)

    _page_numbers(sec, draft=view.draft)
    _para(
        doc,
        view.issuer,
        font=XIAOBIAOSONG,
        size=Pt(30),
        bold=True,
        color=RED,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    no = _para(doc, view.doc_number or "", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(no)
    _para(doc, "", indent=False)
    title = _para(
        doc, view.title, font=XIAOBIAOSONG, size=Pt(22), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    title.style = doc.styles["Title"]
    for run in title.runs:
        _font(run, XIAOBIAOSONG, Pt(22), bold=True, color=RGBColor(0, 0, 0))
    _para(doc, f"{view.addressees}：", indent=False)
    _para(
        doc,
        f"根据{'和'.join(view.basis)}要求，{view.issuer}采取系统监测加人工审核的方式，对{view.period}"
        f"{view.region}政府网站和政务新媒体运行情况进行了检查。现将有关情况通报如下：",
    )

    _heading(doc, "一、总体情况", 1)
    total, veto = len(view.all_rows), len(view.veto_rows)
    text = (
        f"本次共检查政府网站 {view.sites_checked} 个，其中不合格（存在单项否决问题或得分低于60分）的 "
        f"{view.sites_failed} 个，合格率 {view.pass_rate}。"
    )
    nm = view.newmedia
    if nm is not None:
        platforms = "，".join(f"{p['platform']} {p['pass_rate']}" for p in nm.platforms)
        text += (
            f"本次共检查政务新媒体账号 {nm.accounts_checked} 个，其中可核实 {nm.accounts_judged} 个、存在单项否决问题的 "
            f"{nm.accounts_failed} 个，合格率 {nm.pass_rate}" + (f"（{platforms}）" if platforms else "")
        )
        if nm.accounts_unverifiable:
            text += f"；另有 {nm.accounts_unverifiable} 个账号因数据源无法访问或返回异常，本次无法核实，未计入合格率"
        text += "。"
    elif view.accounts_checked:
        text += (
            f"检查政务新媒体账号 {view.accounts_checked} 个，其中存在单项否决问题的 {view.accounts_failed} 个，"
            f"合格率 {view.account_pass_rate}。"
        )
    text += f"共发现问题 {total} 个，其中单项否决问题 {veto} 个、扣分问题 {total - veto} 个。"
    _para(doc, text)
    if view.category_rows:
        _para(doc, "按问题类型统计如下：")
        t = _table(
            doc,
            ["序号", "问题类型", "性质", "问题数", "涉及单位", "逾期/再现"],
            [
                [
                    str(i),
                    c["category"],
                    "单项否决" if c["severity"] == "否决" else c["severity"],
                    str(c["count"]),
                    str(c["units"]),
                    str(c["overdue"]),
                ]
                for i, c in enumerate(view.category_rows, 1)
            ]
            + [
                [
                    "",
                    "合计",
                    "",
                    str(total),
                    str(len(view.unit_summary)),
                    str(sum(c["overdue"] for c in view.category_rows)),
                ]
            ],
        )
        _widths(t, [1.3, 6.0, 2.2, 1.8, 2.0, 2.2])
    if view.platform_rows and nm is None:
        _para(
            doc,
            "分平台看，"
            + "；".join(f"{p['platform']}检查 {p['checked']} 个、合格率 {p['pass_rate']}" for p in view.platform_rows)
            + "。",
        )
    rv = view.review
    if rv is not None and rv.notified:
        text = (
            f"上期（{rv.month}）通报的 {rv.notified} 个问题，经复查已整改 {rv.fixed} 个，逾期未整改 {rv.overdue} 个，"
            f"整改后重新出现 {rv.reopened} 个"
        )
        if rv.wontfix:
            text += f"，经审核确认无法整改 {rv.wontfix} 个"
        if getattr(rv, "dismissed", 0):
            text += f"，经审核不成立 {rv.dismissed} 个"
        if rv.pending:
            text += f"，正在整改 {rv.pending} 个"
        _para(doc, text + "。")

    _heading(doc, "二、主要问题", 1)
    if not view.all_rows:
        _para(doc, "本次检查未发现问题。")
    if view.sections:
        _para(
            doc,
            "各类问题的数量、涉及单位和典型问题如下；每个单位的完整问题清单随本通报分送各单位，并列入整改台账"
            + ("（亦见附件2）。" if view.full_list else "。"),
        )
    n = 0
    for sec_ in view.sections:
        n += 1
        _heading(doc, f"（{_cn(n)}）{sec_['title']}", 2)
        text = f"共 {sec_['count']} 个，涉及 {sec_['units']} 个单位"
        if sec_["units"] > 1:
            text += f"（{sec_['by_unit']}）"
        _para(doc, text + "。" + ("典型问题如下：" if sec_["more"] else ""))
        for i, r in enumerate(sec_["examples"], 1):
            _problem(doc, view, i, r, with_category=sec_["veto"])
        if sec_["more"]:
            _para(doc, f"另有同类问题 {sec_['more']} 个，见各单位问题清单。")

    if nm is not None:
        n += 1
        _heading(doc, f"（{_cn(n)}）政务新媒体", 2)
        _table(
            doc,
            ["平台", "检查账号数", "可核实", "单项否决", "无法核实", "合格率"],
            [
                [
                    p["platform"],
                    str(p["checked"]),
                    str(p["judged"]),
                    str(p["failed"]),
                    str(p["unverifiable"]),
                    p["pass_rate"],
                ]
                for p in nm.platforms
            ]
            + [
                [
                    "合计",
                    str(nm.accounts_checked),
                    str(nm.accounts_judged),
                    str(nm.accounts_failed),
                    str(nm.accounts_unverifiable),
                    nm.pass_rate,
                ]
            ],
        )
        if not nm.groups:
            _para(doc, "本次检查未发现政务新媒体问题。")
        for k, (category, rows) in enumerate(nm.groups.items(), 1):
            total_c = nm.group_totals.get(category, len(rows))
            _para(doc, f"{k}. {category}" + (f"（共 {total_c} 个，典型问题如下）" if total_c > len(rows) else ""))
            for i, r in enumerate(rows, 1):
                veto_mark = "（单项否决）" if r["severity"] == "否决" else ""
                _para(
                    doc,
                    f"（{i}）{r['unit']}{r['platform']}账号“{r['name']}”{veto_mark}："
                    f"{r['evidence'].rstrip('。')}。链接：{r['url']}",
                )
            if total_c > len(rows):
                _para(doc, f"另有同类问题 {total_c - len(rows)} 个，见各单位问题清单。")
        if nm.unverifiable:
            _para(doc, "无法核实的账号（数据源抓取失败或尚未抓取，本次不判定为不更新，请相关单位自查并核实数据源）：")
            for i, u in enumerate(nm.unverifiable, 1):
                _para(doc, f"（{i}）{u['unit']}{u['platform']}账号“{u['name']}”：{u['reason'].rstrip('。')}。")

    _heading(doc, "三、整改要求", 1)
    _para(
        doc,
        f"（一）请各有关单位对照本通报及附件所列问题认真整改，于{view.deadline}前完成整改，并将书面整改报告报送"
        f"{view.issuer}。逾期未整改的，将在下期通报中予以通报批评。",
    )
    _para(
        doc,
        "（二）各单位要落实政府网站和政务新媒体信息发布“三审三校”制度，建立问题整改台账，举一反三，防止同类问题再次发生。",
    )
    _para(
        doc,
        "（三）系统将在每次监测时自动复查，连续复查未再发现的问题视为已整改；已整改问题再次出现的，将重新列入通报。",
    )
    _para(doc, "")
    _para(doc, "附件：1. 各单位检查结果", indent=False)
    p = _para(doc, "2. " + ("问题清单" if view.full_list else "各单位问题分类统计"), indent=False)
    p.paragraph_format.left_indent = Pt(48)
    _para(doc, "")
    _para(doc, view.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, view.issued_on, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    if view.contact:
        _para(doc, view.contact, size=Pt(14), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, "")
    if view.cc:
        cc = _para(doc, f"抄送：{view.cc}。", size=Pt(14), indent=False)
        _rule(cc, "top")
    printed = _para(doc, view.printed_by + ("（征求意见稿，未印发）" if view.draft else ""), size=Pt(14), indent=False)
    _rule(printed, "top")
    _rule(printed, "bottom")

    _landscape_section(doc)
    _para(doc, "附件1", font=HEITI, indent=False)
    _para(
        doc, "各单位检查结果", font=XIAOBIAOSONG, size=Pt(18), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    t = _table(
        doc,
        ["序号", *[label for _, label in view.unit_columns]],
        [[str(i), *[str(u.get(k, "—")) for k, _ in view.unit_columns]] for i, u in enumerate(view.unit_rows, 1)],
    )
    rest = len(view.unit_columns) - 1
    _widths(t, [1.3, 7.5] + [(25.7 - 8.8) / max(rest, 1)] * rest)
    brk = _para(doc, "", indent=False)
    brk.add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "附件2", font=HEITI, indent=False)
    if view.full_list:
        _para(doc, "问题清单", font=XIAOBIAOSONG, size=Pt(18), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        t = _table(
            doc,
            ["序号", "单位", "网站/账号", "问题类别", "问题描述", "链接", "整改期限"],
            [
                [str(r.no), r.unit, r.site_name, f"{r.category}（{r.severity}）", r.evidence, r.url, r.deadline]
                for r in view.all_rows
            ],
        )
        _widths(t, [1.3, 3.4, 3.1, 2.8, 7.2, 5.4, 2.5])
    else:
        _para(
            doc,
            "各单位问题分类统计",
            font=XIAOBIAOSONG,
            size=Pt(18),
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
        )
        _para(
            doc,
            f"本期问题共 {len(view.all_rows)} 个，逐条清单按单位分送（各单位问题清单），并列入整改台账。",
            indent=False,
        )
        t = _table(
            doc,
            ["序号", "单位", "问题数", "单项否决", "逾期/再现", "问题类型及数量"],
            [
                [str(i), u["unit"], str(u["count"]), str(u["veto"]), str(u["flagged"]), u["kinds"]]
                for i, u in enumerate(view.unit_summary, 1)
            ],
        )
        _widths(t, [1.3, 5.7, 2.0, 2.0, 2.2, 12.5])
    if view.unverified_rows:
        _para(doc, "附：待核实事项", font=HEITI, indent=False)
        t = _table(
            doc,
            ["序号", "单位", "网站/账号", "说明", "链接"],
            [[str(r.no), r.unit, r.site_name, r.evidence, r.url] for r in view.unverified_rows[:200]],
        )
        _widths(t, [1.3, 4.0, 4.0, 8.4, 8.0])
        if len(view.unverified_rows) > 200:
            _para(doc, f"另有 {len(view.unverified_rows) - 200} 项，见整改台账。", indent=False)
    doc.core_properties.title = xml_safe(view.title + ("（征求意见稿）" if view.draft else ""))
    doc.core_properties.author = xml_safe(view.issuer)
    return doc


def _cn(i: int) -> str:
    return "一二三四五六七八九十"[i - 1] if 1 <= i <= 10 else str(i)


def render_unit_docx(
    view: NoticeView, unit: str, rows: list[ProblemRow], unverified: list[ProblemRow]
) -> DocumentObject:
    """One unit's extract as Word: its own problems, evidence and deadlines, on a landscape page."""
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Cm(2)
    _page_numbers(sec, draft=view.draft)
    _para(
        doc, f"{unit}问题清单", font=XIAOBIAOSONG, size=Pt(20), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    _para(doc, f"（《{view.title}》分送件）", size=Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    veto = sum(1 for r in rows if r.severity == "否决")
    _para(
        doc,
        f"{unit}：{view.period}检查发现贵单位存在以下 {len(rows)} 个问题"
        + (f"，其中单项否决问题 {veto} 个" if veto else "")
        + f"。请对照逐条整改，于整改期限前完成，并将书面整改报告报送{view.issuer}。",
        size=Pt(14),
    )
    t = _table(
        doc,
        ["序号", "网站/账号", "问题类别", "问题描述", "链接（所在页面）", "整改期限", "状态"],
        [
            [
                str(i),
                r.site_name,
                f"{r.category}（{r.severity}）",
                r.evidence + (f"（{r.flag}）" if r.flag else ""),
                r.url + (f"\n（{r.source_url}）" if r.source_url and r.source_url != r.url else ""),
                r.deadline,
                r.status,
            ]
            for i, r in enumerate(rows, 1)
        ],
    )
    _widths(t, [1.3, 3.2, 3.2, 7.2, 6.4, 2.5, 1.9])
    if unverified:
        _para(
            doc, "以下链接或页面检查时无法确认状态（如被拦截、超时），不计入问题，请自查：", size=Pt(14), indent=False
        )
        t = _table(
            doc,
            ["序号", "网站/账号", "说明", "链接"],
            [[str(i), r.site_name, r.evidence, r.url] for i, r in enumerate(unverified, 1)],
        )
        _widths(t, [1.3, 4.0, 10.0, 10.4])
    if view.contact:
        _para(doc, view.contact, size=Pt(14), indent=False)
    doc.core_properties.title = f"{unit}问题清单（{view.month}）"
    return doc
