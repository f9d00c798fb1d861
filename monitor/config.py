"""sites.yaml: the one configuration file, validated with pydantic.

A bad file fails fast, before anything is crawled, with a Chinese message that
names the file, the field path and what is expected.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from monitor.model import ColumnKind

DEFAULT_DB_URL = "sqlite:///var/monitor.db"


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits sites.yaml."""


def _check_thresholds(v: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rule threshold overrides checked against each rule's thresholds dataclass (unknown rule id or key, wrong
    type, a shared period set twice): one error listing every problem, each with its place and the allowed keys."""
    if not v:
        return v
    from rules import check_overrides  # the rule book, read when a file is loaded (rules import this module)

    problems = check_overrides(v)
    if problems:
        raise PydanticCustomError(
            "thresholds", "阈值设置有误", {"problems": tuple((p.path, p.message) for p in problems)}
        )
    return v


# thresholds: {rule id: {field: value}}, and {periods: {…}} for the periods several rules share (rules/periods.py)
Thresholds = Annotated[dict[str, dict[str, Any]], AfterValidator(_check_thresholds)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CrawlLimits(_Strict):
    max_pages: int = Field(2000, ge=1, description="每次抓取的最大页面数")
    max_depth: int = Field(5, ge=0, description="从首页起的最大链接深度")
    max_list_pages: int = Field(50, ge=0, le=1000, description="每个栏目最多翻页数（含脚本生成的分页）")
    concurrency_per_host: int = Field(2, ge=1, le=64, description="每个主机的并发请求数")
    delay_seconds: float = Field(0.5, ge=0, le=60, description="同一主机两次请求的间隔（秒）")
    timeout_seconds: float = Field(15, gt=0, le=300, description="单个请求的超时（秒）")
    check_external: bool = Field(True, description="是否检查外部链接（只检查一次，不继续抓取）")
    max_page_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="单页最大字节数")
    max_attachment_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, description="附件（PDF/Word/Excel）最大字节数，超过不下载"
    )
    max_urls_per_pattern: int = Field(
        50, ge=0, description="同一路径只换查询参数的网址最多抓取多少个（防日历、搜索陷阱），0 为不限"
    )
    probe_timeout_seconds: float = Field(15, gt=0, le=300, description="可用性探测的超时（秒），W-V1")
    max_requests: int = Field(
        10000, ge=1, description="每次抓取向所有主机发出的请求总数上限（页面、图片、附件、外部链接都算）"
    )
    max_external_checks: int = Field(2000, ge=0, description="每次抓取最多检查多少个外部链接")
    max_external_per_page: int = Field(300, ge=0, description="每个页面最多检查多少个外部链接（其余记下不检查）")
    revisit_days: int = Field(
        7,
        ge=0,
        le=365,
        description="再次抓取时，未变化的文章页、附件和外部链接至少每多少天重新请求（复核）一次，其余时候沿用"
        "上次的结果、分批轮流复核；首页、栏目列表页、有未整改问题的页面、失效链接和新出现的链接"
        "每次都抓。0 表示每次抓取都复核全部页面",
    )
    allow_private_network: bool = Field(
        False,
        description="允许访问本机和内网地址（127.0.0.1、10.x、192.168.x 等）。默认只有本网站自己的地址可以是内网地址，"
        "页面里指向其他内网地址的链接、表单、重定向和脚本请求一律不访问；仅演示、测试和本机基准测试"
        "（都在 127.0.0.1 上运行）需要打开",
    )


class ColumnOverride(_Strict):
    url: str
    name: str | None = None
    kind: ColumnKind | None = None
    level: int | None = Field(None, ge=1, le=5)
    render: Literal["http", "browser"] = "http"
    ignore: bool = False


class Mailbox(_Strict):
    """Which list pages the crawler reads as mailboxes (留言列表), for W-V7."""

    enabled: bool = Field(True, description="是否读取信箱类栏目的留言列表（留言时间、回复时间、状态）")
    words: tuple[str, ...] = Field((), description="另外按这些词识别信箱栏目（栏目名称或 ColumnType），如：局长信箱")
    urls: tuple[str, ...] = Field((), description="这些网址开头的列表页一律按信箱读取（页面没有 ColumnName 标签时用）")


class Site(_Strict):
    key: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str
    home: str
    unit: str
    allowed_hosts: tuple[str, ...] = ()
    limits: CrawlLimits = CrawlLimits()
    columns: tuple[ColumnOverride, ...] = ()
    thresholds: Thresholds = {}
    mailbox: Mailbox = Mailbox()

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


class FeedLimits(_Strict):
    """Politeness and reach of one account's fetch (spiders/feeds.py)."""

    delay_seconds: float = Field(0.5, ge=0, le=60, description="同一主机两次请求的间隔（秒）")
    timeout_seconds: float = Field(15, gt=0, le=300, description="单个请求的超时（秒）")
    check_links: bool = Field(True, description="是否检查发布内容中的链接（每个链接只检查一次）")
    max_link_checks: int = Field(50, ge=0, le=1000, description="每次最多检查的内文链接数")
    fetch_long_text: bool = Field(True, description="微博长文是否调用 statuses/extend 取全文")
    allow_private_network: bool = Field(
        False,
        description="检查发布内容中的链接时允许访问本机和内网地址。默认只有账号自己的来源地址和配置中的网站可以是"
        "内网地址，指向其他内网地址的链接和重定向一律不访问（记为无法核实）；仅演示和测试需要打开",
    )


PLATFORM_NAMES = {
    "wechat": "微信",
    "weibo": "微博",
    "douyin": "抖音",
    "toutiao": "头条",
    "bilibili": "哔哩哔哩",
    "kuaishou": "快手",
    "other": "其他",
}


class Account(_Strict):
    """A government new-media account (政务新媒体账号).

    ``source`` is one of (``source_kind: auto`` tells them apart):
    - ``feed``: an RSS/Atom URL (RSSHub route or a WeChat feed service);
    - ``weibo``: the m.weibo.cn container API, e.g.
      https://m.weibo.cn/api/container/getIndex?containerid=107603<uid> (auto: a URL whose path ends in getIndex);
    - ``export``: a JSON or CSV file exported from a platform's back office (auto: any non-URL path).
      JSON: a list of objects, or {"posts": [...]}; CSV: UTF-8 (BOM allowed) with a header row.
      Fields: id, title, text, published (2026-11-20 09:30[:00][+08:00] or ISO 8601; without a zone it is
      Beijing time), url, pinned (true/1/是, optional), links (JSON list, or space-separated in CSV, optional).
    """

    key: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    platform: Literal["wechat", "weibo", "douyin", "toutiao", "bilibili", "kuaishou", "other"]
    name: str
    unit: str
    source: str = Field(description="RSS/Atom 地址、m.weibo.cn 接口地址或 JSON/CSV 导出文件路径")
    source_kind: Literal["auto", "feed", "weibo", "export"] = "auto"
    home: str | None = Field(None, description="账号主页地址（通报中的链接），默认用 source")
    long_text_url: str | None = Field(
        None, description="微博长文接口，{id} 处填微博 id；默认为 source 同一主机的 /statuses/extend?id={id}"
    )
    verified: bool | None = Field(None, description="是否已完成平台认证（N-S3）；不填表示未知")
    registered: bool | None = Field(None, description="是否已在全国政务新媒体信息报送系统登记（N-S3）；不填表示未知")
    limits: FeedLimits = FeedLimits()
    thresholds: Thresholds = {}

    @property
    def kind(self) -> str:
        """The source kind, resolved: feed | weibo | export."""
        if self.source_kind != "auto":
            return self.source_kind
        parts = urlsplit(self.source)
        if parts.scheme in ("http", "https"):
            if parts.hostname == "m.weibo.cn" or parts.path.rstrip("/").endswith("getIndex"):
                return "weibo"
            return "feed"
        return "export"

    @property
    def url(self) -> str:
        return self.home or self.source

    @property
    def platform_name(self) -> str:
        return PLATFORM_NAMES[self.platform]


class Unit(_Strict):
    name: str
    kind: str = "部门"
    notify: tuple[str, ...] = Field(
        (), description="该单位的提醒地址（Apprise URL，如 mailto://、dingtalk://、wecom://、feishu://、json://）"
    )


class Contact(_Strict):
    name: str = Field(description="联系人姓名")
    phone: str | None = Field(None, description="联系电话")
    email: str | None = Field(None, description="电子邮箱")


class Organisation(_Strict):
    name: str = Field(description="主办单位，如：示例县人民政府办公室")
    region: str = Field("全县", description="通报标题里的范围，如：全县、全市")
    issuer: str | None = Field(None, description="通报发文单位，默认同 name")
    doc_number: str | None = Field(None, description="文号前缀，如：示政办〔2026〕")
    rectify_days: int = Field(10, ge=1, le=90, description="整改期限（天）")
    fixed_after_checks: int = Field(2, ge=1, le=10, description="连续多少次复查未再发现即视为已整改")
    addressees: str = Field("各乡镇、各部门", description="通报的主送单位（正文抬头）")
    cc: str | None = Field(None, description="通报的抄送单位（版记“抄送”一行），如：县委办公室，县人大办公室")
    contact: Contact | None = Field(None, description="通报落款下的联系人：name、phone（可选 email）")


class Storage(_Strict):
    url: str = DEFAULT_DB_URL
    notices_dir: str = "var/notices"


def _check_trigger(v: str | None) -> str | None:
    """A trigger is a 5-field cron expression or "every N[s|m|h|d]"; None or "off" switches a job off."""
    if v is None or v.strip().lower() == "off":
        return None
    import re

    if re.fullmatch(r"every\s+\d+\s*[smhd]", v.strip()):
        return v.strip()
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(v, timezone="Asia/Shanghai")
    except ValueError as exc:
        raise ValueError(
            f"“{v}”不是合法的触发时间：应为 5 段 cron 表达式（分 时 日 月 周，如 0 1 * * *）"
            f"或 every 30m / every 4h / every 10s 这样的间隔（{exc}）"
        ) from exc
    return v


class Schedule(_Strict):
    """When the daemon (`monitor schedule`) runs each job; times are in ``timezone``."""

    timezone: str = "Asia/Shanghai"
    probe: str | None = Field("*/30 * * * *", description="首页可用性探测（每个网站），W-V1 要求每天 ≥ 20 次")
    crawl: str | None = Field("0 1 * * *", description="全站抓取并检查（每个网站），按 crawl_stagger_minutes 错开")
    crawl_stagger_minutes: int = Field(20, ge=0, le=720, description="相邻两个网站夜间抓取错开的分钟数")
    feeds: str | None = Field("0 */4 * * *", description="新媒体账号更新抓取")
    recheck: str | None = Field("30 6 * * *", description="整改复核")
    recheck_requested: str | None = Field("*/15 * * * *", description="复查单位已提交整改的问题（看板提交后）")
    notice: str | None = Field(
        "0 8 1 * *", description="月度督查通报（上月）的征求意见稿；印发用 monitor report --issue"
    )
    notify: str | None = Field("*/10 * * * *", description="检查需要发送的提醒")
    misfire_grace_seconds: int = Field(3600, ge=1, description="错过触发时间多久以内仍补跑（秒）")
    lock_backend: Literal["db", "redis"] = Field("db", description="网站锁：db（数据库表）或 redis")
    redis_url: str = "redis://127.0.0.1:6379/0"
    lock_ttl_seconds: int = Field(300, ge=2, description="锁的有效期（秒），持有期间自动续期")
    crawl_timeout_seconds: int = Field(6 * 3600, ge=1, description="单次抓取最长运行时间（秒）")
    stop_timeout_seconds: int = Field(60, ge=1, description="停止时等待正在运行的抓取结束的时间（秒）")
    log_file: str = Field("var/log/monitor.log", description="守护进程日志（JSON 行，按大小轮转）")
    log_max_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    log_backups: int = Field(10, ge=0)

    @field_validator("probe", "crawl", "feeds", "recheck", "recheck_requested", "notice", "notify")
    @classmethod
    def _trigger(cls, v: str | None) -> str | None:
        return _check_trigger(v)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(v)
        except Exception as exc:
            raise ValueError(f"不认识的时区“{v}”，如 Asia/Shanghai") from exc
        return v


class Workers(_Strict):
    """The worker pool (`monitor worker`, monitor/ops/workers.py): without ``broker`` everything runs in one machine."""

    broker: str | None = Field(
        None,
        description="Celery 的 Redis 地址，如 redis://127.0.0.1:6379/0；填写后 monitor schedule 只排队，由 monitor worker 执行",
    )
    namespace: str = Field(
        "monitor", pattern=r"^[A-Za-z0-9_.-]+$", description="队列名和 Redis 键的前缀（多套安装共用一个 Redis 时区分）"
    )
    max_attempts: int = Field(
        3, ge=1, le=20, description="任务失败后最多运行几次（含第一次），之后列入 monitor status 的失败任务"
    )
    retry_seconds: float = Field(60, ge=0, description="失败后多久重试（秒），应小于 redelivery_seconds")
    redelivery_seconds: float = Field(300, ge=2, description="执行任务的进程失联多久后交给其他进程重做（秒）")
    feeds_batch: int = Field(50, ge=1, le=10000, description="新媒体账号每个任务抓取多少个")

    @field_validator("broker")
    @classmethod
    def _redis(cls, v: str | None) -> str | None:
        if v is not None and urlsplit(v).scheme not in ("redis", "rediss"):
            raise ValueError("应为 redis:// 或 rediss:// 开头的 Redis 地址，如 redis://127.0.0.1:6379/0")
        return v


class Notify(_Strict):
    """Who hears about what (Apprise URLs); units may add their own in units[].notify."""

    urls: tuple[str, ...] = Field((), description="全局提醒地址，所有单位的提醒都发到这里")
    down_after_failures: int = Field(3, ge=1, le=100, description="连续几次探测失败才算网站无法访问")
    events: tuple[Literal["veto", "site_down", "notice_ready"], ...] = ("veto", "site_down", "notice_ready")


class Network(_Strict):
    """Telling a broken local network from broken sites (monitor.crawl.network)."""

    reference_urls: tuple[str, ...] = Field(
        (),
        description="参照网站：每次抓取先访问；无法访问即判定本机网络异常，"
        "外部链接的失败标为无法核实，如 https://www.gov.cn/",
    )
    outage_share: float = Field(
        0.8, gt=0, le=1, description="同一次抓取中以同一种网络错误失败的外部网站比例达到此值，即判定本机网络异常"
    )
    outage_min_hosts: int = Field(5, ge=1, description="外部网站至少有几个才按比例判断")


class Config(_Strict):
    organisation: Organisation
    units: tuple[Unit, ...] = ()
    sites: tuple[Site, ...] = ()
    accounts: tuple[Account, ...] = ()
    thresholds: Thresholds = {}
    storage: Storage = Storage()
    schedule: Schedule = Schedule()
    notify: Notify = Notify()
    network: Network = Network()
    workers: Workers = Workers()

    @model_validator(mode="after")
    def _references(self) -> "Config":
        units = {u.name for u in self.units}
        for kind, items in (("sites", self.sites), ("accounts", self.accounts)):
            keys = set()
            for i, item in enumerate(items):
                if item.key in keys:
                    raise ValueError(f"{kind} 第 {i + 1} 项 → key：“{item.key}”重复，每个 key 必须唯一")
                keys.add(item.key)
                if units and item.unit not in units:
                    raise ValueError(
                        f"{kind} 第 {i + 1} 项（{item.key}） → unit：“{item.unit}”不在 units 列表中；"
                        "请先在 units 里加上该单位"
                    )
        return self

    def site(self, key: str) -> Site:
        for s in self.sites:
            if s.key == key:
                return s
        raise ConfigError(
            f"配置中没有 key 为“{key}”的网站；可用的有：{', '.join(s.key for s in self.sites) or '（无）'}"
        )

    def account(self, key: str) -> Account:
        for a in self.accounts:
            if a.key == key:
                return a
        raise ConfigError(
            f"配置中没有 key 为“{key}”的新媒体账号；可用的有：{', '.join(a.key for a in self.accounts) or '（无）'}"
        )

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


_EXPECT.update(
    {
        "list_type": "应为列表",
        "float_type": "应为数字",
        "bool_type": "应为 true 或 false",
        "string_too_short": "不能为空",
        "too_short": "项数太少",
        "too_long": "项数太多",
        "string_too_long": "太长",
        "date_parsing": "应为日期，如 2026-11-26",
        "date_type": "应为日期，如 2026-11-26",
        "url_parsing": "应为网址",
        "missing_argument": "缺少必填项",
        "none_required": "应留空",
    }
)


def _path(loc: tuple, data: Any) -> str:
    """A place in sites.yaml as people count: sites 第 2 项（portal）→ limits → delay_seconds."""
    parts: list[str] = []
    node = data
    for p in loc:
        if isinstance(p, int):
            item = node[p] if isinstance(node, list) and p < len(node) else None
            name = item.get("key") or item.get("name") if isinstance(item, dict) else None
            label = f"第 {p + 1} 项" + (f"（{name}）" if isinstance(name, str) and name else "")
            parts[-1:] = [f"{parts[-1]} {label}"] if parts else [label]
            node = item
        else:
            parts.append(str(p))
            node = node.get(p) if isinstance(node, dict) else None
    return " → ".join(parts) or "（顶层）"


def _describe(err: dict, data: Any = None) -> str:
    path = _path(tuple(err["loc"]), data)
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
    if kind == "value_error" and not err["loc"]:  # a check across the file: its message names the place
        return f"  - {msg}"
    if kind == "thresholds":  # one line per problem, its place below thresholds (rule id → key)
        return "\n".join(f"  - {' → '.join([path, *where])}：{problem}" for where, problem in ctx["problems"])
    return (
        f"  - {path}：{msg or '取值不符合要求'}（实际值：{err.get('input')!r}）"
        if kind != "missing"
        else f"  - {path}：{msg}"
    )


def parse_config(data: Any, *, source: str = "sites.yaml") -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"配置文件 {source} 的顶层应为映射（organisation:、sites: …），实际为 {type(data).__name__}")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = [line for e in exc.errors() for line in _describe(e, data).split("\n")]
        raise ConfigError(f"配置文件 {source} 有 {len(lines)} 处错误：\n" + "\n".join(lines)) from exc


MAX_CONFIG_BYTES = 2 * 1024 * 1024
MAX_CONFIG_DEPTH = 30  # sites.yaml nests 4-5 levels; a "billion laughs" or deep-nesting file goes far beyond


class _PlainDumper(yaml.SafeDumper):
    """Writes shared objects out in full: our own loader refuses anchors and aliases (YAML bombs)."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    """YAML that ``load_config`` accepts: no anchors or aliases, Chinese kept as is, keys in the given order."""
    return yaml.dump(data, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False)


def _refuse_bombs(text: str, p: Path) -> None:
    """Refuse what safe_load would still choke on: anchors and aliases (a few hundred bytes expand to
    gigabytes), nesting deep enough to exhaust the recursion limit, an oversized file. Done on the event
    stream, which PyYAML produces without recursion and without expanding anything."""
    if len(text.encode("utf-8")) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"配置文件 {p} 过大（超过 {MAX_CONFIG_BYTES // (1024 * 1024)} MB）；sites.yaml 通常只有几十 KB，请检查文件是否正确"
        )
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise ConfigError(
                f"配置文件 {p} 第 {mark.line + 1} 行第 {mark.column + 1} 列使用了 YAML 锚点或别名（& 或 *），"
                "为安全起见不支持；请把内容直接写出来"
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                mark = event.start_mark
                raise ConfigError(f"配置文件 {p} 第 {mark.line + 1} 行嵌套超过 {MAX_CONFIG_DEPTH} 层；请检查缩进和括号")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def load_config(path: str | os.PathLike) -> Config:
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"找不到配置文件 {p}；可复制 sites.example.yaml 为 sites.yaml 后修改")
    if p.is_dir():
        raise ConfigError(f"配置文件 {p} 是一个目录，不是文件；请用 -c 指定其中的 YAML 文件，如 {p / 'sites.yaml'}")
    try:
        # no read bit at all: locked on purpose, even against root, who could read it anyway
        if not p.stat().st_mode & 0o444:
            raise PermissionError(13, "no read permission", str(p))
        if p.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"配置文件 {p} 过大（超过 {MAX_CONFIG_BYTES // (1024 * 1024)} MB）；sites.yaml 通常只有几十 KB，请检查文件是否正确"
            )
        text = p.read_text(encoding="utf-8")
        _refuse_bombs(text, p)
        data = yaml.safe_load(text)
    except PermissionError as exc:
        raise ConfigError(
            f"没有权限读取配置文件 {p}；请用 chmod 给运行 monitor 的用户读权限，或用 -c 指定可读的配置文件"
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"无法读取配置文件 {p}（{exc.strerror or exc}）；请检查该文件，或用 -c 指定其他配置文件"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"配置文件 {p} 不是 UTF-8 编码；请另存为 UTF-8") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise ConfigError(
            f"配置文件 {p} {where}不是合法的 YAML：{getattr(exc, 'problem', exc)}；请检查缩进和冒号"
        ) from exc
    return parse_config(data, source=str(p))


def adhoc_config(
    url: str,
    *,
    db_url: str | None = None,
    delay: float | None = None,
    max_pages: int | None = None,
    allow_private_network: bool = False,
) -> Config:
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
    if allow_private_network:
        limits["allow_private_network"] = True
    return parse_config(
        {
            "organisation": {"name": "临时检查"},
            "units": [{"name": "未指定单位"}],
            "sites": [{"key": key, "name": host, "home": url, "unit": "未指定单位", "limits": limits}],
            "storage": {"url": db_url or DEFAULT_DB_URL},
        },
        source="--url",
    )
