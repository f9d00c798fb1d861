"""Text extraction from HTML, plain text, PDF, DOC/DOCX and XLS/XLSX."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from spiders.documents import DocumentError, detect_format, extract_text


def test_html_visible_text_without_scripts_styles_or_hidden_parts():
    page = (
        "<html><head><title>标题不算正文</title><style>p{color:red}</style></head><body>"
        "<script>var x='按装';</script><div>第一段<span>正文</span></div><p>第二段</p>"
        "<!-- 注释 --><div style='display: none'>隐藏</div><table><tr><td>甲</td><td>乙</td></tr></table>"
        "</body></html>"
    ).encode("utf-8")
    text = extract_text(page, filename="a.html")
    assert text.splitlines() == ["第一段正文", "第二段", "甲 乙"]
    assert "按装" not in text and "注释" not in text and "隐藏" not in text and "标题" not in text


def test_html_in_gb2312_declared_in_meta():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
        "<body><p>县人民政府办公室</p></body></html>"
    ).encode("gb18030")
    assert extract_text(page, content_type="text/html") == "县人民政府办公室"


def test_plain_text_utf8_and_gb18030():
    assert extract_text("第一行\r\n第二行".encode("utf-8"), filename="a.txt") == "第一行\n第二行"
    assert extract_text("关于做好防汛工作的通知".encode("gb18030"), filename="a.txt") == "关于做好防汛工作的通知"
    assert extract_text("\ufeff带BOM".encode("utf-8"), filename="a.txt") == "带BOM"


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("关于补贴发放的公示")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "姓名", "手机"
    table.cell(1, 0).text, table.cell(1, 1).text = "张三", "13812345678"
    d.add_paragraph("特此公示。")
    buf = io.BytesIO()
    d.save(buf)
    text = extract_text(buf.getvalue(), filename="a.docx")
    assert text.splitlines() == ["关于补贴发放的公示", "姓名 手机", "张三 13812345678", "特此公示。"]


def test_xlsx_rows(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["姓名", "手机"])
    ws.append(["李四", 13912345678])
    buf = io.BytesIO()
    wb.save(buf)
    text = extract_text(buf.getvalue(), filename="名单.xlsx")
    assert text.splitlines() == ["【名单】", "姓名 手机", "李四 13912345678"]


def test_pdf_text():
    weasyprint = pytest.importorskip("weasyprint")
    pdf = weasyprint.HTML(string="<p>请按装最新版本。</p><p>第二段</p>").write_pdf()
    assert detect_format(pdf) == "pdf"
    text = extract_text(pdf, filename="a.bin")
    assert "请按装最新版本。" in text and text.index("请按装") < text.index("第二段")


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"%PDF-1.4 this is not a pdf", "broken.pdf", "PDF"),
        (b"PK\x03\x04 not a zip", "broken.docx", "DOCX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.doc", "DOC"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "XLS"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "slides.ppt", "PDF"),
    ],
)
def test_unreadable_input_raises_document_error_naming_the_file(data, name, message):
    with pytest.raises(DocumentError) as err:
        extract_text(data, filename=name)
    assert name in str(err.value) and message in str(err.value)


FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_word_97_document_text_from_a_real_file():
    data = (FIXTURES / "harmless-clean.doc").read_bytes()
    assert detect_format(data, filename="x.doc") == "doc"
    text = extract_text(data, filename="harmless-clean.doc")
    lines = text.splitlines()
    assert lines[0] == "Test" and lines[1] == "This is a harmless test document."
    assert "ünicöde-ßtringß" in text  # 8-bit (cp1252) pieces decoded right


def _word_streams(pieces: list[tuple[str, bool]]) -> tuple[bytes, bytes]:
    """A WordDocument stream (FIB header + text) and a table stream holding a piece table (MS-DOC 2.9.177)
    for ``pieces``: (text, compressed) each; compressed pieces are stored 8-bit, the others UTF-16LE."""
    import struct

    word = bytearray(0x400)
    struct.pack_into("<H", word, 0, 0xA5EC)
    cps, pcds, cp = [0], [], 0
    for text, compressed in pieces:
        fc = len(word)
        word += text.encode("cp1252") if compressed else text.encode("utf-16-le")
        cp += len(text)
        cps.append(cp)
        pcds.append(struct.pack("<HIH", 0, (fc * 2) | 0x40000000 if compressed else fc, 0))
    plc = struct.pack(f"<{len(cps)}I", *cps) + b"".join(pcds)
    table = b"\x01" + struct.pack("<h", 2) + b"\0\0" + b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", word, 0x1A2, 0, len(table))
    return bytes(word), table


def test_word_97_unicode_pieces_fields_and_tables():
    from spiders.documents import doc_plain_text

    word, table = _word_streams(
        [
            ("Report\r", True),
            ("关于低保对象的公示\r姓名\x07身份证号\x07\x07张三\x07110105197603154025\x07\x07\r", False),
            ('详见\x13 HYPERLINK "http://x.gov.cn/" \x14政府网站\x15。\x0c第二页\x01\r', False),
        ]
    )
    text = doc_plain_text(word, table)
    assert text.splitlines() == [
        "Report",
        "关于低保对象的公示",
        "姓名\t身份证号\t\t张三\t110105197603154025\t\t",
        "详见政府网站。",
        "第二页",
    ]
