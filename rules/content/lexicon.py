"""Lexicons of the content rules: entries, loading and the cached automata.

The default lexicons are versioned YAML files in ``rules/content/data/``,
shipped with the package and read once (packaged data, like a compiled
table; not deployment input). Deployment additions (extra words, the leaders
list) arrive through the rule thresholds as plain data; ``load_leaders`` is
for the wiring layer that reads them from a file.

Every automaton is built once per distinct lexicon (``functools.lru_cache``
keyed on the frozen entries), never per text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

import ahocorasick_rs
import yaml

DATA_DIR = Path(__file__).with_name("data")

# Suffixes that turn an old ministry short name into an ordinary word
# ("农业部门" is 农业 + 部门, not the former 农业部).
_BU_SUFFIXES = ("门", "分", "署", "件", "位", "落", "队", "首")


class LexiconError(ValueError):
    """A lexicon file or threshold entry is malformed (message in Chinese)."""


@dataclass(frozen=True)
class Term:
    """One lexicon entry: a form to flag and what to write instead."""

    word: str
    suggestion: str = ""
    kind: str = ""  # 错别字 | 过时表述 | 表述错误 | 赌博 | 色情 | 暴力 | 反动 | …
    source: str = ""
    since: date | None = None  # outdated from this date on (renamed agencies)
    allow: tuple[str, ...] = ()  # longer correct phrases containing ``word``
    unless_in_sentence: tuple[str, ...] = ()  # skip when the sentence holds one of these
    variant: bool = False  # a variant spelling (异形词, 帐号/账号): a 提示 naming the standard form, no deduction


@dataclass(frozen=True)
class Leader:
    """One leader of a deployment's leaders lexicon."""

    name: str
    posts: tuple[str, ...] = ()
    order: int = 0  # protocol order: lower comes first when listed together
    wrong: tuple[str, ...] = ()  # known mis-writes of the name


@dataclass(frozen=True)
class OrderedFormula:
    name: str
    items: tuple[str, ...]
    source: str = ""


def _as_date(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise LexiconError(f"{where}：日期“{value}”无法识别，请写成 YYYY-MM-DD") from exc


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def term_from(obj: Any, *, kind: str = "", where: str = "词条") -> Term:
    """A Term from a Term, a mapping ({wrong|word, right|suggestion, …}) or a bare string."""
    if isinstance(obj, Term):
        return obj if obj.kind or not kind else Term(**{**obj.__dict__, "kind": kind})
    if isinstance(obj, str):
        if not obj.strip():
            raise LexiconError(f"{where}：词条为空")
        return Term(word=obj.strip(), kind=kind)
    if isinstance(obj, (list, tuple)) and len(obj) == 2:
        return Term(word=str(obj[0]), suggestion=str(obj[1]), kind=kind)
    if isinstance(obj, dict):
        word = obj.get("wrong") or obj.get("word")
        if not word or not str(word).strip():
            raise LexiconError(f"{where}：缺少 wrong/word 字段：{obj!r}")
        return Term(
            word=str(word).strip(),
            suggestion=str(obj.get("right") or obj.get("suggestion") or ""),
            kind=str(obj.get("kind") or obj.get("category") or kind),
            source=str(obj.get("source") or ""),
            since=_as_date(obj.get("since"), where),
            allow=_strs(obj.get("allow")),
            unless_in_sentence=_strs(obj.get("unless_in_sentence")),
            variant=bool(obj.get("variant", False)),
        )
    raise LexiconError(f"{where}：无法识别的词条：{obj!r}")


def terms_from(items: Iterable[Any], *, kind: str = "", where: str = "词条") -> tuple[Term, ...]:
    return tuple(term_from(i, kind=kind, where=where) for i in items or ())


def leader_from(obj: Any, where: str = "领导词库") -> Leader:
    if isinstance(obj, Leader):
        return obj
    if not isinstance(obj, dict) or not obj.get("name"):
        raise LexiconError(f"{where}：每位领导须有 name 字段：{obj!r}")
    try:
        order = int(obj.get("order", 0))
    except (TypeError, ValueError) as exc:
        raise LexiconError(f"{where}：{obj.get('name')} 的 order 须为整数") from exc
    return Leader(
        name=str(obj["name"]).strip(), posts=_strs(obj.get("posts")), order=order, wrong=_strs(obj.get("wrong"))
    )


def load_leaders(path: str | Path) -> tuple[Leader, ...]:
    """Read a leaders lexicon YAML: a list of {name, posts[], order, wrong[]}.

    The file may also be a mapping with the list under ``leaders``. Raises
    LexiconError with a Chinese message naming the file.
    """
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LexiconError(f"无法读取领导词库 {p}：{exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise LexiconError(f"领导词库 {p} 不是有效的 UTF-8 YAML：{exc}") from exc
    if isinstance(raw, dict):
        raw = raw.get("leaders")
    if not isinstance(raw, list):
        raise LexiconError(f"领导词库 {p}：应为领导列表（每项含 name、posts、order）")
    return tuple(leader_from(item, where=f"领导词库 {p}") for item in raw)


# ---------------------------------------------------------------- packaged data

# libyaml's parser where PyYAML was built with it: the packaged lexicons are thousands of entries, read on every
# `monitor check` (a fifth of a second in pure Python); the same safe constructor either way
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _load_yaml(name: str) -> dict[str, Any]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.load(fh, Loader=_SAFE_LOADER)
    return data


@functools.cache
def default_terms(name: str) -> tuple[Term, ...]:
    """Entries of the packaged lexicon ``name`` (typos, outdated, formulas, sensitive)."""
    raw = _load_yaml(f"{name}.yaml")
    return terms_from(raw.get("entries", ()), kind=raw.get("kind", ""), where=f"{name}.yaml")


def lexicon_version(name: str) -> str:
    return str(_load_yaml(f"{name}.yaml").get("version", ""))


@functools.cache
def default_ordered_formulas() -> tuple[OrderedFormula, ...]:
    raw = _load_yaml("formulas.yaml")
    return tuple(
        OrderedFormula(name=o["name"], items=tuple(o["items"]), source=str(o.get("source", "")))
        for o in raw.get("ordered", ())
    )


@functools.cache
def default_allow_context() -> tuple[str, ...]:
    return tuple(_load_yaml("sensitive.yaml").get("allow_context", ()))


# ---------------------------------------------------------------- automata


class TermMatcher:
    """Leftmost-longest matching of a term list; allow phrases shadow the terms they contain."""

    def __init__(self, terms: tuple[Term, ...]):
        owners: dict[str, Term | None] = {}
        for t in terms:
            if t.word not in owners or owners[t.word] is None:
                owners[t.word] = t
        for t in terms:
            allows = list(t.allow)
            if t.kind == "过时表述" and t.word.endswith("部"):
                allows += [t.word + s for s in _BU_SUFFIXES]
            for a in allows:
                if a and a not in owners:
                    owners[a] = None
        self.patterns = list(owners)
        self.owners = [owners[p] for p in self.patterns]
        self._ac = (
            ahocorasick_rs.AhoCorasick(self.patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            if self.patterns
            else None
        )

    def find(self, text: str) -> Iterator[tuple[Term, int, int]]:
        if self._ac is None or not text:
            return
        owners = self.owners
        for idx, start, end in self._ac.find_matches_as_indexes(text):
            term = owners[idx]
            if term is not None:
                yield term, start, end


@functools.lru_cache(maxsize=64)
def matcher_for(terms: tuple[Term, ...]) -> TermMatcher:
    return TermMatcher(terms)
