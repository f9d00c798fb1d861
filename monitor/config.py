"""sites.yaml: the one configuration file, validated with pydantic.

A bad file fails fast, before anything is crawled, with a Chinese message that
names the file, the field path and what is expected.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from monitor.model import ColumnKind

DEFAULT_DB_URL = "sqlite:///var/monitor.db"


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits sites.yaml."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CrawlLimits(_Strict):
    max_pages: int = Field(2000, ge=1, description="每次抓取的最大页面数")
    max_depth: int = Field(5, ge=0, description="从首页起的最大链接深度")
    concurrency_per_host: int = Field(2, ge=1, le=64, description="每个主机的并发请求数")
    delay_seconds: float = Field(0.5, ge=0, le=60, description="同一主机两次请求的间隔（秒）")
    timeout_seconds: float = Field(15, gt=0, le=300, description="单个请求的超时（秒）")
    check_external: bool = Field(True, description="是否检查外部链接（只检查一次，不继续抓取）")
    max_page_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="单页最大字节数")


class ColumnOverride(_Strict):
    url: str
    name: str | None = None
    kind: ColumnKind | None = None
    level: int | None = Field(None, ge=1, le=5)
    render: Literal["http", "browser"] = "http"
    ignore: bool = False


class Site(_Strict):
    key: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str
    home: str
    unit: str
    allowed_hosts: tuple[str, ...] = ()
    limits: CrawlLimits = CrawlLimits()
    columns: tuple[ColumnOverride, ...] = ()
    thresholds: dict[str, dict[str, Any]] = {}

    @field_validator("home")
    @classmethod
    def _home_is_http(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("应为以 http:// 或 https:// 开头的完整网址")
        return v

    @property
    def scope(self) -> frozenset[str]:
        """host:port pairs the crawler may follow (Scrapy's allow_domains ignores ports)."""
        parts = urlsplit(self.home)
        default = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
        extra = set()
        for h in self.allowed_hosts:
            extra.add(h if ":" in h else f"{h}:80")
            if ":" not in h:
                extra.add(f"{h}:443")
        return frozenset({default, *extra})


class Account(_Strict):
    key: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    platform: Literal["wechat", "weibo", "douyin", "toutiao", "bilibili", "kuaishou", "other"]
    name: str
    unit: str
    source: str = Field(description="RSS/Atom 地址、m.weibo.cn 接口地址或 JSON/CSV 导出文件路径")
    thresholds: dict[str, dict[str, Any]] = {}


class Unit(_Strict):
    name: str
    kind: str = "部门"


class Organisation(_Strict):
    name: str = Field(description="主办单位，如：示例县人民政府办公室")
    region: str = Field("全县", description="通报标题里的范围，如：全县、全市")
    issuer: str | None = Field(None, description="通报发文单位，默认同 name")
    doc_number: str | None = Field(None, description="文号前缀，如：示政办〔2026〕")
    rectify_days: int = Field(10, ge=1, le=90, description="整改期限（天）")
    fixed_after_checks: int = Field(2, ge=1, le=10, description="连续多少次复查未再发现即视为已整改")
    addressees: str = Field("各乡镇、各部门", description="通报的主送单位（正文抬头）")


class Storage(_Strict):
    url: str = DEFAULT_DB_URL
    notices_dir: str = "var/notices"


class Config(_Strict):
    organisation: Organisation
    units: tuple[Unit, ...] = ()
    sites: tuple[Site, ...] = ()
    accounts: tuple[Account, ...] = ()
    thresholds: dict[str, dict[str, Any]] = {}
    storage: Storage = Storage()

    @model_validator(mode="after")
    def _references(self) -> "Config":
        units = {u.name for u in self.units}
        for kind, items in (("sites", self.sites), ("accounts", self.accounts)):
            keys = set()
            for i, item in enumerate(items):
                if item.key in keys:
                    raise ValueError(f"{kind}[{i}].key “{item.key}”重复，每个 key 必须唯一")
                keys.add(item.key)
                if units and item.unit not in units:
                    raise ValueError(f"{kind}[{i}].unit “{item.unit}”不在 units 列表中；请先在 units 里加上该单位")
        return self

    def site(self, key: str) -> Site:
        for s in self.sites:
            if s.key == key:
                return s
        raise ConfigError(f"配置中没有 key 为“{key}”的网站；可用的有：{', '.join(s.key for s in self.sites) or '（无）'}")

    def thresholds_for(self, rule_id: str, site: Site | None = None) -> dict[str, Any]:
        merged = dict(self.thresholds.get(rule_id, {}))
        if site is not None:
            merged.update(site.thresholds.get(rule_id, {}))
        return merged


_EXPECT = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段（拼写错了？）",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "greater_than": "数值太小",
    "string_pattern_mismatch": "只能包含字母、数字、点、下划线和连字符",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "tuple_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
}


def _describe(err: dict) -> str:
    path = ".".join(str(p) for p in err["loc"]) or "（顶层）"
    kind = err["type"]
    msg = _EXPECT.get(kind)
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        msg = str(ctx.get("error", err["msg"]))
    elif kind in ("literal_error", "enum") and "expected" in ctx:
        msg = f"取值应为 {ctx['expected']} 之一"
    elif kind.startswith(("greater", "less")) and ctx:
        bound = next(iter(ctx.values()))
        msg = f"{msg}（限值 {bound}）"
    return f"  - {path}：{msg or err['msg']}（实际值：{err.get('input')!r}）" if kind != "missing" else f"  - {path}：{msg}"


def parse_config(data: Any, *, source: str = "sites.yaml") -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"配置文件 {source} 的顶层应为映射（organisation:、sites: …），实际为 {type(data).__name__}")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(e) for e in exc.errors()]
        raise ConfigError(f"配置文件 {source} 有 {len(lines)} 处错误：\n" + "\n".join(lines)) from exc


def load_config(path: str | os.PathLike) -> Config:
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"找不到配置文件 {p}；可复制 sites.example.yaml 为 sites.yaml 后修改")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"配置文件 {p} 不是 UTF-8 编码；请另存为 UTF-8") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise ConfigError(f"配置文件 {p} {where}不是合法的 YAML：{getattr(exc, 'problem', exc)}；请检查缩进和冒号") from exc
    return parse_config(data, source=str(p))


def adhoc_config(url: str, *, db_url: str | None = None, delay: float | None = None,
                 max_pages: int | None = None) -> Config:
    """What `monitor crawl --url` uses: one site, default rules and thresholds, no file."""
    parts = urlsplit(url)
    host = parts.hostname or "site"
    key = f"{host}_{parts.port}" if parts.port else host
    limits: dict[str, Any] = {}
    if delay is not None:
        limits["delay_seconds"] = delay
        if delay == 0:
            limits["concurrency_per_host"] = 8
    if max_pages is not None:
        limits["max_pages"] = max_pages
    return parse_config({
        "organisation": {"name": "临时检查"},
        "units": [{"name": "未指定单位"}],
        "sites": [{"key": key, "name": host, "home": url, "unit": "未指定单位", "limits": limits}],
        "storage": {"url": db_url or DEFAULT_DB_URL},
    }, source="--url")
