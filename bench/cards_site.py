"""A government-like site unlike the demo, for bench/crawl_benchmark.py (shape "cards").

What sets it apart from the demo portal, on purpose:
- no ``<meta name="ColumnName">`` (nor any other CMS meta tag): columns are known only from breadcrumbs
  and headings;
- 60+ links on every page: a top navigation, its sub-menus and a link-heavy footer repeated everywhere;
- list pages as cards (``<li class="card">``) with the date split into day and year-month spans, paginated
  as ``index.html``, ``index_1.html`` …;
- article pages with a Chinese date line (``发布日期：2026年11月20日``);
- no ETag/Last-Modified validators, HTTP/1.0 and ``Connection: close`` (no keep-alive);
- a few broken attachment links, so the check has something to find.

The server counts every request it answers; the benchmark reads the counter between runs.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOP = [
    "首页",
    "政务公开",
    "新闻动态",
    "政策文件",
    "政策解读",
    "办事服务",
    "互动交流",
    "数据发布",
    "专题专栏",
    "走进本区",
]
SUB = ["工作动态", "通知公告", "部门信息"]  # three sub-columns under each top column but the home page
FOOTER = [
    "关于本站",
    "网站地图",
    "联系我们",
    "隐私声明",
    "使用帮助",
    "无障碍说明",
    "网站纠错",
    "版权声明",
    "政府信息公开指南",
    "政府信息公开制度",
    "依申请公开",
    "政府信息公开年报",
    "机构职能",
    "领导信息",
    "人事信息",
    "财政信息",
    "规划计划",
    "应急管理",
    "统计信息",
    "建议提案办理",
    "新闻发布会",
]
PER_LIST = 20
BROKEN_EVERY = 97  # every 97th article links to an attachment that is not there


class CardsSite:
    def __init__(self, pages: int, today: date):
        self.today = today
        self.columns = [(f"c{i}", t, f"s{j}", s) for i, t in enumerate(TOP[1:], 1) for j, s in enumerate(SUB)]
        n_cols = len(self.columns)
        # pages = 1 home + footer pages + list pages + articles; solve for articles per column
        budget = max(pages - 1 - len(FOOTER), n_cols * 2)
        per_col = max(1, int(budget / n_cols * PER_LIST / (PER_LIST + 1)))
        self.per_col = per_col
        self.lists_per_col = -(-per_col // PER_LIST)
        self._chrome = self._build_chrome()

    @property
    def page_count(self) -> int:
        return 1 + len(FOOTER) + len(self.columns) * (self.per_col + self.lists_per_col)

    def _build_chrome(self) -> tuple[str, str]:
        nav = ['<div class="nav"><ul class="menu">']
        for i, top in enumerate(TOP):
            if i == 0:
                nav.append('<li><a href="/">首页</a></li>')
                continue
            nav.append(f'<li class="drop"><a href="/c{i}/s0/index.html">{top}</a><ul class="sub">')
            nav += [f'<li><a href="/c{i}/s{j}/index.html">{s}</a></li>' for j, s in enumerate(SUB)]
            nav.append("</ul></li>")
        nav.append("</ul></div>")
        foot = ['<div class="footer"><div class="links">']
        foot += [f'<a href="/about/f{k}.html">{t}</a>' for k, t in enumerate(FOOTER)]
        foot.append(
            '</div><p>主办单位：示范区人民政府办公室 承办：示范区大数据中心 <a href="/about/f2.html">联系我们</a></p>'
            '<p>网站标识码 0000000000 <a href="/about/f1.html">网站地图</a></p></div>'
        )
        return "\n".join(nav), "\n".join(foot)

    def _page(self, title: str, crumbs: list[tuple[str, str]], main: str) -> bytes:
        nav, foot = self._chrome
        crumb = " &gt; ".join(f'<a href="{h}">{escape(t)}</a>' for h, t in crumbs)
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}_示范区人民政府</title>'
            f'<link rel="stylesheet" href="/static/site.css"></head><body>'
            f'<div class="top"><a href="/">示范区人民政府</a></div>{nav}'
            f'<div class="crumb">当前位置：{crumb}</div><div class="main">{main}</div>{foot}</body></html>'
        ).encode("utf-8")

    def article_date(self, col: int, k: int) -> date:
        return self.today - timedelta(days=(k * 3 + col) % 900)

    def render(self, path: str) -> bytes | None:
        if path in ("/", "/index.html"):
            cards = "".join(
                f'<li><a href="/c{i}/s{j}/index.html">{escape(s)}</a></li>'
                for i, _t, j, s in ((int(c[1:]), t, int(sj[1:]), s) for c, t, sj, s in self.columns[:9])
            )
            latest = "".join(self._card(ci, k) for ci in range(min(3, len(self.columns))) for k in range(5))
            return self._page("首页", [("/", "首页")], f'<ul class="quick">{cards}</ul><ul class="cards">{latest}</ul>')
        if path.startswith("/about/f") and path.endswith(".html"):
            try:
                k = int(path[8:-5])
                name = FOOTER[k]
            except (ValueError, IndexError):
                return None
            return self._page(name, [("/", "首页"), (path, name)], f"<h2>{name}</h2><p>本页介绍{name}。</p>")
        parts = path.strip("/").split("/")
        if len(parts) != 3 or not parts[0].startswith("c") or not parts[1].startswith("s"):
            return None
        try:
            ci = self._col_index(parts[0], parts[1])
        except ValueError:
            return None
        c, top, s, sub = self.columns[ci]
        crumbs = [("/", "首页"), (f"/{c}/s0/index.html", top), (f"/{c}/{s}/index.html", sub)]
        leaf = parts[2]
        if leaf.startswith("index") and leaf.endswith(".html"):
            num = leaf[5:-5]
            p = 0 if num == "" else int(num[1:]) if num.startswith("_") and num[1:].isdigit() else -1
            if not 0 <= p < self.lists_per_col:
                return None
            items = "".join(self._card(ci, k) for k in range(p * PER_LIST, min(self.per_col, (p + 1) * PER_LIST)))
            pager = " ".join(
                f'<a href="/{c}/{s}/index{"" if q == 0 else f"_{q}"}.html">{q + 1}</a>'
                for q in range(max(0, p - 2), min(self.lists_per_col, p + 3))
            )
            return self._page(
                sub,
                crumbs,
                f'<h2 class="col-title">{sub}</h2><ul class="cards">{items}</ul>'
                f'<div class="pager">共{self.lists_per_col}页 {pager}</div>',
            )
        if leaf.startswith("art") and leaf.endswith(".html") and leaf[3:-5].isdigit():
            k = int(leaf[3:-5])
            if k >= self.per_col:
                return None
            d = self.article_date(ci, k)
            attach = (
                f'<p>附件：<a href="/{c}/{s}/files/att{k}.pdf">附件{k}.pdf</a></p>' if k % BROKEN_EVERY == 0 else ""
            )
            body = "".join(
                f"<p>{sub}第{k}号信息正文第{n}段，示范区各有关部门认真贯彻落实相关工作部署。</p>" for n in range(6)
            )
            return self._page(
                f"{sub}信息{k}",
                crumbs,
                f'<div class="article"><h1>{sub}信息{k}</h1>'
                f'<div class="info">来源：示范区人民政府 发布日期：{d.year}年{d.month}月{d.day}日 '
                f'浏览次数：{k * 7 % 1000}</div><div class="content">{body}{attach}</div></div>',
            )
        return None

    def _col_index(self, c: str, s: str) -> int:
        i, j = int(c[1:]), int(s[1:])
        if not (1 <= i < len(TOP) and 0 <= j < len(SUB)):
            raise ValueError(c)
        return (i - 1) * len(SUB) + j

    def _card(self, ci: int, k: int) -> str:
        c, _t, s, sub = self.columns[ci]
        d = self.article_date(ci, k)
        return (
            f'<li class="card"><a href="/{c}/{s}/art{k}.html"><div class="pic"></div>'
            f'<h3>{sub}信息{k}</h3><p class="summary">{sub}第{k}号信息摘要……</p></a>'
            f'<div class="date"><span class="day">{d.day:02d}</span><span class="ym">{d.year}-{d.month:02d}</span></div></li>'
        )


class Counter:
    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.n += 1


def serve_cards(site: CardsSite, counter: Counter, extra_headers: dict[str, str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection, as on many small government hosts
        server_version = "GovCMS/2.0"

        def do_GET(self) -> None:  # http.server API
            self._serve(True)

        def do_HEAD(self) -> None:
            self._serve(False)

        def _serve(self, send_body: bool) -> None:
            counter.bump()
            path = self.path.split("#", 1)[0].split("?", 1)[0]
            if path == "/static/site.css":
                body, ctype, code = b"body{font-size:14px}", "text/css", 200
            else:
                page = site.render(path)
                if page is None:
                    body, ctype, code = (
                        "<html><body>404 页面不存在</body></html>".encode(),
                        "text/html; charset=utf-8",
                        404,
                    )
                else:
                    body, ctype, code = page, "text/html; charset=utf-8", 200
            self.send_response(code)
            for k, v in extra_headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # a new connection per request: the default backlog of 5 would refuse some
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name="cards-http", daemon=True).start()
    return server
