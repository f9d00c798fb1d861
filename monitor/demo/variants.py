"""Variants of the demo portal, served at the same addresses as the demo itself.

``js``: adds 图片新闻 (/xwzx/tpxw/), a column whose list page is an empty
``<ul>`` that a script fills from a JSON endpoint on the demo server
(/xwzx/tpxw/list.json). It is fresh (newest item yesterday) and its articles
exist, so a crawl that renders it plants nothing new; a crawl that does not
sees an empty column.
"""

from __future__ import annotations

import html
import json
from datetime import date, timedelta

from monitor.demo.server import RunningDemo
from monitor.demo.site import DemoColumn, DemoSite

JS_COLUMN = DemoColumn("/xwzx/tpxw/", "图片新闻", "工作动态", 1, 2, 12, parent="新闻中心")
JS_ENDPOINT = JS_COLUMN.path + "list.json"

_FILL = """
fetch("%s").then(function (r) { return r.json(); }).then(function (data) {
  var ul = document.getElementById("js-list");
  data.items.forEach(function (it) {
    var li = document.createElement("li"), a = document.createElement("a"), s = document.createElement("span");
    a.href = it.url; a.title = it.title; a.textContent = it.title;
    s.className = "date"; s.textContent = it.date;
    li.appendChild(a); li.appendChild(s); ul.appendChild(li);
  });
});
"""


class JsDemoSite(DemoSite):
    """The demo portal plus one column filled by JavaScript."""

    def _build(self) -> None:
        super()._build()
        col = JS_COLUMN
        items = self._items(col)
        meta = {
            "ColumnName": col.name,
            "ColumnType": col.column_type,
            "ColumnDescription": f"{col.name}栏目",
            "ColumnKeywords": col.name,
        }
        body = (
            f'<div class="position">当前位置：<a href="/">首页</a> &gt; {col.parent} &gt; {col.name}</div>'
            f'<h2>{col.name}</h2><ul class="list" id="js-list"></ul>'
            f"<script>{_FILL % JS_ENDPOINT}</script>"
        )
        self._put(f"{col.path}index.html", self._page(col.name, body, meta=meta))
        data = {"items": [{"url": p, "title": t, "date": f"{d:%Y-%m-%d}"} for p, t, d in items]}
        self._put(JS_ENDPOINT, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")
        for path, title, d in items:
            self._article(col, path, title, d)
        # the home page's navigation links to the new column
        ctype, home = self.pages["/"]
        entry = f'<li><a href="{col.path}index.html">{html.escape(col.name)}</a></li>'
        self.pages["/"] = (ctype, home.replace(b'<li><a href="/">', entry.encode() + b'<li><a href="/">', 1))

    def js_items(self) -> list[tuple[str, str, date]]:
        return self._items(JS_COLUMN)


def use_js_variant(demo: RunningDemo, today: date | None = None) -> RunningDemo:
    """Serve the js variant at the running demo's addresses (instead of the plain portal)."""
    demo.site = JsDemoSite(
        today or demo.site.today,
        scale=demo.site.scale,
        external_base=demo.external_base,
        dead_base=demo.dead_base,
        fixed=demo.site.fixed,
    )
    return demo


def newest_js_date(today: date) -> date:
    return today - timedelta(days=JS_COLUMN.newest_age or 0)
