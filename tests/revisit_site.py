"""A small county site for revisit-policy tests: two columns, dated articles, images, external links.

No validators (no ETag, no Last-Modified), as many real sites. ``RevisitSite.pages`` maps a path to its
HTML (or None for a 404) and may be changed between crawls; ``route`` serves it to ``tests.local_http``.
"""

from __future__ import annotations

from tests.local_http import page

NAV = "<div class='nav'><a href='/'>首页</a><a href='/xwdt/'>工作动态</a><a href='/tzgg/'>通知公告</a></div>"


def article_path(col: str, n: int) -> str:
    return f"/{col}/202611/t202611{n % 20 + 1:02d}_{n}.html"


def article(title: str, day: str, extra: str = "") -> str:
    return page(
        title, f"{NAV}<h1>{title}</h1><p>发布时间：{day}</p><p>{title}的正文内容。</p><img src='/img/logo.png'>{extra}"
    )


def column(name: str, entries: list[tuple[str, str, str]], more: str = "") -> str:
    items = "".join(f"<li><a href='{u}'>{t}</a><span>{d}</span></li>" for u, t, d in entries)
    return page(f"{name}_示例县人民政府", f"{NAV}<div class='list'><ul>{items}</ul></div>{more}")


class RevisitSite:
    def __init__(self, external: str, *, news: int = 40, notices: int = 6):
        self.external = external  # base URL of another loopback server: links there are external
        self.news = [(article_path("xwdt", n), f"工作动态第{n}条", f"2026-11-{n % 20 + 1:02d}") for n in range(news)]
        # an old notice column: stale on 2026-11-26 (W-V3 / W-S2 material)
        self.notices = [
            (article_path("tzgg", 100 + n), f"通知公告第{n}号", f"2026-0{n % 5 + 3}-10") for n in range(notices)
        ]
        self.pages: dict[str, str | None] = {}
        self.extra: dict[str, str] = {}  # path -> additional HTML on that article
        self.files: dict[str, str | None] = {}  # path -> a document's body (None: 404), served as it is
        self.build()

    def build(self) -> None:
        half = len(self.news) // 2
        self.pages = {
            "/": page(
                "示例县人民政府",
                NAV
                + "".join(f"<a href='{u}'>{t}</a>" for u, t, _ in self.news[:5])
                + f"<a href='{self.external}/ok.html'>国务院</a>",
            ),
            "/xwdt/": column("工作动态", self.news[:half], "<a href='/xwdt/index_1.html'>下一页</a>"),
            "/xwdt/index_1.html": column("工作动态", self.news[half:]),
            "/tzgg/": column("通知公告", self.notices),
            "/img/logo.png": "PNG",
        }
        for u, t, d in self.news + self.notices:
            self.pages[u] = article(t, d, self.extra.get(u, "") + f"<a href='{self.external}/gov.html'>外部</a>")
        self.pages.update(self.files)

    def route(self, path: str, _server) -> tuple[int, dict, str]:
        path = path.split("?", 1)[0]
        if path.endswith("/index.html"):
            path = path[: -len("index.html")]
        body = self.pages.get(path)
        if body is None:
            return 404, {}, page("404", "页面不存在")
        ctype = {"png": "image/png", "pdf": "application/pdf"}.get(path.rsplit(".", 1)[-1], "text/html; charset=utf-8")
        return 200, {"Content-Type": ctype}, body


def external_route(path: str, _server) -> tuple[int, dict, str]:
    if "dead" in path:
        return 404, {}, page("404", "页面不存在")
    return 200, {}, page("外部网站", "外部")
