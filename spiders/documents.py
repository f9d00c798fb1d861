"""Text out of documents: HTML pages, plain text, PDF, DOC/DOCX and XLS/XLSX.

The crawler uses it for attachments, ``monitor check-text`` for drafts. The
result is plain text with one line per paragraph, table row or sheet row, so
that line numbers in findings point somewhere a person can find.

Word 97-2003 files (.doc, and .wps saved in that format) are read through
their piece table (olefile opens the compound file); Excel 97-2003 (.xls,
.et) through xlrd. PowerPoint, encrypted files and Word 6/95 files raise
:class:`DocumentError` with the fix; scanned PDFs without a text layer give an
empty string (the caller records the text as unverified).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import PurePath

__all__ = ["DocumentError", "extract_text", "detect_format", "MAX_BYTES"]

MAX_BYTES = 50 * 1024 * 1024  # larger inputs are refused rather than parsed
# DOCX/XLSX are zip archives: a 2 MB file can unpack to gigabytes (a zip bomb). Each member's declared size
# is checked before parsing, and zipfile never inflates a member beyond its declared size (it stops there
# and fails the CRC), so these bound what the parsers can be made to read.
MAX_MEMBER_BYTES = 25 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000  # extracted text beyond this is cut (the content rules read far less)


class DocumentError(Exception):
    """The input cannot be read as text; the message (Chinese) names the cause and, where known, the fix."""


_EXT = {
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".jsp": "html",
    ".asp": "html",
    ".aspx": "html",
    ".php": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".csv": "text",
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".doc": "doc",
    ".xls": "xls",
    ".wps": "doc",
    ".et": "xls",
    ".ppt": "ppt",
    ".pptx": "ppt",
}
_CTYPE = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/csv": "text",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
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
        raise DocumentError(
            f"{label}：文件过大（{len(data) // (1024 * 1024)} MB，上限 {MAX_BYTES // (1024 * 1024)} MB）"
        )
    fmt = detect_format(data, filename=filename, content_type=content_type)
    try:
        if fmt == "html":
            return html_text(decode_text(data, content_type=content_type, html=True))
        if fmt == "text":
            return _normalise(decode_text(data, content_type=content_type), keep_lines=True)
        if fmt == "pdf":
            return _pdf_text(data)[:MAX_TEXT_CHARS]
        if fmt == "docx":
            _check_archive(data)
            return _docx_text(data)[:MAX_TEXT_CHARS]
        if fmt == "xlsx":
            _check_archive(data)
            return _xlsx_text(data)[:MAX_TEXT_CHARS]
        if fmt == "doc":
            return _doc_text(data)
        if fmt == "xls":
            return _xls_text(data)
    except DocumentError as exc:
        raise DocumentError(f"{label}：{exc}") from exc.__cause__
    except Exception as exc:  # parsers raise many types on malformed input
        raise DocumentError(
            f"{label}：无法解析为 {fmt.upper()} 文件（{type(exc).__name__}: {exc}），文件可能已损坏"
        ) from exc
    raise DocumentError(f"{label}：暂不支持 PowerPoint 格式，请导出为 PDF 后再检查")


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
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "form",
    "hr",
    "main",
    "figure",
    "figcaption",
    "caption",
    "tbody",
    "thead",
    "address",
}
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


def _check_archive(data: bytes) -> None:
    """Refuse a DOCX/XLSX whose members would unpack beyond the bounds (see MAX_MEMBER_BYTES)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        return  # the parser reports the damaged file
    total = 0
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            raise DocumentError(
                f"压缩包内的 {info.filename[:80]} 解压后有 {info.file_size // (1024 * 1024)} MB，"
                f"超过上限 {MAX_MEMBER_BYTES // (1024 * 1024)} MB（可能是“压缩炸弹”），未读取"
            )
        total += info.file_size
    if total > MAX_UNZIPPED_BYTES:
        raise DocumentError(
            f"文件解压后共 {total // (1024 * 1024)} MB，超过上限 {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB"
            "（可能是“压缩炸弹”），未读取"
        )


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
    try:
        return _sheets_text(
            (ws.title, (["" if v is None else _cell_str(v) for v in row] for row in ws.iter_rows(values_only=True)))
            for ws in wb.worksheets
        )
    finally:
        wb.close()


def _sheets_text(sheets) -> str:
    """(title, rows of cell strings) per sheet as text: a 【title】 line, then one tab-separated line a row."""
    lines: list[str] = []
    size = 0
    for title, rows in sheets:
        lines.append(f"【{title}】")
        for cells in rows:
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                lines.append("\t".join(cells))
                size += len(lines[-1]) + 1
                if size > MAX_TEXT_CHARS:  # a sheet of a million rows: the text is bounded, not the file
                    return _normalise("\n".join(lines))
    return _normalise("\n".join(lines))


# ---------------------------------------------------------------- Word 97-2003 (.doc)

_WORD_MAGIC = 0xA5EC  # FIB wIdent of Word 97 and later
_FIELD_BEGIN, _FIELD_SEP, _FIELD_END = "\x13", "\x14", "\x15"


def _doc_text(data: bytes) -> str:
    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if not ole.exists("WordDocument"):
            raise DocumentError("不是 Word 文档（文件中没有 WordDocument 部分），请另存为 .docx 或 PDF 后再检查")
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x1AA or struct.unpack_from("<H", word, 0)[0] != _WORD_MAGIC:
            raise DocumentError("是 Word 6/95 或更早的格式，请另存为 .docx 后再检查")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:  # fEncrypted
            raise DocumentError("文档已加密（设置了打开密码），无法读取；请去掉密码后再发布或检查")
        table = "1Table" if flags & 0x0200 else "0Table"  # fWhichTblStm
        if not ole.exists(table):
            raise DocumentError(f"文档缺少 {table} 部分，文件可能已损坏")
        return _normalise(doc_plain_text(word, ole.openstream(table).read()))


def doc_plain_text(word: bytes, table: bytes) -> str:
    """The text of a Word 97-2003 document from its WordDocument and table streams (MS-DOC 2.4.1).

    The piece table (the Clx at FibRgFcLcb97.fcClx) maps character positions to runs of bytes in the
    WordDocument stream, each either 8-bit (cp1252, "compressed") or UTF-16LE; Chinese text is the latter.
    """
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
    clx = table[fc_clx : fc_clx + lcb_clx]
    i = 0
    while i < len(clx) and clx[i] == 0x01:  # Prc: formatting modifiers, not text
        i += 3 + struct.unpack_from("<h", clx, i + 1)[0]
    if i + 5 > len(clx) or clx[i] != 0x02:
        raise DocumentError("文档的文本索引（piece table）无法识别，文件可能已损坏")
    plc = clx[i + 5 : i + 5 + struct.unpack_from("<I", clx, i + 1)[0]]
    n = (len(plc) - 4) // 12
    if n <= 0:
        return ""
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    parts: list[str] = []
    for k in range(n):
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * k + 2)[0]
        count = max(0, cps[k + 1] - cps[k])
        if fc & 0x40000000:
            start = (fc & 0x3FFFFFFF) // 2
            parts.append(word[start : start + count].decode("cp1252", "replace"))
        else:
            parts.append(word[fc : fc + 2 * count].decode("utf-16-le", "replace"))
    return _doc_visible("".join(parts))


def _doc_visible(raw: str) -> str:
    """Word's control characters as plain text: paragraph and cell marks become line and tab breaks, a
    field shows its result, not its code (``HYPERLINK "…"``), objects and marks are dropped."""
    out: list[str] = []
    fields: list[bool] = []  # per open field: whether its code part is over (its result is shown)
    for ch in raw:
        if ch == _FIELD_BEGIN:
            fields.append(False)
        elif ch == _FIELD_SEP:
            if fields:
                fields[-1] = True
        elif ch == _FIELD_END:
            if fields:
                fields.pop()
        elif fields and not fields[-1]:
            continue  # inside a field code
        elif ch in "\r\x0b\x0c":
            out.append("\n")
        elif ch == "\x07":  # end of a table cell or row
            out.append("\t")
        elif ch == "\t" or ch >= " ":
            out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------- Excel 97-2003 (.xls)


def _xls_text(data: bytes) -> str:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise DocumentError("表格已加密（设置了打开密码），无法读取；请去掉密码后再发布或检查") from exc
        raise
    try:
        return _sheets_text(
            (sheet.name, ([_xls_cell(c, book.datemode) for c in sheet.row(r)] for r in range(sheet.nrows)))
            for sheet in book.sheets()
        )
    finally:
        book.release_resources()


def _xls_cell(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            when = xlrd.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError):
            return _cell_str(cell.value)
        return when.date().isoformat() if when.time() == when.min.time() else when.isoformat(sep=" ")
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    return _cell_str(cell.value)


def _cell_str(v: object) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)
