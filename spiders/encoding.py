"""Decoding fetched pages: which charset to believe.

Order of evidence (first that decodes the bytes cleanly wins):

1. a byte-order mark (UTF-8, UTF-16);
2. the HTTP ``Content-Type`` charset;
3. the document's own declaration: ``<meta charset>`` / ``<meta http-equiv content="…charset=…">``
   or the XML declaration's ``encoding=``. Only ``<meta>`` tags count: the Wayback Machine injects
   ``<script charset="utf-8">`` tags before the page's real ``charset=gb2312`` meta;
4. sniffing: valid UTF-8, else charset-normalizer's guess, else GB18030 with replacement.

Two corrections apply to declarations (2 and 3):

- GB2312 and GBK are read as GB18030, their superset: real pages labelled GB2312 use GBK
  characters (and GB18030 decodes every GB2312/GBK byte string the same way);
- a legacy declaration (GB2312/GBK/GB18030, Big5, Latin-1…) over bytes that are valid UTF-8
  with non-ASCII text is a stale label (page tools re-encode pages but keep the meta; 7 corpus
  files do this): the bytes win and the page is read as UTF-8. Non-ASCII GBK text is almost
  never valid UTF-8 by accident.

A declaration that does not decode the bytes (``utf-8`` over GBK bytes) is skipped, not trusted.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_BYTES = 16384
_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_CHARSET_ATTR = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9_.:\-]+)["']""", re.IGNORECASE)
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "big5": "big5hkscs",
}
_CJK = {"gb18030", "big5hkscs", "euc_jp", "shift_jis", "cp932", "euc_kr", "cp949", "utf-8"}


def canonical(name: str | None) -> str | None:
    """Python's codec name for a declared charset, widened to its superset; None if unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, _SUPERSETS.get(codec, codec))


def declared_charset(body: bytes) -> str | None:
    """The charset the document declares in a ``<meta>`` tag or its XML declaration (raw label)."""
    head = body[:_SNIFF_BYTES]
    m = _XML_DECL.match(head)
    if m:
        return m.group(1).decode("ascii", "replace")
    for meta in _META.finditer(head):
        c = _CHARSET_ATTR.search(meta.group(0))
        if c:
            return c.group(1).decode("ascii", "replace")
    return None


def _decodes(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_utf8_text(body: bytes) -> bool:
    """Valid UTF-8 that holds non-ASCII characters (pure ASCII proves nothing)."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(body: bytes, *, http_charset: str | None) -> tuple[str, str]:
    """The page text and the encoding used to read it (see the module docstring for the order)."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace"), encoding
    utf8 = _is_utf8_text(body)
    for label in (http_charset, declared_charset(body)):
        encoding = canonical(label)
        if encoding is None:
            continue
        if encoding != "utf-8" and utf8 and not encoding.startswith("utf-16"):
            return body.decode("utf-8"), "utf-8"
        text = _decodes(body, encoding)
        if text is not None:
            return text, encoding
    if utf8 or body.isascii():
        return body.decode("utf-8"), "utf-8"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:262144]).best()
    except Exception:  # pragma: no cover - detection is best effort
        best = None
    guess = canonical(best.encoding) if best is not None else None
    # These are Chinese sites: a non-CJK guess loses to GB18030 when GB18030 reads the bytes cleanly.
    order = [guess] if guess in _CJK else []
    order += ["gb18030"] + ([guess] if guess and guess not in _CJK else [])
    for encoding in order:
        text = _decodes(body, encoding)
        if text is not None:
            return text, encoding
    return body.decode("gb18030", errors="replace"), "gb18030"


_COMMON_PUNCT = set("，。、；：？！“”‘’（）《》【】—…·「」『』〔〕％－／　")


def text_quality(text: str) -> float:
    """Share of characters that ordinary Chinese web text is made of: ASCII, the 3,755 common hanzi (GB2312
    level 1) and common full-width punctuation. Mojibake scores low: UTF-8 read as Latin-1 (``ã€Šä¸­``) is
    all accented Latin, UTF-8 read as GBK (``濂冲効鍑``) is mostly rare or extension hanzi."""
    good = total = 0
    for ch in text:
        if ch.isspace():
            continue
        total += 1
        if ch.isascii() or ch in _COMMON_PUNCT:
            good += 1
            continue
        if "\u4e00" <= ch <= "\u9fff":
            try:
                lead = ch.encode("gb2312")[0]
            except UnicodeEncodeError:
                continue
            if 0xB0 <= lead <= 0xD7:
                good += 1
    return good / total if total else 1.0
