"""Plain finders for personal data: resident ID numbers, mobile numbers, bank card numbers.

Pure functions over a text, reused by W-S4 (pages, attachments), N-V3 (posts)
and the pre-publication check. A hit carries the span and the masked form;
callers must show and store only the masked form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Full-width digits and letters read as ASCII; the mapping keeps every offset.
_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "x", "－": "-"})

# GB/T 2260 province-level codes (first two digits); 71 台湾, 81 香港, 82 澳门, 83 港澳台居民居住证.
PROVINCES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
        81,
        82,
        83,
    }
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Mainland mobile number segments (工信部号段, incl. IoT-free personal ranges and 19x).
MOBILE_PREFIXES = frozenset(
    [f"13{i}" for i in range(10)]
    + [
        "145",
        "147",
        "149",
        "150",
        "151",
        "152",
        "153",
        "155",
        "156",
        "157",
        "158",
        "159",
        "162",
        "165",
        "166",
        "167",
        "170",
        "171",
        "172",
        "173",
        "175",
        "176",
        "177",
        "178",
        "180",
        "181",
        "182",
        "183",
        "184",
        "185",
        "186",
        "187",
        "188",
        "189",
        "190",
        "191",
        "192",
        "193",
        "195",
        "196",
        "197",
        "198",
        "199",
    ]
)

# Issuer prefixes of cards seen in China: UnionPay 62/60/65/9xxx, Visa 4, Mastercard 51-55/22-27, JCB 35.
CARD_PREFIXES = ("62", "60", "65", "9", "4", "51", "52", "53", "54", "55", "22", "23", "24", "25", "26", "27", "35")

# Each pattern starts with what it must match (a digit, the mobile's 1) and looks behind from there, not with
# the look-behind: a pattern that starts with a look-behind is tried at every position of the text, one that
# starts with a character lets ``re`` skip to the next place it occurs (4x to 15x faster on a page's text).
# ``\d(?<![0-9A-Za-z]\d)`` is ``(?<![0-9A-Za-z])\d``: the character before the first digit is no letter or digit.
ID_RE = re.compile(r"\d(?<![0-9A-Za-z]\d)\d{16}[0-9Xx](?![0-9A-Za-z])")
# First-generation numbers (GB 11643-1989, issued until 2004, still in old lists and scanned archives):
# 15 digits, no check digit, so a cue such as 身份证 must come shortly before.
ID15_RE = re.compile(r"\d(?<![0-9A-Za-z]\d)\d{14}(?![0-9A-Za-z])")
ID15_CUES = ("身份证", "身份号码", "证件号", "公民身份")
ID15_CUE_WINDOW = 200  # characters before the number: a table header row above a few rows of names
# the 1 of a mobile number comes after +86 or after anything but a digit or a dot
MOBILE_RE = re.compile(r"(1(?:(?<=\+861)|(?<![\d.]1))[3-9]\d)([- ]?)(\d{4})\2(\d{4})(?![\d])")
CARD_RE = re.compile(r"\d(?<![0-9A-Za-z]\d)\d{3}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?![0-9A-Za-z])")

PUBLIC_LINE_CUES = (
    "咨询电话",
    "举报电话",
    "投诉电话",
    "监督电话",
    "服务热线",
    "热线电话",
    "值班电话",
    "办公电话",
    "传真",
)
CARD_CONTEXT = ("卡号", "账号", "帐号", "银行", "账户", "帐户", "开户", "储蓄卡", "信用卡", "社保卡", "收款", "转账")
CARD_NEGATIVE = (
    "订单",
    "单号",
    "编号",
    "流水号",
    "文号",
    "发票",
    "批次",
    "条码",
    "代码",
    "合同号",
    "序列号",
    "税号",
    "证号",
    "登记号",
    "许可证",
)
_HAS_FULLWIDTH = re.compile("[\uff10-\uff19]")
_CANDIDATE = re.compile(r"\d{11}|1\d\d[- ]\d{4}[- ]\d{4}|\d{4}[ -]\d{4}[ -]\d{4}")  # cheap pre-check
_CLAUSE_STOP = re.compile(r"[。！？；;\n]")


@dataclass(frozen=True)
class PersonalHit:
    kind: str  # 身份证号 | 手机号 | 银行卡号
    start: int
    end: int
    masked: str
    key: str  # grouping key (kind + digits); never shown or stored


def valid_resident_id(number: str, *, today: date) -> bool:
    """GB 11643-1999: province code, a real birth date not after today, and the check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if int(number[:2]) not in PROVINCES or number[2:6] == "0000":
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > today:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def valid_old_resident_id(number: str) -> bool:
    """GB 11643-1989 (15 digits): a province code, a district, and a real birth date (19YYMMDD)."""
    if len(number) != 15 or not number.isdigit():
        return False
    if int(number[:2]) not in PROVINCES or number[2:6] == "0000":
        return False
    try:
        date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def mask_id(number: str) -> str:
    return number[:2] + "*" * 13 + number[-3:]


def mask_old_id(number: str) -> str:
    return number[:2] + "*" * 10 + number[-3:]


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:]


def mask_card(digits: str) -> str:
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _clause_before(text: str, start: int, width: int) -> str:
    before = text[max(0, start - width) : start]
    parts = _CLAUSE_STOP.split(before)
    return parts[-1]


def find_personal_data(
    text: str,
    *,
    today: date,
    ids: bool = True,
    mobiles: bool = True,
    cards: bool = True,
    public_line_cues: tuple[str, ...] = PUBLIC_LINE_CUES,
    card_context: tuple[str, ...] = CARD_CONTEXT,
    card_negative: tuple[str, ...] = CARD_NEGATIVE,
) -> list[PersonalHit]:
    """Unmasked personal numbers in ``text``, in text order. Masked forms (138****1234) never match."""
    if not text:
        return []
    norm = text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text
    if not _CANDIDATE.search(norm):
        return []
    hits: list[PersonalHit] = []
    id_spans: list[tuple[int, int]] = []
    if ids or cards:
        for m in ID_RE.finditer(norm):
            number = m.group()
            if valid_resident_id(number, today=today):
                id_spans.append(m.span())
                if ids:
                    hits.append(PersonalHit("身份证号", m.start(), m.end(), mask_id(number), "id:" + number.upper()))
        if ids:
            for m in ID15_RE.finditer(norm):
                number = m.group()
                before = norm[max(0, m.start() - ID15_CUE_WINDOW) : m.start()]
                if valid_old_resident_id(number) and any(c in before for c in ID15_CUES):
                    hits.append(PersonalHit("身份证号", m.start(), m.end(), mask_old_id(number), "id:" + number))
    if mobiles:
        for m in MOBILE_RE.finditer(norm):
            if m.group(1) not in MOBILE_PREFIXES:
                continue
            before = _clause_before(norm, m.start(), 14)
            if any(c in before for c in public_line_cues):
                continue
            number = m.group(1) + m.group(3) + m.group(4)
            hits.append(PersonalHit("手机号", m.start(), m.end(), mask_mobile(number), "mobile:" + number))
    if cards:
        first_cue = min((p for p in (norm.find(c) for c in card_context) if p != -1), default=-1)
        if first_cue != -1:
            for m in CARD_RE.finditer(norm):
                if m.start() < first_cue:
                    continue
                digits = re.sub(r"\D", "", m.group())
                if not (16 <= len(digits) <= 19) or not digits.startswith(CARD_PREFIXES) or not luhn_ok(digits):
                    continue
                if any(s <= m.start() < e or m.start() <= s < m.end() for s, e in id_spans):
                    continue  # a resident ID, reported as such
                before = _clause_before(norm, m.start(), 12)
                if any(c in before for c in card_negative):
                    continue
                hits.append(PersonalHit("银行卡号", m.start(), m.end(), mask_card(digits), "card:" + digits))
    hits.sort(key=lambda h: h.start)
    return hits
