"""Date normalisation and article publish-time evidence, on small strings with the real shapes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from parsel import Selector

from spiders.dates import find_dates, iter_dates, parse_date, parse_datetime, parse_relative
from spiders.listing import article_date, article_datetime, list_items

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026/11/20", date(2026, 11, 20)),
        ("2026.11.20", date(2026, 11, 20)),
        ("2026年11月20日", date(2026, 11, 20)),
        ("2026年1月5日", date(2026, 1, 5)),
        ("２０２６－１１－２０", date(2026, 11, 20)),
        ("发布时间：２０２６年１１月２０日", date(2026, 11, 20)),
        ("发布时间：2026-11-20 09:30", date(2026, 11, 20)),
        ("[11-20]", date(2026, 11, 20)),
        ("11月20日", date(2026, 11, 20)),
        ("12-01", date(2025, 12, 1)),  # after today: last year
        ("2026-02-30", None),
        ("2019年1-7月", None),  # January to July, not a date
        ("2018-05/03", None),  # mixed separators
        ("版权所有 2008-2024 某某市人民政府", None),
        ("", None),
    ],
)
def test_parse_date_forms(text, expected):
    assert parse_date(text, today=TODAY) == expected


def test_month_day_needs_today():
    assert parse_date("[11-20]") is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2019-09-07 09:25:09", datetime(2019, 9, 7, 9, 25, 9)),
        ("2019年06月15日08:18", datetime(2019, 6, 15, 8, 18)),
        ("2019年09月07日 04:04", datetime(2019, 9, 7, 4, 4)),
        ("2019-09-07T06:52:51+08:00", datetime(2019, 9, 7, 6, 52, 51)),
        ("2007-08-20-23:59:59", datetime(2007, 8, 20, 23, 59, 59)),
        ("2023年10月27日0时10分", datetime(2023, 10, 27, 0, 10)),
        ("发布时间：10-08 12:00", datetime(2026, 10, 8, 12, 0)),
        ("2026-11-20", datetime(2026, 11, 20)),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text, today=TODAY) == expected


def test_has_time_is_reported():
    assert [d.has_time for d in iter_dates("2026-11-20 与 2026-11-21 10:00")] == [False, True]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("刚刚", datetime(2026, 11, 25, 10, 0)),
        ("3分钟前", datetime(2026, 11, 25, 9, 57)),
        ("5小时前", datetime(2026, 11, 25, 5, 0)),
        ("昨天", datetime(2026, 11, 24)),
        ("昨天 18:30", datetime(2026, 11, 24, 18, 30)),
        ("前天", datetime(2026, 11, 23)),
        ("2天前", datetime(2026, 11, 23, 10, 0)),
        ("今天 08:00", datetime(2026, 11, 25, 8, 0)),
    ],
)
def test_relative(text, expected):
    now = datetime(2026, 11, 25, 10, 0)
    assert parse_relative(text, now=now) == expected
    assert parse_datetime(text, now=now) == expected


def test_copyright_and_update_stamps_are_skipped():
    text = "最后更新: 2019-09-07 09:27:48 ... 2019-09-07 09:25:09 ... Copyright © 2008-2024 ... 版权所有 2024-01-02"
    assert [d.text for d in iter_dates(text)] == ["2019-09-07 09:25:09"]
    assert len(iter_dates(text, keep_excluded=True)) == 3


def test_find_dates_keeps_old_shape():
    assert find_dates("发布日期：2016-11-22，信息来源：省发改委") == [(date(2016, 11, 22), "2016-11-22")]


def _page(head: str, body: str) -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")


def test_pubdate_meta_beats_maketime():
    sel = _page(
        '<title>德清投资</title><meta name="Maketime" content="2019-03-22 12:28:37">'
        '<meta name="PubDate" content="2016-11-22 09:53">',
        "<p>发布日期：2016-11-22</p>",
    )
    found = article_datetime(sel)
    assert found.value == datetime(2016, 11, 22, 9, 53)
    assert found.source == "meta:pubdate"


def test_sidebar_dates_before_the_article_are_ignored():
    sel = _page(
        "<title>国家金融监督管理总局</title>",
        "<div class='side'><ul><li>留言 2025-04-27</li><li>留言 2025-04-16</li></ul></div>"
        "<div class='art'><h2>某某处罚信息公开表</h2><p>发布时间：2024-07-12</p>"
        "<p>来源：检查局</p></div>",
    )
    assert article_date(sel) == (date(2024, 7, 12), "2024-07-12")


def test_first_date_after_the_title_not_the_related_list():
    sel = _page(
        "<title>法国全国大罢工再次严重影响交通-新华网</title>",
        "<ul class='nav'><li>2018-03-02 08:58:39 旧闻</li></ul>"
        "<h1>法国全国大罢工再次严重影响交通</h1><div>2019-12-10 07:57:40 来源：新华网</div>"
        "<div>相关新闻 <li>2018-03-02 08:58:39</li></div>",
    )
    found = article_datetime(sel)
    assert found.value == datetime(2019, 12, 10, 7, 57, 40)


def test_last_updated_before_publish_time_is_ignored():
    sel = _page(
        "<title>王文：中美贸易持久战</title>",
        "<h3>王文：中美贸易持久战</h3><div class='time'><span>最后更新: 2019-09-07 09:27:48</span></div>"
        "<div class='time'><span>2019-09-07 09:25:09</span></div>"
        '<script type="application/ld+json">{"pubDate": "2019-09-07T09:27:48"}</script>',
    )
    assert article_datetime(sel).value == datetime(2019, 9, 7, 9, 25, 9)


def test_visible_time_beats_og_published_time():
    sel = _page(
        "<title>华为抢跑5G芯片大战|新浪</title>"
        '<meta property="article:published_time" content="2019-09-07T06:52:51+08:00">',
        "<h1>华为抢跑5G芯片大战</h1><span class='date'>2019年09月07日 04:04</span>",
    )
    assert article_datetime(sel).value == datetime(2019, 9, 7, 4, 4)


def test_og_published_time_when_nothing_visible():
    sel = _page(
        '<title>x</title><meta property="article:published_time" content="2019-09-07T06:52:51+08:00">', "<p>正文</p>"
    )
    assert article_datetime(sel).value == datetime(2019, 9, 7, 6, 52, 51)


def test_date_only_meta_is_refined_by_the_visible_time():
    sel = _page(
        '<title>李强在新疆调研</title><meta name="publishdate" content=" 2024-05-09">',
        "<h1>李强在新疆调研</h1><span>2024-05-09 22:27:02</span>",
    )
    assert article_datetime(sel).value == datetime(2024, 5, 9, 22, 27, 2)


def test_wechat_ct_is_shanghai_time():
    sel = _page("<title>绥德</title>", '<em id="publish_time"></em><script>var ct = "1659274471";</script>')
    found = article_datetime(sel)
    assert found.value == datetime(2022, 7, 31, 21, 34, 31)
    assert found.source == "wechat-ct"


def test_relative_visible_time_needs_now():
    sel = _page("<title>某文章</title>", '<em id="publish_time">昨天</em><p>正文</p>')
    assert article_datetime(sel) is None
    found = article_datetime(sel, now=datetime(2020, 2, 13, 9, 0))
    assert found.date == date(2020, 2, 12)
    assert found.source == "relative"


def test_yearless_publish_label_uses_today():
    sel = _page("<title>美人鱼</title>", "<h2>美人鱼</h2><span>发布时间：10-08 12:00</span>")
    assert article_datetime(sel, today=date(2019, 12, 31)).value == datetime(2019, 10, 8, 12, 0)


def test_list_items_pair_title_and_date_and_skip_category_links():
    sel = Selector(
        text="""<ul class="list_txt">
      <li><span>(2020-08-16 22:26:38)</span><a href="/shehui/">[社会]</a> <a href="/a1.html">深圳盒马员工确诊</a></li>
      <li><a href="/a2.html" title="关于印发某某办法的通知">关于印发…</a><span>[11-20]</span></li>
      <li><a href="/a3.html">没有日期的条目</a></li>
      <li><a href="javascript:void(0)">更多</a></li>
    </ul><div class="footer"><li><a href="/about">关于我们</a> 2024-01-01</li></div>"""
    )
    items = list_items(sel, "http://127.0.0.1:8000/col/index.html", today=TODAY)
    # the month-day takes its year from the list order (newest first, the entry above is 2020-08-16),
    # not from today
    assert [(i.url, i.title, i.date) for i in items] == [
        ("http://127.0.0.1:8000/a1.html", "深圳盒马员工确诊", date(2020, 8, 16)),
        ("http://127.0.0.1:8000/a2.html", "关于印发某某办法的通知", date(2019, 11, 20)),
    ]
    assert items[1].date_text == "11-20" and items[1].date_source == "year-inferred"


def test_copyright_footer_alone_gives_no_date():
    sel = _page(
        "<title>某县人民政府</title>",
        "<h1>某县人民政府</h1><p>正文没有日期</p><div class='footer'>版权所有 2008-2024 某县人民政府</div>",
    )
    assert article_date(sel) == (None, "")


def test_htmldate_fallback_for_an_unlabelled_date_far_from_the_title():
    body = "<h1>标题</h1>" + "<p>正文。</p>" * 200 + "<p class='byline'>2020-02-19</p>"
    sel = _page('<title>标题</title><meta name="date" content="2020-02-19">', body)
    found = article_datetime(sel)
    assert found is not None and found.date == date(2020, 2, 19)
    assert found.source == "htmldate"


# ------------------------------------------------------------------ list dates on any CMS (issues 12, 18)

from spiders.dates import infer_year, split_date, url_date  # noqa: E402
from spiders.listpage import read_list  # noqa: E402


@pytest.mark.parametrize(
    "url,expected",
    [
        ("http://x.gov.cn/xwzx/202611/t20261120_123456.html", date(2026, 11, 20)),  # TRS
        ("http://x.gov.cn/art/2026/11/20/art_1229_5678.html", date(2026, 11, 20)),  # 大汉 JCMS
        ("http://x.gov.cn/news/2026/11/20/abc.html", date(2026, 11, 20)),
        ("http://x.gov.cn/c/202611/20/c_1.htm", date(2026, 11, 20)),
        ("http://x.gov.cn/2026-11/20/content_1.htm", date(2026, 11, 20)),
        ("http://x.gov.cn/show/123456.html", None),
        ("http://x.gov.cn/content.jsp?id=20261120", None),  # a number in the query is no date
        ("http://x.gov.cn/art/2026/02/30/art_1_2.html", None),
    ],
)
def test_url_dates(url, expected):
    assert url_date(url) == expected


@pytest.mark.parametrize(
    "parts,expected",
    [
        (["20", "2026-11"], date(2026, 11, 20)),
        (["2026.11", "20"], date(2026, 11, 20)),
        (["2026年11月", "20日"], date(2026, 11, 20)),
        (["20", "标题"], None),
        (["31", "2026-11"], None),
    ],
)
def test_split_dates(parts, expected):
    assert split_date(parts) == expected


def test_yearless_dates_take_the_year_from_their_neighbours_or_stay_undated():
    assert infer_year(11, 20, hint=(2025, 11)) == date(2025, 11, 20)  # the URL's year-month
    assert infer_year(11, 20, above=date(2026, 11, 25), below=date(2026, 11, 1)) == date(2026, 11, 20)
    assert infer_year(12, 28, above=date(2026, 1, 5), below=date(2025, 12, 1)) == date(2025, 12, 28)
    assert infer_year(11, 20, below=date(2025, 12, 20)) == date(2026, 11, 20)  # newer entries above old ones
    assert infer_year(11, 20) is None  # nothing on the page gives a year


def _list(rows: str, base="http://x.gov.cn/tzgg/index.html"):
    return read_list(
        Selector(
            text=f"<html><body><div class='nav'><ul><li><a href='/tzgg/'>通知公告</a></li>"
            f"</ul></div><div class='list'><ul>{rows}</ul></div></body></html>"
        ),
        base,
    )


@pytest.mark.parametrize(
    "row,expected",
    [
        ("<li><a href='/a.html'>关于开展检查的通知</a><span>2026-11-20</span></li>", date(2026, 11, 20)),
        ("<li><span>[2026-11-20]</span><a href='/a.html'>关于开展检查的通知</a></li>", date(2026, 11, 20)),  # before
        ("<li><a href='/a.html'>关于开展检查的通知</a>2026年11月20日</li>", date(2026, 11, 20)),
        ("<li><a href='/a.html'>关于开展检查的通知</a><em>2026/11/20</em></li>", date(2026, 11, 20)),
        ("<li><a href='/a.html'>关于开展检查的通知</a><i>2026.11.20</i></li>", date(2026, 11, 20)),
        (
            "<li><a href='/a.html'>关于开展检查的通知</a><div class='date'><b>20</b><b>2026-11</b></div></li>",
            date(2026, 11, 20),
        ),  # split across elements
        ("<li><a href='/202611/t20261120_1.html'>关于开展检查的通知</a><span>11-20</span></li>", date(2026, 11, 20)),
        ("<li><a href='/a.html'>关于开展检查的通知</a><span>11-20</span></li>", None),  # no year anywhere
        (
            "<li><a href='/a.html'>关于开展检查的通知</a><p>2025年3月5日以来，各部门开展检查。</p></li>",
            None,
        ),  # a sentence
        ("<li><a href='/art/2026/11/20/art_1_2.html'>关于开展检查的通知</a></li>", date(2026, 11, 20)),  # URL date
    ],
)
def test_each_list_date_form(row, expected):
    other = "<li><a href='/b.html'>另一条通知标题</a></li><li><a href='/c.html'>第三条通知标题</a></li>"
    entries = _list(row + other).entries
    assert entries[0].date == expected
    if expected is None:
        assert entries[0].url == "http://x.gov.cn/a.html"  # listed, undated: not empty, not stale


def test_a_list_is_not_its_navigation_and_a_title_date_is_not_its_date():
    reading = _list(
        "<li><a href='/a.html'>2024年5月20日至31日开展安全检查</a><span>2026-11-20</span></li>"
        "<li><a href='/b.html'>另一条通知标题</a><span>2026-11-18</span></li>"
        "<li><a href='/c.html'>第三条通知标题</a><span>2026-11-01</span></li>"
    )
    assert [e.date for e in reading.entries] == [date(2026, 11, 20), date(2026, 11, 18), date(2026, 11, 1)]
    assert reading.strong() and not any("通知公告" == e.title for e in reading.entries)
    empty = _list("")
    assert empty.entries == [] and empty.empty_container
    marked = read_list(Selector(text="<body><div class='list'><p>暂无信息</p></div></body>"), "http://x.gov.cn/a/")
    assert marked.empty_marker == "暂无信息"


def test_jcms_datastore_records_are_list_entries():
    page = (
        "<html><body><div class='nav'><ul><li><a href='/col/col1/index.html'>工作动态</a></li></ul></div>"
        "<div id='3381'><script type='text/xml'><datastore><nextgroup><![CDATA[<a href=\"/module/web/jpage/"
        'dataproxy.jsp?page=1"></a>]]></nextgroup><recordset>'
        "<record><![CDATA[<li><a href='/art/2026/11/20/art_1_101.html' title='县农业农村局召开会议'>县农业农村局召开会议"
        "</a><span>2026-11-20</span></li>]]></record>"
        "<record><![CDATA[<li><a href='/art/2026/11/2/art_1_102.html'>开展秋粮收购检查</a><span>2026-11-02</span></li>]]>"
        "</record><record><![CDATA[<li><a href='/art/2026/10/9/art_1_103.html'>部署冬季农业生产</a></li>]]></record>"
        "</recordset></datastore></script></div></body></html>"
    )
    reading = read_list(Selector(text=page), "http://x.gov.cn/col/col1/index.html", html=page)
    assert reading.datastore and reading.strong()
    assert [(e.url.rsplit("/", 1)[1], e.date, e.date_source) for e in reading.entries] == [
        ("art_1_101.html", date(2026, 11, 20), "list"),
        ("art_1_102.html", date(2026, 11, 2), "list"),
        ("art_1_103.html", date(2026, 10, 9), "url"),
    ]


def test_search_results_and_articles_are_not_columns_and_nav_only_columns_are_weak():
    from spiders.site import SiteSpider

    spider = SiteSpider(home="http://x.gov.cn/")
    nav = "<div class='nav'><ul><li><a href='/zt/'>专题专栏</a></li><li><a href='/gzdt/'>工作动态</a></li></ul></div>"
    rows = "".join(f"<li><a href='/a{i}.html'>第{i}条信息标题</a><span>2024-0{i}-01</span></li>" for i in range(1, 5))

    def column(url, body, title="工作动态_某县", metas=None):
        html_text = f"<html><head><title>{title}</title></head><body>{nav}{body}</body></html>"
        sel = Selector(text=html_text)
        fact = {"meta": metas or {}, "text": " ".join(sel.xpath("//body//text()").getall()), "title": title}
        name = (metas or {}).get("ColumnName")
        return spider._column(
            sel, url, fact, name, None, article_datetime(sel), html_text, rendered=False, body=html_text.encode()
        )

    assert column("http://x.gov.cn/gzdt/", f"<ul class='list'>{rows}</ul>").how == "structure"
    assert column("http://x.gov.cn/search/?q=会议", f"<ul class='list'>{rows}</ul>", title="搜索结果") is None
    assert (
        column(
            "http://x.gov.cn/gzdt/",
            f"<ul class='list'>{rows}</ul>",
            metas={"ColumnName": "工作动态", "ArticleTitle": "某文章", "PubDate": "2026-11-20"},
        )
        is None
    )
    assert (
        column(
            "http://x.gov.cn/gzdt/202611/t20261120_1.html",
            "<h1>工作动态</h1><p>正文</p>",
            metas={"ColumnName": "工作动态"},
        )
        is None
    )  # an article URL, whatever ColumnName it carries
    weak = column(
        "http://x.gov.cn/zt/",
        "<div class='main'><p><a href='/zt/a.html'>专题一</a></p><p><a href='/zt/b.html'>专题二</a></p></div>",
        title="专题专栏_某县",
    )
    assert weak is not None and weak.how == "navigation" and weak.evidence["weak"] is True


def test_pages_without_named_metas_skip_the_meta_queries_and_lose_nothing():
    """``_meta_time`` skips its queries on a page without a meta name/property/itemprop: every query must read
    only those (and the content), and a page with one still gets its date."""
    import re

    from parsel import Selector

    from spiders import listing

    for query in listing._META_PUBLISHED + listing._META_SECONDARY:
        assert set(re.findall(r"@([\w-]+)", query)) <= {"name", "property", "itemprop", "content"}, query
    assert not listing._named_metas(Selector(text="<html><head><meta charset='utf-8'></head><body/></html>").root)
    for meta in (
        "<meta name='PubDate' content='2024-03-05 10:00'>",
        "<meta property='og:release_date' content='2024-03-05 10:00'>",
        "<meta itemprop='datePublished' content='2024-03-05 10:00'>",
    ):
        sel = Selector(text=f"<html><head><meta charset='utf-8'>{meta}</head><body><p>正文</p></body></html>")
        found = listing.article_datetime(sel)
        assert found is not None and found.date.isoformat() == "2024-03-05", meta


_META_PAGES = [
    # every meta a child of <head>: the queries are asked of the head's children
    "<html><head><meta charset='utf-8'><meta name='PUBDATE' content='2024-03-05 10:00'></head><body/></html>",
    "<html><head><meta name='publishdate' content=''><meta name='PublishDate' content='2024-03-06'></head></html>",
    "<html><head><meta name='pubdate'><meta name='pubdate' content='2024-03-07 08:00'></head><body/></html>",
    # metas spread over head and body (a CMS that prints them in a template block): the whole page is searched
    "<html><head><meta name='keywords' content='k'></head><body><meta name='PubDate' content='2024-03-08'>"
    "<p>正文 2024-03-09 10:00</p></body></html>",
    "<html><head><meta property='og:release_date' content='x'></head><body><div><meta itemprop='datePublished' "
    "content='2024-03-10 11:00'></div></body></html>",
    "<html><head><meta name='og:time' content='2024-03-11 12:00'></head><body>"
    "<meta name='firstpublishedtime' content='2024-03-12 13:00'></body></html>",
    "<html><head><meta property='article:published_time' content='2024-03-13T14:00:00'></head><body/></html>",
]


@pytest.mark.parametrize("page", _META_PAGES)
def test_meta_queries_give_what_a_search_of_the_whole_page_gives(page):
    """``_meta_time`` asks its ``//meta[...]`` queries of the metas' parent when they share one; the answer must
    be what the queries give on the whole page, whatever the metas' places."""
    from lxml import etree

    from spiders import listing

    sel = Selector(text=page)
    for queries in (listing._META_PUBLISHED, listing._META_SECONDARY):
        expected = None
        for query in queries:
            found = [
                dm
                for raw in etree.XPath(query, smart_strings=False)(sel.root)
                for dm in iter_dates(raw, today=TODAY, keep_excluded=True)[:1]
            ]
            if found:
                expected = (found[0].value, found[0].has_time)
                break
        got = listing._meta_time(sel, queries, today=TODAY)
        assert (None if got is None else (got.value, got.has_time)) == expected, (page, queries[0])
    spread = listing._meta_parent(sel.root) is None
    assert spread == ("<body><meta" in page or "<div><meta" in page)


@pytest.mark.parametrize(
    "page,expected",
    [
        (
            "<html><head><meta name='ColumnName' content=' 通知公告 '><meta name='ColumnType' content='通知'></head>"
            "</html>",
            ("通知公告", "通知"),
        ),
        (
            "<html><head><meta name='ColumnName'><meta name='ColumnName' content='工作动态'></head></html>",
            ("工作动态", None),
        ),
        (
            "<html><head><meta name='ColumnName' content=''><meta name='ColumnName' content='工作动态'></head></html>",
            (None, None),
        ),
        ("<html><head></head><body><meta name='ColumnType' content='政策文件'></body></html>", (None, "政策文件")),
        ("<html><head><meta name='columnname' content='小写'></head></html>", (None, None)),
    ],
)
def test_column_meta_reads_the_first_content_as_the_xpath_does(page, expected):
    from lxml import etree

    from spiders.listing import column_meta

    sel = Selector(text=page)

    def first(name):
        found = etree.XPath(f"//meta[@name='{name}']/@content")(sel.root)
        return found[0].strip() or None if found else None

    assert column_meta(sel) == expected == (first("ColumnName"), first("ColumnType"))


def test_a_meta_at_the_top_of_the_tree_has_no_parent_to_ask():
    from lxml import etree

    from spiders.listing import _meta_parent

    assert _meta_parent(etree.fromstring("<meta name='pubdate' content='2024-01-02'><meta name='x'/></meta>")) is None
    head = etree.fromstring("<html><head><meta name='a'/><meta name='b'/></head></html>").find("head")
    assert _meta_parent(head.getparent()) is head


@pytest.mark.parametrize(
    "source",
    [
        '<html><head><script>var ct = "1700000000";</script></head><body><p>正文</p></body></html>',
        # the WeChat time spelled with character references, or split by a control character the parse drops
        "<html><body><div title='v&#97;r c&#116;=1700000000'>正文</div></body></html>",
        "<html><head><script>va\x00r ct = 1700000000</script></head><body>正文</body></html>",
        "<html><head><script>va\x01r ct = 1700000000</script></head><body>正文</body></html>",
        # no WeChat time: the script forms and htmldate fallbacks read the serialised page
        "<html><head><script>var pubtime = '2026-11-20 08:00';</script></head><body>正文</body></html>",
        '<html><head><script type="application/ld+json">{"datePublished": "2026-11-19"}</script></head>'
        "<body>正文</body></html>",
        "<html><head><title>通知</title></head><body><h1>通知</h1><p>正文很长很长。</p><p>2026-11-18</p></body></html>",
        "<html><head><meta name='PubDate' content='2026-11-17 09:30'></head><body>正文</body></html>",
        "<html><body>没有日期</body></html>",
    ],
)
def test_the_source_only_spares_the_serialisation(source):
    from spiders.parsing import html_selector

    sel, _ = html_selector(source)
    without = article_datetime(sel, today=date(2026, 11, 30))
    assert article_datetime(sel, today=date(2026, 11, 30), source=source) == without
    if "1700000000" in source and "\x01" not in source:  # libxml2 keeps U+0001: that page has no WeChat time
        assert without is not None and without.source == "wechat-ct"
    elif "2026-11" in source:
        assert without is not None and without.source != "wechat-ct"


def test_only_a_nul_among_control_characters_is_dropped_by_the_parse():
    """What _may_hold_wechat_ct assumes: no other C0 control joins the letters on either side of it."""
    from spiders.parsing import html_selector

    for code in [*range(32), 0x7F]:
        ch = chr(code)
        sel, _ = html_selector(f"<html><body><script>va{ch}r ct = 1700000000</script><p>va{ch}r</p></body></html>")
        serialised = sel.get()
        assert ("var ct" in serialised or "<p>var</p>" in serialised) == (code == 0), hex(code)
