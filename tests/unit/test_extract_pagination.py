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
        f"http://127.0.0.1:8765/col/tzgg/index_{n}.html" for n in range(1, 5)
    ]


def test_trs_bounded_by_max_pages():
    assert pagination_urls(Selector(text=TRS), BASE, max_pages=2) == [
        "http://127.0.0.1:8765/col/tzgg/index_1.html",
        "http://127.0.0.1:8765/col/tzgg/index_2.html",
    ]
    assert pagination_urls(Selector(text=TRS), BASE, max_pages=0) == []


def test_trs_count_page_variable_only():
    html = "<script>var countPage = 3;//共多少页</script>"
    assert pagination_urls(Selector(text=html), BASE, max_pages=10) == [
        "http://127.0.0.1:8765/col/tzgg/index_1.html",
        "http://127.0.0.1:8765/col/tzgg/index_2.html",
    ]


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


# ------------------------------------------------------------ more forms (issue 12.3)

from urllib.parse import parse_qs, urlsplit  # noqa: E402

from spiders.listing import list_items  # noqa: E402
from spiders.pagination import (  # noqa: E402
    has_pagination_hint,
    inline_datastore,
    jpage_next,
    jpage_requests,
    jpage_response_html,
    total_pages,
)

TRS_VARS = """<html><body><ul><li><a href="./202611/t20261120_1.html">通知</a><span>2026-11-20</span></li></ul>
<script>
var currentPage = 0//所在页从0开始
var countPage = 15//共多少页
</script>
<div class="page"><script type="text/javascript">
createPageHTML(countPage, currentPage, "index", "html")
</script></div></body></html>"""


def _urls(html, base=BASE, max_pages=50):
    return pagination_urls(Selector(text=html), base, max_pages=max_pages, html=html)


def test_trs_variables_from_another_script_without_semicolons():
    assert _urls(TRS_VARS) == [f"http://127.0.0.1:8765/col/tzgg/index_{n}.html" for n in range(1, 15)]
    # the same from a later page: the other pages, not this one
    later = _urls(TRS_VARS.replace("currentPage = 0", "currentPage = 3"), base=BASE.replace("index", "index_3"))
    assert "http://127.0.0.1:8765/col/tzgg/index_3.html" not in later and len(later) == 13


def test_trs_form_with_div_id_and_record_count_and_inline_function_definition():
    html = """<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){ }</script>
    <div id="page_div"></div><script>createPageHTML('page_div', 4, 0, 'index', 'shtml', 58);</script>"""
    assert _urls(html) == [f"http://127.0.0.1:8765/col/tzgg/index_{n}.shtml" for n in (1, 2, 3)]


def test_trs_unresolvable_arguments_give_nothing():
    assert _urls('<script>createPageHTML(getCount(), 0, "index", "html")</script>') == []


def test_page_bar_with_total_pages_extends_the_series():
    html = """<div class="page">共 <b>12</b> 页 <a href="index_1.html">下一页</a><a href="index_1.html">2</a></div>"""
    assert total_pages(html) == 12
    assert _urls(html) == [f"http://127.0.0.1:8765/col/tzgg/index_{n}.html" for n in range(1, 12)]


def test_page_num_query_series_with_total():
    html = """<div>共6页 <a href="index.html?uid=17&pageNum=2">下一页</a>
    <a href="index.html?uid=17&pageNum=6">尾页</a></div>"""
    urls = _urls(html, base="http://127.0.0.1:8765/col/col114/index.html?uid=17")
    assert [parse_qs(urlsplit(u).query)["pageNum"] for u in urls] == [[str(n)] for n in range(2, 7)]


def test_no_hint_no_work():
    article = "<html><body><h1>关于做好2026年工作的通知</h1><p>正文。</p><a href='/a.html'>下一篇</a></body></html>"
    assert not has_pagination_hint(article)
    assert _urls(article) == []
    assert has_pagination_hint("<a href='?page=2'>2</a>")
    assert has_pagination_hint("<span>共 3 页</span>")


def test_entry_titles_are_not_page_buttons():
    html = '<ul><li><a href="/art/2026/11/20/art_1_12.html">关于下一页面改版的通知公告全文</a></li></ul>'
    assert _urls(html) == []


JCMS = """<html><head><title>通知公告</title></head><body><div id="4171">
<script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=4171&unitid=14375&webname=%E7%A4%BA%E4%BE%8B&permissiontype=0"></a>]]></nextgroup>
<recordset>
{records}
</recordset></datastore></script></div>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>$(function(){ $('#4171').jpage({ totalRecord: 100, perPage: 10, groupSize: 3, dataBefore: '<ul>', dataAfter: '</ul>' }); });</script>
</body></html>"""
RECORD = (
    '<record><![CDATA[<li><a href="/art/2026/11/{d}/art_4171_{n}.html" title="通知{n}">通知{n}</a>'
    "<span>2026-11-{d:02d}</span></li>]]></record>"
)


def test_jcms_datastore_records_become_list_entries_and_links():
    html = JCMS.replace("{records}", "\n".join(RECORD.format(n=n, d=n % 28 + 1) for n in range(1, 31)))
    dom = Selector(text=inline_datastore(html))
    items = list_items(dom, "http://127.0.0.1:8765/col/col4171/index.html")
    assert len(items) == 30 and items[0].url == "http://127.0.0.1:8765/art/2026/11/2/art_4171_1.html"
    assert len(dom.xpath("//a[@href]")) == 30
    assert "<datastore" not in inline_datastore(html)


def test_jcms_dataproxy_groups_from_total_record():
    html = JCMS.replace("{records}", "\n".join(RECORD.format(n=n, d=1) for n in range(1, 31)))
    urls = jpage_requests(html, "http://127.0.0.1:8765/col/col4171/index.html", max_pages=50)
    ranges = [(parse_qs(urlsplit(u).query)["startrecord"], parse_qs(urlsplit(u).query)["endrecord"]) for u in urls]
    assert ranges == [(["31"], ["60"]), (["61"], ["90"]), (["91"], ["120"])]
    q = parse_qs(urlsplit(urls[0]).query)
    assert urlsplit(urls[0]).path == "/module/web/jpage/dataproxy.jsp"
    assert q["columnid"] == ["4171"] and q["unitid"] == ["14375"] and q["perpage"] == ["10"]
    assert q["webname"] == ["示例"] and "page" not in q
    # bounded: 1 + 4 further pages of 10 = 50 records, the page has 30
    assert len(jpage_requests(html, "http://127.0.0.1:8765/col/col4171/index.html", max_pages=4)) == 1
    # never out of scope
    evil = html.replace('href="/module', 'href="http://evil.example.com/module')
    assert jpage_requests(evil, "http://127.0.0.1:8765/col/col4171/index.html", max_pages=50) == []


def test_jcms_without_total_follows_group_by_group():
    html = (JCMS.replace("{records}", "\n".join(RECORD.format(n=n, d=1) for n in range(1, 31)))).replace(
        "totalRecord: 100, ", ""
    )
    urls = jpage_requests(html, "http://127.0.0.1:8765/col/col4171/index.html", max_pages=50)
    assert len(urls) == 1
    answer = "<?xml version='1.0'?><datastore><recordset>%s</recordset></datastore>" % "".join(
        RECORD.format(n=n, d=2) for n in range(31, 61)
    )
    nxt = jpage_next(answer, urls[0], max_pages=50)
    assert parse_qs(urlsplit(nxt).query)["startrecord"] == ["61"]
    short = "<datastore><recordset>%s</recordset></datastore>" % RECORD.format(n=61, d=2)
    assert jpage_next(short, nxt, max_pages=50) is None  # the last group
    page = Selector(text=jpage_response_html(answer))
    assert len(list_items(page, urls[0])) == 30


def test_jcms_table_records():
    rec = (
        "<record><![CDATA[<tr><td><a href='/art/2026/11/3/art_1_{n}.html'>公告{n}</a></td>"
        "<td>2026-11-03</td></tr>]]></record>"
    )
    html = JCMS.replace("{records}", "".join(rec.format(n=n) for n in range(3)))
    assert len(list_items(Selector(text=inline_datastore(html)), "http://127.0.0.1:8765/col/col1/index.html")) == 3


def test_spider_bounds_each_series_across_its_pages_and_records_what_it_follows():
    """Each page of a long list shows a further window of its bar and a 末页 link to page 99999: the spider
    follows max_list_pages pages of that series in all, and stores each URL it follows as a 'page' link."""
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from spiders.site import SiteSpider

    spider = SiteSpider(home="http://127.0.0.1:8765/", max_list_pages=6)
    base = "http://127.0.0.1:8765/list.jsp"

    def parse(n):
        bar = "".join(f'<a href="?page={k}">{k}</a>' for k in range(n, n + 5))
        body = f'<html><body>共99999页 {bar}<a href="?page=99999">末页</a></body></html>'.encode()
        url = f"{base}?page={n}"
        response = HtmlResponse(
            url,
            body=body,
            request=Request(url, meta={"depth": 1, "parse": True}),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        out = list(spider.parse_page(response))
        return [o for o in out if isinstance(o, Request)], out[0].links

    scheduled, paged = [], []
    for n in (1, 4, 7, 20):
        requests, links = parse(n)
        scheduled += [r.url for r in requests]
        paged += [link["target_url"] for link in links if link["tag"] == "page"]
    # the bar's own links are plain links (crawled under the link rules); what only the 共99999页 total and
    # the 末页 link imply stops at six pages for the whole series, each stored as a link it was followed by
    assert len(paged) == len(set(paged)) == 6 and set(paged) <= set(scheduled)
    assert len(scheduled) == len(set(scheduled)) < 30


def test_jcms_entity_escaped_records():
    rec = "<record>&lt;li&gt;&lt;a href='/art/2026/11/3/art_1_{n}.html'&gt;公告{n}&lt;/a&gt;&lt;span&gt;2026-11-03&lt;/span&gt;&lt;/li&gt;</record>"
    html = JCMS.replace("{records}", "".join(rec.format(n=n) for n in range(4)))
    assert len(list_items(Selector(text=inline_datastore(html)), "http://127.0.0.1:8765/col/col1/index.html")) == 4


# ------------------------------------------------------------ the shortcuts give what the plain code gives


def test_js_int_reads_as_the_lookbehind_pattern_did():
    import re

    from spiders.pagination import _js_int

    def plain(text: str, name: str, before: int) -> int | None:
        pattern = re.compile(rf"(?<![\w.$]){re.escape(name)}\s*=(?!=)\s*(['\"]?)(\d{{1,7}})\1(?![\w.])")
        value = None
        for m in pattern.finditer(text):
            if m.start() > before and value is not None:
                break
            value = int(m.group(2))
        return value

    texts = [
        "var countPage = 15//共多少页",
        "mycountPage = 3; countPage=7;",  # a longer identifier ending in the name is not the name
        "obj.countPage = 4; $countPage = 5; _countPage = 6; 页countPage = 8; countPage == 9; countPage = 10",
        "countPage='12'; countPage = \"13\"; countPage = 14x; countPage = 15.5",
        "aaa=5 aa=6",  # a name overlapping itself
        "countPage = 2 createPageHTML(countPage, 0) countPage = 3",
        "",
    ]
    for text in texts:
        for name in ("countPage", "aa", "currentPage"):
            for before in (0, 10, 40, len(text)):
                assert _js_int(text, name, before) == plain(text, name, before), (text, name, before)


def test_numbered_pages_join_as_each_page_joined_alone():
    from urllib.parse import urljoin

    from spiders.pagination import _numbered

    bases = ["http://h:1/col/tzgg/index.html", "http://h/a/b/", "https://h/x?y=1#z", "http://h"]
    stems = ["index_", "./list_", "../up/index_", "/abs/p_", "q?page=", "f#frag_", "http://other/o_", "//net/n_"]
    for base in bases:
        for stem in stems:
            for after in (".html", ".shtml", ".jsp", ".aspx"):
                numbers = range(1, 12)
                assert _numbered(base, stem, after, numbers) == [urljoin(base, f"{stem}{n}{after}") for n in numbers]
    assert _numbered(bases[0], "index_", ".html", range(1, 1)) == []


def test_origin_test_agrees_with_same_origin():
    from spiders.pagination import _origin_test, _same_origin

    bases = ["http://127.0.0.1:8765/col/index.html", "https://Www.Example.gov.cn/a/", "ftp://h/x"]
    urls = [
        "http://127.0.0.1:8765/col/index_2.html",
        "http://127.0.0.1:8766/col/index_2.html",
        "http://127.0.0.1/x",
        "https://www.example.gov.cn/a/b.html",
        "https://Www.Example.gov.cn/a/b.html",
        "http://www.example.gov.cn/a/b.html",
        "ftp://h/y",
        "javascript:void(0)",
        "http://127.0.0.1:8765",
    ]
    for base in bases:
        same = _origin_test(base)
        for url in urls:
            assert same(url) == _same_origin(url, base), (base, url)
