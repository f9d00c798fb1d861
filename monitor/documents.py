"""Text out of documents: HTML pages, plain text, PDF, DOCX and XLSX.

The crawler uses it for attachments, ``monitor check-text`` for drafts. The
result is plain text with one line per paragraph, table row or sheet row, so
that line numbers in findings point somewhere a person can find.

Old binary Office formats (.doc, .xls) and scanned PDFs without a text layer
cannot be read here: the first raise :class:`DocumentError`, the second give
an empty string (the caller records the text as unverified).
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

__all__ = ["DocumentError", "extract_text", "detect_format", "MAX_BYTES"]

MAX_BYTES = 50 * 1024 * 1024  # larger inputs are refused rather than parsed


class DocumentError(Exception):
    """The input cannot be read as text; the message (Chinese) names the cause and, where known, the fix."""


_EXT = {
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".jsp": "html", ".asp": "html",
    ".aspx": "html", ".php": "html",
    ".txt": "text", ".text": "text", ".md": "text", ".csv": "text",
    ".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".doc": "doc", ".xls": "xls", ".wps": "doc", ".et": "xls", ".ppt": "ppt", ".pptx": "ppt",
}
_CTYPE = {
    "text/html": "html", "application/xhtml+xml": "html", "text/plain": "text", "text/csv": "text",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/msword": "doc", "application/vnd.ms-excel": "xls",
}


def detect_format(data: bytes, *, filename: str = "", content_type: str = "") -> str:
    """html | text | pdf | docx | xlsx | doc | xls | ppt, from magic bytes, then name, then content type."""
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 compound file: .doc / .xls / .ppt
        ext = _EXT.get(PurePath(filename).suffix.lower(), "")
        return ext if ext in ("doc", "xls", "ppt") else "doc"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if any(n.startswith("ppt/") for n in names):
            return "ppt"
    by_name = _EXT.get(PurePath(filename).suffix.lower())
    if by_name:
        return by_name
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in _CTYPE:
        return _CTYPE[ctype]
    sniff = data[:1024].lstrip().lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in sniff or b"<head" in sniff:
        return "html"
    return "text"


def extract_text(data: bytes, *, filename: str = "", content_type: str = "") -> str:
    """Plain text of ``data``; raises DocumentError (Chinese message) when it cannot be read."""
    label = filename or "输入"
    if len(data) > MAX_BYTES:
        raise DocumentError(f"{label}：文件过大（{len(data) // (1024 * 1024)} MB，上限 {MAX_BYTES // (1024 * 1024)} MB）")
    fmt = detect_format(data, filename=filename, content_type=content_type)
    try:
        if fmt == "html":
            return html_text(decode_text(data, content_type=content_type, html=True))
        if fmt == "text":
            return _normalise(decode_text(data, content_type=content_type), keep_lines=True)
        if fmt == "pdf":
            return _pdf_text(data)
        if fmt == "docx":
            return _docx_text(data)
        if fmt == "xlsx":
            return _xlsx_text(data)
    except DocumentError as exc:
        raise DocumentError(f"{label}：{exc}") from exc.__cause__
    except Exception as exc:  # parsers raise many types on malformed input
        raise DocumentError(f"{label}：无法解析为 {fmt.upper()} 文件（{type(exc).__name__}: {exc}），文件可能已损坏") from exc
    old = {"doc": "Word 97-2003（.doc）", "xls": "Excel 97-2003（.xls）", "ppt": "PowerPoint"}[fmt]
    fix = {"doc": "请另存为 .docx 或 PDF 后再检查", "xls": "请另存为 .xlsx 后再检查", "ppt": "请导出为 PDF 后再检查"}[fmt]
    raise DocumentError(f"{label}：暂不支持 {old} 格式，{fix}")


# ---------------------------------------------------------------- text and encodings

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def _codec(name: str) -> str | None:
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        import codecs
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_text(data: bytes, *, content_type: str = "", html: bool = False) -> str:
    """UTF-8 (BOM honoured), else a declared charset, else GB18030, else charset-normalizer's guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = []
    m = _CT_CHARSET.search(content_type or "")
    if m:
        declared.append(m.group(1))
    if html:
        m2 = _META_CHARSET.search(data[:4096])
        if m2:
            declared.append(m2.group(1).decode("ascii", "ignore"))
    for name in declared:
        codec = _codec(name)
        if codec and codec != "utf-8":
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DocumentError("无法识别文本编码（既不是 UTF-8 也不是 GB18030），请转存为 UTF-8 后再检查")
    return str(best)


def _normalise(text: str, *, keep_lines: bool = False) -> str:
    """Unix newlines; with ``keep_lines`` every line stays where it was (line numbers of a text file
    stay true), otherwise whitespace runs collapse and blank lines go."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if keep_lines:
        return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------- HTML

_DROP = {"script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "canvas", "select"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section",
          "article", "header", "footer", "nav", "aside", "blockquote", "pre", "dd", "dt", "dl", "form", "hr",
          "main", "figure", "figcaption", "caption", "tbody", "thead", "address"}
_CELL = {"td", "th"}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def html_text(markup: str) -> str:
    """Visible text of an HTML document: scripts, styles and comments dropped, one line per block."""
    from lxml import etree, html as lxml_html

    markup = _XML_DECL.sub("", markup)
    if not markup.strip():
        return ""
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return ""
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if not tag or tag in _DROP:  # comments, processing instructions, invisible elements
            if el.tail:
                parts.append(el.tail)
            return
        style = (el.get("style") or "").replace(" ", "").lower()
        hidden = "display:none" in style or "visibility:hidden" in style or el.get("hidden") is not None
        if not hidden:
            if tag in _BLOCK:
                parts.append("\n")
            elif tag in _CELL:
                parts.append("\t")
            if el.text:
                parts.append(el.text)
            for child in el:
                walk(child)
            if tag in _BLOCK:
                parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    text = "".join(parts).replace("\xa0", " ")
    return _normalise(text)


# ---------------------------------------------------------------- PDF, DOCX, XLSX

def _pdf_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text as pdf_extract
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        text = pdf_extract(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise DocumentError("PDF 已加密，无法读取文字；请提供未加密的版本") from exc
    except PDFSyntaxError as exc:
        raise DocumentError(f"不是有效的 PDF 文件（{exc}）") from exc
    return _normalise(text.replace("\x0c", "\n"))


def _docx_text(data: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []

    def table_lines(table: Table) -> None:
        for row in table.rows:
            cells: list[str] = []
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat
                    continue
                seen.add(id(cell._tc))
                cells.append(" ".join(p.text for p in cell.paragraphs).strip())
                for inner in cell.tables:
                    table_lines(inner)
            lines.append("\t".join(cells))

    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            table_lines(Table(block, document))
    return _normalise("\n".join(lines))


def _xlsx_text(data: bytes) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    try:
        for ws in wb.worksheets:
            lines.append(f"【{ws.title}】")
            for row in ws.iter_rows(values_only=True):
                cells = ["" if v is None else _cell_str(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    lines.append("\t".join(cells))
    finally:
        wb.close()
    return _normalise("\n".join(lines))


def _cell_str(v: object) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)
