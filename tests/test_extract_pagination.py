"""List pagination on small HTML with the real shapes (TRS createPageHTML, 下一页, page bars)."""
from __future__ import annotations

from parsel import Selector

from spiders.pagination import pagination_urls

BASE = "http://127.0.0.1:8765/col/tzgg/index.html"
TRS = """<html><body><ul><li><a href="./202611/t20261120_1.html">通知</a></li></ul>
<div class="page"><script language="JavaScript">
var currentPage = 0;//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = 5//共多少页
createPageHTML(5, 0, "index", "html");
</script></div></body></html>"""


def test_trs_create_page_html():
    assert pagination_urls(Selector(text=TRS), BASE, max_pages=10) == [
        f"http://127.0.0.1:8765/col/tzgg/index_{n}.html" for n in range(1, 5)]


def test_trs_bounded_by_max_pages():
    assert pagination_urls(Selector(text=TRS), BASE, max_pages=2) == [
        "http://127.0.0.1:8765/col/tzgg/index_1.html", "http://127.0.0.1:8765/col/tzgg/index_2.html"]
    assert pagination_urls(Selector(text=TRS), BASE, max_pages=0) == []


def test_trs_count_page_variable_only():
    html = "<script>var countPage = 3;//共多少页</script>"
    assert pagination_urls(Selector(text=html), BASE, max_pages=10) == [
        "http://127.0.0.1:8765/col/tzgg/index_1.html", "http://127.0.0.1:8765/col/tzgg/index_2.html"]


def test_next_and_last_links_with_index_series():
    html = """<div class="pages"><a href="index.html">首页</a><span>1</span>
      <a href="index_1.html">2</a><a href="index_2.html">3</a><a href="index_1.html">下一页</a>
      <a href="index_7.html">末页</a></div>"""
    urls = pagination_urls(Selector(text=html), BASE, max_pages=20)
    assert urls == [f"http://127.0.0.1:8765/col/tzgg/index_{n}.html" for n in range(1, 8)]


def test_query_string_pages():
    html = """<div class="page"><a href="?page=2">2</a><a href="?page=3">3</a><span>…</span>
      <a href="?page=6">6</a><a href="?page=2">下一页</a></div>"""
    urls = pagination_urls(Selector(text=html), "http://127.0.0.1:8765/list.jsp", max_pages=10)
    assert urls == [f"http://127.0.0.1:8765/list.jsp?page={n}" for n in range(2, 7)]


def test_page_index_param_keeps_other_params():
    html = '<a href="/list?channel=12&pageIndex=2">下一页</a><a href="/list?channel=12&pageIndex=4">尾页</a>'
    urls = pagination_urls(Selector(text=html), "http://127.0.0.1:8765/list?channel=12", max_pages=10)
    assert urls == [f"http://127.0.0.1:8765/list?channel=12&pageIndex={n}" for n in (2, 3, 4)]


def test_never_leaves_host_and_port():
    html = """<a href="http://evil.example.com/col/tzgg/index_1.html">下一页</a>
      <a href="http://127.0.0.1:9999/col/tzgg/index_2.html">3</a>
      <a href="https://127.0.0.1:8765/col/tzgg/index_3.html">4</a>
      <script>createPageHTML(3, 0, "http://evil.example.com/index", "html");</script>"""
    assert pagination_urls(Selector(text=html), BASE, max_pages=10) == []


def test_fragment_pages_are_not_pages():
    # 163's rolling list: <a href="#page=2">2</a> … 下一页, driven by JS.
    html = '<div class="bar_pages"><a href="#page=2">2</a><a href="#page=2" class="bar_pages_flip">下一页</a></div>'
    assert pagination_urls(Selector(text=html), BASE, max_pages=10) == []


def test_huge_page_number_stays_bounded():
    html = '<a href="?page=2">2</a><a href="?page=99999999">末页</a>'
    urls = pagination_urls(Selector(text=html), "http://127.0.0.1:8765/l", max_pages=3)
    assert urls == [f"http://127.0.0.1:8765/l?page={n}" for n in (2, 3, 4)]


def test_no_pagination():
    assert pagination_urls(Selector(text="<ul><li><a href='a.html'>一条</a></li></ul>"), BASE, max_pages=5) == []
