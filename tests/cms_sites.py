"""Government sites built from the list-page templates of six CMS families (tests/fixtures/cms/), none carrying
ColumnName meta on its list pages, each with the same columns: fresh and multi-page, outdated, zombie, empty,
pinned, undated (fresh and outdated), and standard-conforming article pages (ColumnName + ArticleTitle + PubDate).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

FIXTURES = Path(__file__).parent / "fixtures" / "cms"
FAMILIES = ("trs", "jcms", "xxgk", "cards", "dldd", "script")
PAGE_SIZE = 12


@dataclass(frozen=True)
class Col:
    key: str
    name: str
    type: str
    newest: int | None = None  # days before today of the newest entry; None: empty
    interval: int = 3
    count: int = 0
    dated: bool = True  # the list shows dates
    pinned: bool = False  # a 置顶 entry from long ago sits on top


COLUMNS = (
    Col("gzdt", "工作动态", "工作动态", 2, 3, 20),  # fresh, two list pages
    Col("bmdt", "部门动态", "工作动态", 40, 5, 6),  # outdated (W-V3)
    Col("tzgg", "通知公告", "通知公告", 400, 30, 5),  # not updated for over a year: 僵尸栏目 (W-V3)
    Col("tjsj", "统计数据", "数据发布"),  # empty (W-V5)
    Col("zcwj", "政策文件", "政策文件", 5, 10, 6, pinned=True),  # fresh under an 800-day-old 置顶 entry
    Col("xzdt", "乡镇动态", "工作动态", 3, 4, 6, dated=False),  # undated list, fresh articles
    Col("tpxw", "图片新闻", "工作动态", 60, 7, 5, dated=False),  # undated list, outdated articles (W-V3)
)
# (rule, column key) each family's site must report, and nothing else of the column rules
EXPECTED = {("W-V3", "bmdt"), ("W-V3", "tzgg"), ("W-V3", "tpxw"), ("W-V5", "tjsj")}
COLUMN_RULES = ("W-V2", "W-V3", "W-V4", "W-V5", "W-S2")


@dataclass
class Entry:
    url: str
    title: str
    date: date
    pinned: bool = False
    dated: bool = True


def _seq(*parts: object) -> int:
    return int(hashlib.md5("/".join(map(str, parts)).encode()).hexdigest()[:6], 16) % 90000 + 10000


class CmsSite:
    """All pages of one family's site, in memory: path -> (content type, body)."""

    def __init__(self, family: str, today: date):
        self.family, self.today = family, today
        self.site_name = f"示例县{ {'trs': '发展和改革局', 'jcms': '教育体育局', 'xxgk': '财政局', 'cards': '文化旅游局', 'dldd': '农业农村局', 'script': '卫生健康委员会'}[family] }"
        self.env = Environment(loader=FileSystemLoader(str(FIXTURES)), autoescape=select_autoescape(["html"]))
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.columns: dict[str, str] = {}  # column key -> column URL path
        self._build()

    # ------------------------------------------------------------ URL shapes of the family

    def column_path(self, col: Col, i: int) -> str:
        return {"jcms": f"/col/col{1000 + i}/", "xxgk": f"/xxgk/{col.key}/"}.get(self.family, f"/{col.key}/")

    def article_path(self, col: Col, i: int, n: int, d: date) -> str:
        seq = _seq(self.family, col.key, n)
        base = self.column_path(col, i)
        return {
            "trs": f"{base}{d:%Y%m}/t{d:%Y%m%d}_{seq}.html",
            "jcms": f"/art/{d.year}/{d.month}/{d.day}/art_{1000 + i}_{seq}.html",
            "xxgk": f"/xxgk/content.jsp?id={seq}",
            "cards": f"{base}{seq}.html",
            "dldd": f"/show/{seq}.html",
            "script": f"{base}content_{seq}.html",
        }[self.family]

    # ------------------------------------------------------------ pages

    def _put(self, path: str, html: str, ctype: str = "text/html; charset=utf-8") -> None:
        if self.family == "xxgk" and ctype.startswith("text/html"):
            self.pages[path] = ("text/html", html.encode("gbk"))  # a GB2312 site that sends no charset
        else:
            self.pages[path] = (ctype, html.encode("utf-8"))

    def _entries(self, col: Col, i: int) -> list[Entry]:
        if col.newest is None:
            return []
        out = []
        for n in range(col.count):
            d = self.today - timedelta(days=col.newest + n * col.interval)
            title = f"{self.site_name}{col.name}第{n + 1}期：{['召开专题会议', '开展专项检查', '推进重点项目', '部署冬季工作'][n % 4]}"
            out.append(Entry(self.article_path(col, i, n, d), title, d, dated=col.dated))
        if col.pinned:
            d = self.today - timedelta(days=800)
            out.insert(
                0,
                Entry(
                    self.article_path(col, i, 99, d), f"关于{col.name}公开工作的说明", d, pinned=True, dated=col.dated
                ),
            )
        return out

    def _build(self) -> None:
        nav = [{"name": c.name, "url": self.column_path(c, i) + "index.html"} for i, c in enumerate(COLUMNS)]
        hot = self._entries(COLUMNS[0], 0)[:5]
        list_t = self.env.get_template(f"{self.family}/list.html")
        article_t = self.env.get_template(f"{self.family}/article.html")
        blocks = []
        for i, col in enumerate(COLUMNS):
            path = self.column_path(col, i)
            self.columns[col.key] = path
            entries = self._entries(col, i)
            column = {"name": col.name, "type": col.type, "url": path + "index.html", "id": 1000 + i}
            chunks = [entries[k : k + PAGE_SIZE] for k in range(0, len(entries), PAGE_SIZE)] or [[]]
            for page, chunk in enumerate(chunks):
                name = "index.html" if page == 0 else f"index_{page}.html"
                shown = [] if self.family == "script" else chunk
                self._put(
                    path + name,
                    list_t.render(
                        site_name=self.site_name,
                        nav=nav,
                        column=column,
                        entries=shown,
                        page=page,
                        pages=len(chunks),
                        total=len(entries),
                        hot=hot,
                    ),
                )
                if self.family == "script":
                    rows = [
                        {
                            "url": e.url,
                            "title": e.title,
                            "top": e.pinned,
                            "date": f"{e.date:%Y-%m-%d}" if e.dated else None,
                        }
                        for e in chunk
                    ]
                    self._put(
                        f"{path}data_{page}.json",
                        json.dumps({"rows": rows}, ensure_ascii=False),
                        "application/json; charset=utf-8",
                    )
            for e in entries:
                related = [r for r in entries if r is not e][:3]
                self._put(
                    e.url,
                    article_t.render(
                        site_name=self.site_name,
                        nav=nav,
                        column=column,
                        article={"title": e.title, "date": e.date},
                        related=related,
                    ),
                )
            if col.key in ("gzdt", "zcwj"):
                blocks.append(
                    {"name": col.name, "url": column["url"], "entries": [e for e in entries if not e.pinned][:5]}
                )
        self._put("/", self.env.get_template("home.html").render(site_name=self.site_name, nav=nav, blocks=blocks))

    def lookup(self, path: str) -> tuple[str, bytes] | None:
        return self.pages.get(path)
