"""The bundled demo: a realistic county government portal with known problems planted.

Dates are laid out relative to ``today`` so that the planted problems are the
same whatever day the demo runs. ``scale`` multiplies the number of articles
per column, so the same site feeds the benchmarks.

Planted problems (and only these) — ``PLANTED`` lists them for the tests:
- 乡镇动态 (动态要闻) not updated for 45 days (W-V3);
- 公示公告 (first-level 通知公告) not updated for 200 days (W-V3);
- 统计数据 lists nothing (W-V5);
- an article links to a removed article, a policy file links to a missing
  attachment (internal broken links, W-S1);
- the home page links to a removed page on another site and to a site that is
  down (external broken links, W-S1);
- content: a typo and an outdated agency name (W-S3), a 联系人's unmasked mobile
  number and a valid resident ID number in 公示公告 (W-S4), a formula in the
  wrong order (W-V8, a candidate veto: the portal is 不合格);
- compliance: an article without the SiteIDCode meta tag (W-S6), a 县长信箱
  message unanswered for 103 days (W-V7), 办事统计 not updated for 100 days
  (W-S2), a policy document repealed by a later one but not marked (W-S13).
Not problems: the home page links the previous year's 政府网站工作年度报表 and an
适老化版 (W-S14, W-S16), and each 政策解读 links its 政策文件, which links back (W-S12).
The second site, 示例县农业农村局 (``monitor.demo.dept``, ``DEPT_PLANTED``), carries no column metas: a
农业动态 column 30 days old and a 政策法规 column 420 days old (a 僵尸栏目, W-V3), and an empty 统计信息 (W-V5).
Planted articles have fixed paths (``PLANTED_ARTICLES``), whatever the day.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs

from monitor.demo.annual import report_body, report_date

SITE_NAME = "示例县人民政府"
SEARCH_PATH = "/search/"  # the site search on every page's header (W-S10)
SITE_CODE = "3609990001"


@dataclass(frozen=True)
class DemoColumn:
    path: str  # directory, ends with /
    name: str
    column_type: str  # ColumnType meta value (网页设计规范)
    newest_age: int | None  # days between today and the newest item; None: static page
    interval: int = 3  # days between items
    count: int = 24  # items at scale 1
    parent: str | None = None


COLUMNS: tuple[DemoColumn, ...] = (
    DemoColumn("/xwzx/zwyw/", "政务要闻", "工作动态", 1, 2, 30, parent="新闻中心"),
    DemoColumn("/xwzx/bmdt/", "部门动态", "工作动态", 2, 3, 24, parent="新闻中心"),
    DemoColumn("/xwzx/xzdt/", "乡镇动态", "工作动态", 45, 4, 20, parent="新闻中心"),
    DemoColumn("/tzgg/", "通知公告", "通知公告", 3, 6, 24),
    DemoColumn("/gsgg/", "公示公告", "通知公告", 200, 20, 12),
    DemoColumn("/zcwj/", "政策文件", "政策文件", 20, 15, 18),
    DemoColumn("/zcjd/", "政策解读", "政策解读", 25, 20, 12),
    DemoColumn("/rsxx/", "人事信息", "人事信息", 60, 30, 10),
    DemoColumn("/ghjh/", "规划计划", "规划计划", 90, 60, 8),
    DemoColumn("/hdjl/xxgk/", "县长信箱", "咨询投诉", 5, 7, 16, parent="互动交流"),
    DemoColumn("/bsfw/bstj/", "办事统计", "办事服务", 100, 30, 6, parent="办事服务"),
    DemoColumn("/zfxxgk/nb/", "政府信息公开年报", "信息公开年报", 300, 365, 5, parent="政府信息公开"),
    DemoColumn("/tjsj/", "统计数据", "数据发布", None, count=0),
    DemoColumn("/jggk/", "机构概况", "机构职能", None, count=0),
)

EMPTY_COLUMN = "/tjsj/"
PAGE_SIZE = 15
REMOVED_ARTICLE = "/xwzx/zwyw/202001/t20200101_999.html"
MISSING_ATTACHMENT = "/uploads/zcwj/missing-attachment.pdf"
PRESENT_ATTACHMENT = "/uploads/zcwj/jiedu.pdf"

# Planted articles: (column, item index) -> fixed path, so PLANTED can name them whatever the day.
TYPO_ARTICLE = "/xwzx/bmdt/content/typo.html"
OUTDATED_ARTICLE = "/xwzx/zwyw/content/outdated.html"
WRONG_EXPRESSION_ARTICLE = "/xwzx/zwyw/content/formula.html"
MOBILE_ARTICLE = "/gsgg/content/contact.html"
ID_ARTICLE = "/gsgg/content/applicant.html"
NO_SITE_CODE_ARTICLE = "/xwzx/bmdt/content/nometa.html"
UNANSWERED_MESSAGE = "/hdjl/xxgk/content/unanswered.html"
REPEALED_POLICY = "/zcwj/content/repealed.html"
REPEALING_POLICY = "/zcwj/content/repealing.html"
STALE_SERVICE_STATS = "/bsfw/bstj/"
ANNUAL_REPORT = "/zfxxgk/nb/content/ndbg.html"
SITE_REPORT = "/about/ndbb.html"  # 政府网站工作年度报表, linked from the home page (W-S14)
ELDER_MODE = "/about/slh.html"  # 适老化版 entrance on the home page (W-S16)
PLANTED_ARTICLES: dict[tuple[str, int], str] = {
    ("/zfxxgk/nb/", 0): ANNUAL_REPORT,
    ("/xwzx/bmdt/", 1): TYPO_ARTICLE,
    ("/xwzx/zwyw/", 4): OUTDATED_ARTICLE,
    ("/xwzx/zwyw/", 3): WRONG_EXPRESSION_ARTICLE,
    ("/gsgg/", 0): MOBILE_ARTICLE,
    ("/gsgg/", 1): ID_ARTICLE,
    ("/xwzx/bmdt/", 5): NO_SITE_CODE_ARTICLE,
    ("/hdjl/xxgk/", 14): UNANSWERED_MESSAGE,
    ("/zcwj/", 10): REPEALED_POLICY,
    ("/zcwj/", 2): REPEALING_POLICY,
}
REPEALED_TITLE = "示例县城乡环境卫生管理办法"
# The planted text of each article (only while its problem is not fixed).
PLANTED_TEXT = {
    TYPO_ARTICLE: "<p>会议要求，各部门要再接再励，巩固提升检查成果。</p>",
    OUTDATED_ARTICLE: "<p>县环保局联合各乡镇开展秸秆禁烧专项巡查。</p>",
    WRONG_EXPRESSION_ARTICLE: "<p>全体干部要增强政治意识、核心意识、大局意识、看齐意识，坚定理想信念。</p>",
    MOBILE_ARTICLE: "<p>公示期间如有异议，请与联系人王某某联系，手机：13979712345。</p>",
    ID_ARTICLE: "<p>申请人：李某某，身份证号：360999198503121015，申请事项：农村宅基地建房审批。</p>",
}
_FIXED_TEXT = {
    TYPO_ARTICLE: "<p>会议要求，各部门要再接再厉，巩固提升检查成果。</p>",
    OUTDATED_ARTICLE: "<p>县生态环境局联合各乡镇开展秸秆禁烧专项巡查。</p>",
    WRONG_EXPRESSION_ARTICLE: "<p>全体干部要增强政治意识、大局意识、核心意识、看齐意识，坚定理想信念。</p>",
    MOBILE_ARTICLE: "<p>公示期间如有异议，请与联系人王某某联系，手机：139****2345。</p>",
    ID_ARTICLE: "<p>申请人：李某某，身份证号：36*************015，申请事项：农村宅基地建房审批。</p>",
}


@dataclass(frozen=True)
class Planted:
    rule: str
    subject_path: str  # path on the demo site, or "ext:/path" on the external site, or "dead:"
    note: str


PORTAL_PLANTED: tuple[Planted, ...] = (
    Planted("W-V3", "/xwzx/xzdt/", "乡镇动态 45 天未更新"),
    Planted("W-V3", "/gsgg/", "公示公告 200 天未更新"),
    Planted("W-V5", "/tjsj/", "统计数据 空白栏目"),
    Planted("W-S1", REMOVED_ARTICLE, "文章页链接到已删除的文章"),
    Planted("W-S1", MISSING_ATTACHMENT, "政策文件附件不存在"),
    Planted("W-S1", "ext:/gone.html", "首页友情链接指向已删除页面"),
    Planted("W-S1", "dead:/", "首页友情链接指向无法连接的网站"),
    Planted("W-S3", TYPO_ARTICLE, "部门动态文章中的错别字“再接再励”"),
    Planted("W-S3", OUTDATED_ARTICLE, "政务要闻文章中的过时表述“环保局”"),
    Planted("W-S4", MOBILE_ARTICLE, "公示公告中联系人的手机号未脱敏"),
    Planted("W-S4", ID_ARTICLE, "公示公告中申请人的身份证号未脱敏"),
    Planted("W-V8", WRONG_EXPRESSION_ARTICLE, "“四个意识”顺序错误（严重表述错误，单项否决）"),
    Planted("W-S6", NO_SITE_CODE_ARTICLE, "文章页缺少 SiteIDCode 元数据"),
    Planted("W-V7", UNANSWERED_MESSAGE, "县长信箱留言 103 天未答复"),
    Planted("W-S2", STALE_SERVICE_STATS, "办事统计 100 天未更新"),
    Planted("W-S13", REPEALED_POLICY, "已被新文件废止的政策文件未标注“已废止”"),
    Planted("A-6", ANNUAL_REPORT, "政府信息公开工作年度报告正文写新收申请20件，表三为18件"),
)
# The second demo site, 示例县农业农村局 (monitor/demo/dept.py): a JCMS-like department site without column
# metas, whose columns are found from their structure. "dept:" names a path on that site.
DEPT_PLANTED: tuple[Planted, ...] = (
    Planted("W-V3", "dept:/col/col103/", "农业动态 30 天未更新"),
    Planted("W-V3", "dept:/col/col104/", "政策法规 420 天未更新（僵尸栏目）"),
    Planted("W-V5", "dept:/col/col105/", "统计信息 空白栏目（暂无信息）"),
)
PLANTED: tuple[Planted, ...] = PORTAL_PLANTED + DEPT_PLANTED

_TOPICS = (
    "召开全县经济运行调度会",
    "开展安全生产大检查",
    "推进乡村振兴重点工作",
    "部署冬春农田水利建设",
    "召开优化营商环境推进会",
    "开展森林防火专项督查",
    "推动民生实事落地见效",
    "部署防汛抗旱工作",
    "举办就业招聘会",
    "开展食品安全抽检",
    "推进城乡环境整治",
    "召开教育工作会议",
)


class DemoSite:
    """All pages of the demo portal, generated in memory."""

    def __init__(
        self,
        today: date,
        *,
        scale: float = 1.0,
        external_base: str = "http://127.0.0.1:9",
        dead_base: str = "http://127.0.0.1:9",
        fixed: frozenset[str] | set[str] = frozenset(),
    ):
        """``fixed`` names planted problems (their ``subject_path``) the site has rectified."""
        unknown = set(fixed) - {p.subject_path for p in PLANTED}
        if unknown:
            raise ValueError(f"unknown planted problems: {sorted(unknown)}")
        self.fixed = frozenset(fixed)
        self.today = today
        self.scale = scale
        self.external_base = external_base.rstrip("/")
        self.dead_base = dead_base.rstrip("/")
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.titles: dict[str, str] = {}  # article path -> title, for the site search
        self._build()

    # ------------------------------------------------------------ layout

    def _nav(self) -> str:
        groups: dict[str, list[DemoColumn]] = {}
        top: list[str] = ['<li><a href="/">首页</a></li>']
        for c in COLUMNS:
            if c.parent:
                if c.parent not in groups:
                    groups[c.parent] = []
                    top.append(f"@@{c.parent}@@")
                groups[c.parent].append(c)
            else:
                top.append(f'<li><a href="{c.path}index.html">{c.name}</a></li>')
        out = []
        for entry in top:
            if entry.startswith("@@"):
                name = entry.strip("@")
                subs = "".join(f'<li><a href="{c.path}index.html">{c.name}</a></li>' for c in groups[name])
                first = groups[name][0].path
                out.append(f'<li><a href="{first}index.html">{name}</a><ul class="sub-nav">{subs}</ul></li>')
            else:
                out.append(entry)
        return '<nav id="nav" class="main-nav"><ul>' + "".join(out) + "</ul></nav>"

    def _footer(self) -> str:
        return (
            '<div class="footer" id="footer">'
            '<p><a href="/about/wzdt.html">网站地图</a> | <a href="/about/lxwm.html">联系我们</a></p>'
            f"<p>主办单位：示例县人民政府办公室　承办单位：示例县大数据中心　"
            f"政府网站标识码：{SITE_CODE}</p>"
            '<p>赣ICP备12345678号　<img src="/images/gaba.png" alt="公安备案">赣公网安备 36099902000123号</p>'
            '<p><a href="/about/dzjg.html"><img src="/images/dzjg.png" alt="党政机关"></a>'
            "　版权所有 2008-2026 示例县人民政府</p>"
            "</div>"
        )

    def _page(self, title: str, body: str, *, meta: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> bytes:
        metas = {"SiteName": SITE_NAME, "SiteDomain": "www.example-county.gov.cn", "SiteIDCode": SITE_CODE}
        metas.update(meta or {})
        metas = {k: v for k, v in metas.items() if k not in drop}
        meta_html = "".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in metas.items())
        doc = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}_{SITE_NAME}</title>{meta_html}"
            '<link rel="stylesheet" href="/css/style.css"></head><body>'
            f'<div class="header"><h1><a href="/">{SITE_NAME}</a></h1>'
            '<a href="/jiucuo.html" class="jiucuo">我为政府网站找错</a>'
            f'<form class="search" action="{SEARCH_PATH}" method="get"><input type="text" name="q" '
            'placeholder="请输入关键字"><input type="submit" value="搜索"></form></div>'
            f'{self._nav()}<div class="main">{body}</div>{self._footer()}</body></html>'
        )
        return doc.encode("utf-8")

    def _put(self, path: str, body: bytes, ctype: str = "text/html; charset=utf-8") -> None:
        self.pages[path] = (ctype, body)

    # ------------------------------------------------------------ content

    def _effective(self, col: DemoColumn) -> DemoColumn:
        """The column as served: a rectified stale column got new posts, a rectified empty one got content."""
        if col.path not in self.fixed:
            return col
        if col.path == EMPTY_COLUMN:
            return DemoColumn(col.path, col.name, col.column_type, 5, 30, 6, col.parent)
        return DemoColumn(col.path, col.name, col.column_type, 2, col.interval, col.count, col.parent)

    def _items(self, col: DemoColumn) -> list[tuple[str, str, date]]:
        if col.newest_age is None:
            return []
        n = max(1, round(col.count * self.scale))
        items = []
        for i in range(n):
            d = self.today - timedelta(days=col.newest_age + i * col.interval)
            seq = int(hashlib.md5(f"{col.path}{i}".encode()).hexdigest()[:6], 16) % 900000 + 100000
            path = PLANTED_ARTICLES.get((col.path, i)) or f"{col.path}{d:%Y%m}/t{d:%Y%m%d}_{seq}.html"
            topic = _TOPICS[(i + len(col.path)) % len(_TOPICS)]
            title = f"示例县{topic}（{col.name}第{i + 1}期）" if col.column_type != "咨询投诉" else f"关于{topic}的咨询"
            if path == REPEALED_POLICY:
                title = REPEALED_TITLE + ("【已废止】" if REPEALED_POLICY in self.fixed else "")
            if path == ANNUAL_REPORT:
                d = report_date(self.today)
                title = f"{SITE_NAME}{d.year - 1}年政府信息公开工作年度报告"
            items.append((path, title, d))
        return items

    def _list_pages(self, col: DemoColumn, items: list[tuple[str, str, date]]) -> None:
        meta = {
            "ColumnName": col.name,
            "ColumnType": col.column_type,
            "ColumnDescription": f"{col.name}栏目",
            "ColumnKeywords": col.name,
        }
        crumb = f'<div class="position">当前位置：<a href="/">首页</a> &gt; {col.parent + " &gt; " if col.parent else ""}{col.name}</div>'
        if col.newest_age is None:
            if col.path == EMPTY_COLUMN:
                body = f'{crumb}<h2>{col.name}</h2><ul class="list"></ul><p class="empty">暂无信息</p>'
            else:
                body = (
                    f'{crumb}<h2>{col.name}</h2><div class="article"><p>示例县人民政府是县级国家行政机关，'
                    "负责全县经济社会发展和行政管理工作。</p><p>地址：示例县人民路1号　电话：0797-1234567</p></div>"
                )
            self._put(f"{col.path}index.html", self._page(col.name, body, meta=meta))
            return
        pages = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)] or [[]]
        count = len(pages)
        for n, chunk in enumerate(pages):
            rows = "".join(
                f'<li><a href="{p}" title="{html.escape(t)}">{html.escape(t)}</a><span class="date">{d:%Y-%m-%d}</span></li>'
                for p, t, d in chunk
            )
            if col.column_type == "咨询投诉":
                rows = self._mailbox_rows(chunk)
            script = (
                f"<script>var countPage = {count};var currentPage = {n};"
                f'createPageHTML(countPage, currentPage, "index", "html");</script>'
            )
            nav = []
            if n + 1 < count:
                nav.append(f'<a href="index_{n + 1}.html">下一页</a>')
            if n > 0:
                prev = "index.html" if n == 1 else f"index_{n - 1}.html"
                nav.append(f'<a href="{prev}">上一页</a>')
            listing = rows if col.column_type == "咨询投诉" else f'<ul class="list">{rows}</ul>'
            body = f'{crumb}<h2>{col.name}</h2>{listing}<div class="page">{"".join(nav)}{script}</div>'
            name = "index.html" if n == 0 else f"index_{n}.html"
            self._put(f"{col.path}{name}", self._page(col.name, body, meta=meta))

    def _mailbox_rows(self, chunk: list[tuple[str, str, date]]) -> str:
        """A 县长信箱 list: 标题 | 留言时间 | 回复时间 | 状态; the planted message is still unanswered."""
        rows = ['<table class="mailbox"><tr><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>']
        for p, t, d in chunk:
            if p == UNANSWERED_MESSAGE and p not in self.fixed:
                replied, state = "—", "未回复"
            else:
                replied, state = f"{min(d + timedelta(days=3), self.today):%Y-%m-%d}", "已回复"
            rows.append(
                f'<tr><td><a href="{p}" title="{html.escape(t)}">{html.escape(t)}</a></td>'
                f"<td>{d:%Y-%m-%d}</td><td>{replied}</td><td>{state}</td></tr>"
            )
        return "".join(rows) + "</table>"

    def _article(self, col: DemoColumn, path: str, title: str, d: date, extra: str = "") -> None:
        body = (
            f'<div class="position">当前位置：<a href="/">首页</a> &gt; '
            f'<a href="{col.path}index.html">{col.name}</a></div>'
            f'<h2 class="title">{html.escape(title)}</h2>'
            f'<div class="info">发布时间：{d:%Y-%m-%d} 09:30　来源：示例县人民政府办公室</div>'
            f'<div class="content"><p>{d.year}年{d.month}月{d.day}日，{html.escape(title)}。会议强调，要坚持以人民为中心的'
            "发展思想，扎实做好各项工作，确保取得实效。</p>"
            f"<p>会议要求，各乡镇、各部门要压实责任，细化措施，抓好落实。</p>{extra}</div>"
        )
        meta = {
            "ArticleTitle": title,
            "PubDate": f"{d:%Y-%m-%d} 09:30",
            "ContentSource": "示例县人民政府办公室",
            "ColumnName": "",
            "ColumnType": "",
        }
        meta = {k: v for k, v in meta.items() if v}
        drop = ("SiteIDCode",) if path == NO_SITE_CODE_ARTICLE and path not in self.fixed else ()
        self._put(path, self._page(title, body, meta=meta, drop=drop))
        self.titles[path] = title

    def _build(self) -> None:
        latest: dict[str, list[tuple[str, str, date]]] = {}
        # 政策解读 i links its document 政策文件 i (mod n), which links back (W-S12)
        by_path = {c.path: c for c in COLUMNS}
        docs, jds = (self._items(self._effective(by_path[p])) for p in ("/zcwj/", "/zcjd/"))
        for col in map(self._effective, COLUMNS):
            items = self._items(col)
            latest[col.path] = items
            self._list_pages(col, items)
            for i, (path, title, d) in enumerate(items):
                extra = ""
                if col.path == "/xwzx/zwyw/" and i == 2 and REMOVED_ARTICLE not in self.fixed:
                    extra = f'<p>相关阅读：<a href="{REMOVED_ARTICLE}">示例县召开2019年度总结大会</a></p>'
                if col.path == "/zcwj/" and i == 0:
                    extra = (
                        f'<p>附件：<a href="{MISSING_ATTACHMENT}">实施细则.pdf</a>　'
                        f'<a href="{PRESENT_ATTACHMENT}">政策图解.pdf</a></p>'
                    )
                    if MISSING_ATTACHMENT in self.fixed:
                        self._put(MISSING_ATTACHMENT, _tiny_pdf(), "application/pdf")
                if col.path == "/zcjd/" and docs:
                    dp, dt, _ = docs[i % len(docs)]
                    extra += f'<p>政策原文：<a href="{dp}">{html.escape(dt)}</a></p>'
                if col.path == "/zcwj/":
                    extra += "".join(
                        f'<p>相关解读：<a href="{jp}">{html.escape(jt)}</a></p>'
                        for k, (jp, jt, _) in enumerate(jds)
                        if k % len(docs) == i
                    )
                if path in PLANTED_TEXT:
                    extra += _FIXED_TEXT[path] if path in self.fixed else PLANTED_TEXT[path]
                if path == REPEALING_POLICY:
                    extra += (
                        f"<p>本办法自{d.year}年{d.month}月{d.day}日起施行，《{REPEALED_TITLE}》"
                        "（示政发〔2026〕12号）同时废止。</p>"
                    )
                if path == ANNUAL_REPORT:
                    body = report_body(SITE_NAME, d.year - 1, d, planted=ANNUAL_REPORT not in self.fixed)
                    self._put(
                        path,
                        self._page(
                            title,
                            body,
                            meta={"ArticleTitle": title, "PubDate": f"{d:%Y-%m-%d} 09:00", "ContentSource": SITE_NAME},
                        ),
                    )
                    continue
                self._article(col, path, title, d, extra)
        self._home(latest)
        for path, title in (
            ("/about/wzdt.html", "网站地图"),
            ("/about/lxwm.html", "联系我们"),
            ("/about/dzjg.html", "党政机关网站标识"),
            ("/jiucuo.html", "我为政府网站找错"),
            (SITE_REPORT, f"{SITE_NAME}{self.today.year - 1}年度政府网站工作年度报表"),
            (ELDER_MODE, "适老化版"),
        ):
            self._put(path, self._page(title, f"<h2>{title}</h2><p>{title}页面。</p>"))
        self._put("/css/style.css", b"body{font-family:sans-serif}", "text/css")
        png = bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
        )
        self._put("/images/gaba.png", png, "image/png")
        self._put("/images/dzjg.png", png, "image/png")
        self._put(PRESENT_ATTACHMENT, _tiny_pdf(), "application/pdf")

    def _home(self, latest: dict[str, list[tuple[str, str, date]]]) -> None:
        def block(path: str, heading: str, n: int = 6) -> str:
            rows = "".join(
                f'<li><a href="{p}">{html.escape(t)}</a><span>{d:%m-%d}</span></li>' for p, t, d in latest[path][:n]
            )
            return f'<div class="block"><h3><a href="{path}index.html">{heading}</a></h3><ul>{rows}</ul></div>'

        friends = [f'<li><a href="{self.external_base}/ok.html">江西省人民政府</a></li>']
        if "ext:/gone.html" not in self.fixed:
            friends.append(f'<li><a href="{self.external_base}/gone.html">示例市人民政府（旧版）</a></li>')
        if "dead:/" not in self.fixed:
            friends.append(f'<li><a href="{self.dead_base}/">示例县融媒体中心</a></li>')
        links = f'<div class="links"><h3>友情链接</h3><ul class="friend">{"".join(friends)}</ul></div>'

        services = (
            f'<div class="quick"><a href="{SITE_REPORT}">{self.today.year - 1}年度政府网站工作年度报表</a>'
            f'　<a href="{ELDER_MODE}">适老化版</a></div>'
        )
        body = (
            services
            + block("/xwzx/zwyw/", "政务要闻")
            + block("/tzgg/", "通知公告")
            + block("/zcwj/", "政策文件")
            + links
        )
        self._put(
            "/",
            self._page(
                "首页",
                body,
                meta={
                    "ColumnName": "首页",
                    "ColumnType": "首页",
                    "ColumnDescription": f"{SITE_NAME}门户网站首页",
                    "ColumnKeywords": "首页",
                },
            ),
        )

    def lookup(self, path: str, query: str = "") -> tuple[str, bytes] | None:
        """What the server answers for ``path`` (and its query string: only the site search reads it)."""
        if path == SEARCH_PATH:
            return self.search(parse_qs(query).get("q", [""])[0])
        return self.pages.get(path)

    def search(self, query: str, per_page: int = 10) -> tuple[str, bytes]:
        """The site search: articles whose title holds every word of the query, first page only."""
        terms = query.split()
        hits = [(p, t) for p, t in self.titles.items() if terms and all(w in t for w in terms)][:per_page]
        rows = "".join(f'<li><a href="{p}">{html.escape(t)}</a></li>' for p, t in hits)
        body = f'<h2>搜索“{html.escape(query)}”的结果（{len(hits)} 条）</h2><ul class="result">{rows}</ul>'
        return "text/html; charset=utf-8", self._page("搜索结果", body)


def _tiny_pdf() -> bytes:
    """A one-page PDF, written by hand so the demo needs no PDF library."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
    ]
    stream = b"BT /F1 12 Tf 20 50 Td (policy) Tj ET"
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out
