"""The demo's second site: a county department (示例县农业农村局) built like a 大汉 JCMS site, without the
ColumnName/ColumnType tags of the 网页设计规范 on its list pages.

Its columns are found from their structure and the navigation: ``/col/colNNN/index.html`` list pages whose
entries are table rows with ``[YYYY-MM-DD]`` dates, ``index_1.html`` … page bars, articles at
``/art/Y/M/D/art_NNN_SEQ.html`` carrying ArticleTitle and PubDate.

Planted problems (and only these; ``DEPT_PLANTED`` in ``monitor.demo.site``):
- 农业动态 (动态要闻) not updated for 30 days (W-V3);
- 政策法规 (first-level 政策文件) not updated for 420 days: a 僵尸栏目 (W-V3);
- 统计信息 lists nothing, “暂无信息” (W-V5).
Not problems: 通知公告 is fresh under an old 置顶 entry, 图片新闻 shows no dates but its articles are fresh,
工作动态 spans two list pages, 机构职能 is a static page.
"""

from __future__ import annotations

import html
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.demo.site import SEARCH_PATH, DemoSite

DEPT_NAME = "示例县农业农村局"
DEPT_CODE = "bm36099901"
PAGE_SIZE = 15


@dataclass(frozen=True)
class DeptColumn:
    path: str
    name: str
    newest_age: int | None  # None: empty list (or a static page)
    interval: int = 5
    count: int = 0
    dated: bool = True
    pinned_age: int | None = None  # a 置顶 entry this many days old sits on top
    static: bool = False


DEPT_COLUMNS: tuple[DeptColumn, ...] = (
    DeptColumn("/col/col101/", "工作动态", 2, 3, 18),
    DeptColumn("/col/col102/", "通知公告", 6, 12, 8, pinned_age=900),
    DeptColumn("/col/col103/", "农业动态", 30, 6, 10),
    DeptColumn("/col/col104/", "政策法规", 420, 45, 6),
    DeptColumn("/col/col105/", "统计信息", None),
    DeptColumn("/col/col106/", "图片新闻", 4, 8, 5, dated=False),
    DeptColumn("/col/col107/", "机构职能", None, static=True),
)
EMPTY_COLUMN = "/col/col105/"

_TOPICS = (
    "开展春耕备耕技术指导",
    "推进高标准农田建设",
    "部署秋粮收购工作",
    "开展农产品质量安全抽检",
    "召开乡村振兴工作推进会",
    "开展农机安全生产检查",
)


class DeptSite(DemoSite):
    """The department site, in memory. ``fixed`` names its planted problems (``dept:/col/…``) that were rectified."""

    def __init__(
        self, today: date, *, portal_base: str = "http://127.0.0.1:9", fixed: frozenset[str] | set[str] = frozenset()
    ):
        self.portal_base = portal_base.rstrip("/")
        self.dept_fixed = frozenset(f[5:] for f in fixed if f.startswith("dept:"))
        super().__init__(today, fixed=frozenset(f for f in fixed if not f.startswith("dept:")))

    # ------------------------------------------------------------ the JCMS-like frame

    def _nav(self) -> str:
        links = "".join(f'<li><a href="{c.path}index.html" target="_self">{c.name}</a></li>' for c in DEPT_COLUMNS)
        return f'<div id="menu" class="menu-bar"><ul class="menu"><li><a href="/">网站首页</a></li>{links}</ul></div>'

    def _footer(self) -> str:
        return (
            '<table width="100%" class="bottom" id="footer"><tr><td align="center">'
            f"<p>主办单位：{DEPT_NAME}　地址：示例县人民路8号　政府网站标识码：{DEPT_CODE}</p>"
            "<p>赣ICP备12345679号　赣公网安备 36099902000456号</p>"
            '<p><a href="/about/dzjg.html"><img src="/images/dzjg.png" alt="党政机关"></a></p>'
            "</td></tr></table>"
        )

    def _page(self, title: str, body: str, *, meta: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> bytes:
        metas = {"SiteName": DEPT_NAME, "SiteDomain": "nyncj.example-county.gov.cn", "SiteIDCode": DEPT_CODE}
        metas.update(meta or {})
        meta_html = "".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in metas.items())
        doc = (
            '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
            f"<title>{DEPT_NAME} {html.escape(title)}</title>{meta_html}"
            '<link rel="stylesheet" type="text/css" href="/css/style.css"></head><body>'
            '<table width="100%" class="head-table"><tr><td>'
            f'<a href="/"><img src="/images/dzjg.png" alt="{DEPT_NAME}"></a>'
            '<a href="/jiucuo.html" class="jiucuo">我为政府网站找错</a>　'
            f'<a href="{self.portal_base}/hdjl/xxgk/index.html">局长信箱</a>'
            f'<form class="search" action="{SEARCH_PATH}" method="get"><input type="text" name="q">'
            '<input type="submit" value="搜索"></form></td></tr></table>'
            f'{self._nav()}<div class="main-wrap">{body}</div>{self._footer()}</body></html>'
        )
        return doc.encode("utf-8")

    # ------------------------------------------------------------ content

    def _dept_items(self, col: DeptColumn) -> list[tuple[str, str, date, bool]]:
        """(path, title, date, pinned), newest first, the 置顶 entry on top."""
        if col.newest_age is None:
            if col.path == EMPTY_COLUMN and col.path in self.dept_fixed:
                col = DeptColumn(col.path, col.name, 3, 20, 4)
            else:
                return []
        newest = 2 if col.path in self.dept_fixed else col.newest_age
        out = []
        colno = col.path.strip("/").rsplit("col", 1)[-1]
        for i in range(col.count):
            d = self.today - timedelta(days=newest + i * col.interval)
            seq = int(hashlib.md5(f"{col.path}{i}".encode()).hexdigest()[:6], 16) % 900000 + 100000
            title = f"示例县农业农村局{_TOPICS[(i + len(col.name)) % len(_TOPICS)]}（{col.name}第{i + 1}期）"
            out.append((f"/art/{d.year}/{d.month}/{d.day}/art_{colno}_{seq}.html", title, d, False))
        if col.pinned_age is not None:
            d = self.today - timedelta(days=col.pinned_age)
            out.insert(
                0,
                (
                    f"/art/{d.year}/{d.month}/{d.day}/art_{colno}_100000.html",
                    f"关于{col.name}栏目信息发布的说明",
                    d,
                    True,
                ),
            )
        return out

    def _dept_list(self, col: DeptColumn, items: list[tuple[str, str, date, bool]]) -> None:
        crumb = (
            f'<table width="100%"><tr><td class="bt-position">您现在的位置：<a href="/">首页</a> &gt;&gt; '
            f"<span>{col.name}</span></td></tr></table>"
        )
        head = f'<table width="100%" class="lm-name"><tr><td class="bt_title">{col.name}</td></tr></table>'
        if col.static:
            body = (
                f'{crumb}{head}<div class="lm-content"><p>{DEPT_NAME}是县人民政府工作部门，负责全县农业农村'
                "工作的统筹规划和指导。</p><p>办公地址：示例县人民路8号　电话：0797-1234568</p></div>"
            )
            self._put(f"{col.path}index.html", self._page(col.name, body))
            return
        pages = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)] or [[]]
        for n, chunk in enumerate(pages):
            rows = []
            for path, title, d, pinned in chunk:
                flag = '<font color="red">【置顶】</font>' if pinned else ""
                when = f"[{d:%Y-%m-%d}]" if col.dated else ""
                rows.append(
                    f'<tr><td width="12"><img src="/images/dzjg.png" width="3" alt=""></td>'
                    f'<td class="bt_link">{flag}<a href="{path}" target="_blank" title="{html.escape(title)}">'
                    f'{html.escape(title)}</a></td><td width="90" class="bt_time">{when}</td></tr>'
                )
            if not chunk:
                rows.append('<tr><td colspan="3" align="center">暂无信息</td></tr>')
            bar = [f"共 {len(pages)} 页"]
            if n > 0:
                bar.append(f'<a href="{"index.html" if n == 1 else f"index_{n - 1}.html"}">上一页</a>')
            if n + 1 < len(pages):
                bar.append(f'<a href="index_{n + 1}.html">下一页</a>')
            body = (
                f'{crumb}{head}<div id="{col.path.strip("/").rsplit("/", 1)[-1]}">'
                f'<table width="100%" class="default_pgContainer">{"".join(rows)}</table></div>'
                f'<table width="100%" class="pagebar"><tr><td align="center">{" ".join(bar)}</td></tr></table>'
            )
            self._put(f"{col.path}{'index.html' if n == 0 else f'index_{n}.html'}", self._page(col.name, body))

    def _dept_article(self, col: DeptColumn, path: str, title: str, d: date) -> None:
        body = (
            f'<table width="100%"><tr><td class="bt-position">您现在的位置：<a href="/">首页</a> &gt;&gt; '
            f'<a href="{col.path}index.html">{col.name}</a></td></tr></table>'
            f'<table width="100%" class="article-table"><tr><td class="title" align="center">{html.escape(title)}</td></tr>'
            f'<tr><td align="center">发布日期：{d:%Y-%m-%d}　信息来源：{DEPT_NAME}</td></tr>'
            f'<tr><td><div id="zoom"><p>　　近日，{html.escape(title)}。会议要求，各乡镇要压实责任，细化措施，'
            "确保各项工作落到实处。</p></div></td></tr></table>"
        )
        meta = {"ArticleTitle": title, "PubDate": f"{d:%Y-%m-%d} 10:00", "ContentSource": DEPT_NAME}
        self._put(path, self._page(title, body, meta=meta))
        self.titles[path] = title

    def _build(self) -> None:
        latest: dict[str, list[tuple[str, str, date, bool]]] = {}
        for col in DEPT_COLUMNS:
            items = self._dept_items(col)
            latest[col.path] = items
            self._dept_list(col, items)
            for path, title, d, _ in items:
                self._dept_article(col, path, title, d)
        blocks = []
        for path in ("/col/col101/", "/col/col102/"):
            name = next(c.name for c in DEPT_COLUMNS if c.path == path)
            rows = "".join(
                f'<tr><td><a href="{p}" title="{html.escape(t)}">{html.escape(t)}</a></td>'
                f'<td class="bt_time">{d:%m-%d}</td></tr>'
                for p, t, d, pinned in latest[path][:6]
                if not pinned
            )
            blocks.append(
                f'<div class="index-box"><div class="box-title"><a href="{path}index.html">{name}</a></div>'
                f'<table width="100%">{rows}</table></div>'
            )
        report = f"{self.today.year - 1}年度政府网站工作年度报表"
        quick = (
            f'<div class="quick"><a href="/about/ndbb.html">{report}</a>　<a href="/about/slh.html">适老化版</a></div>'
        )
        self._put("/", self._page("首页", quick + "".join(blocks)))
        for path, title in (
            ("/about/dzjg.html", "党政机关网站标识"),
            ("/jiucuo.html", "我为政府网站找错"),
            ("/about/ndbb.html", f"{DEPT_NAME}{report}"),
            ("/about/slh.html", "适老化版"),
        ):
            self._put(path, self._page(title, f"<h2>{title}</h2><p>{title}页面。</p>"))
        self._put("/css/style.css", b"body{font-family:sans-serif}", "text/css")
        png = bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
        )
        self._put("/images/dzjg.png", png, "image/png")
