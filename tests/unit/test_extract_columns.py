"""Column kinds, navigation menus and breadcrumbs on small HTML with the real shapes."""

from __future__ import annotations

import pytest
from parsel import Selector

from monitor.model import ColumnKind
from spiders.columns import breadcrumb, classify_column, nav_columns

BASE = "http://127.0.0.1:8765/index.html"


@pytest.mark.parametrize(
    "name,meta,url,kind",
    [
        (None, "工作动态", "", ColumnKind.NEWS),
        ("随便什么", "政策文件", "", ColumnKind.POLICY),
        (None, "政策解读", "", ColumnKind.POLICY),
        ("通知公告", "工作动态", "", ColumnKind.NEWS),  # the declared ColumnType wins over the name
        (None, "信息公开年报", "", ColumnKind.DISCLOSURE),
        (None, "在线访谈", "", ColumnKind.INTERACTION),
        (None, "机构职能", "", ColumnKind.STATIC),
        (None, "部门动态", "", ColumnKind.NEWS),  # unlisted ColumnType read as a name
        ("政务要闻", None, "", ColumnKind.NEWS),
        ("新闻资讯", None, "", ColumnKind.NEWS),
        ("通知公告", None, "", ColumnKind.NOTICE),
        ("公示公告", None, "", ColumnKind.NOTICE),
        ("规范性文件", None, "", ColumnKind.POLICY),
        ("政策法规", None, "", ColumnKind.POLICY),
        ("人事任免", None, "", ColumnKind.PERSONNEL),
        ("招聘招考", None, "", ColumnKind.PERSONNEL),
        ("人事任免公示", None, "", ColumnKind.PERSONNEL),
        ("发展规划", None, "", ColumnKind.PLANNING),
        ("工作计划与总结", None, "", ColumnKind.PLANNING),
        ("县长信箱", None, "", ColumnKind.INTERACTION),
        ("政策咨询", None, "", ColumnKind.INTERACTION),  # not a policy column
        ("意见征集", None, "", ColumnKind.INTERACTION),
        ("政府信息公开", None, "", ColumnKind.DISCLOSURE),
        ("政府信息公开年报", None, "", ColumnKind.DISCLOSURE),
        ("信息公开指南", None, "", ColumnKind.DISCLOSURE),
        ("县情概况", None, "", ColumnKind.STATIC),
        ("领导简介", None, "", ColumnKind.STATIC),
        ("领导信箱", None, "", ColumnKind.INTERACTION),
        ("", None, "http://x.gov.cn/tzgg/index.html", ColumnKind.NOTICE),
        (None, None, "http://x.gov.cn/col/zcwj/", ColumnKind.POLICY),
        ("便民服务", None, "http://x.gov.cn/bmfw/", ColumnKind.OTHER),
        (None, None, "", ColumnKind.OTHER),
    ],
)
def test_classify_column(name, meta, url, kind):
    assert classify_column(name, meta, url) is kind


TWO_LEVEL_NAV = """
<html><body>
<div class="top"><a href="/index.html">首页</a><a href="http://www.gov.cn/">中国政府网</a></div>
<div id="nav" class="nav">
  <ul>
    <li><a href="/index.html">首页</a></li>
    <li><a href="/zwgk/">政务公开</a>
      <ul class="subnav">
        <li><a href="/zwgk/tzgg/">通知公告</a></li>
        <li><a href="/zwgk/zcwj/index.html">政策文件</a></li>
        <li><a href="http://evil.example.com/zwgk/">外站</a></li>
      </ul>
    </li>
    <li><a href="/hdjl/">互动交流</a>
      <div class="sub"><a href="/hdjl/xzxx/">县长信箱</a><a href="javascript:void(0)">更多</a></div>
    </li>
    <li><a href="/zwdt/">政务动态</a></li>
    <li><a href="/zwdt/#top">政务动态</a></li>
  </ul>
</div>
<div class="footer"><a href="/about/">关于我们</a></div>
</body></html>
"""


def test_nav_columns_two_levels_same_host_only():
    cols = nav_columns(Selector(text=TWO_LEVEL_NAV), BASE)
    assert cols == [
        ("政务公开", "http://127.0.0.1:8765/zwgk/", None),
        ("通知公告", "http://127.0.0.1:8765/zwgk/tzgg/", "政务公开"),
        ("政策文件", "http://127.0.0.1:8765/zwgk/zcwj/index.html", "政务公开"),
        ("互动交流", "http://127.0.0.1:8765/hdjl/", None),
        ("县长信箱", "http://127.0.0.1:8765/hdjl/xzxx/", "互动交流"),
        ("政务动态", "http://127.0.0.1:8765/zwdt/", None),
    ]


def test_nav_columns_port_is_part_of_scope():
    sel = Selector(text='<nav><a href="http://127.0.0.1:9999/x/">别的端口</a><a href="/y/">本站</a></nav>')
    assert nav_columns(sel, BASE) == [("本站", "http://127.0.0.1:8765/y/", None)]


def test_nav_columns_dl_menu():
    sel = Selector(
        text='<dl class="menu"><dt><a href="/xxgk/">信息公开</a></dt><dd><a href="/xxgk/gkzn/">公开指南</a></dd></dl>'
    )
    assert nav_columns(sel, BASE) == [
        ("信息公开", "http://127.0.0.1:8765/xxgk/", None),
        ("公开指南", "http://127.0.0.1:8765/xxgk/gkzn/", "信息公开"),
    ]


@pytest.mark.parametrize(
    "html,trail",
    [
        (
            '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            '<a href="/zwgk/tzgg/">通知公告</a></div>',
            ["首页", "政务公开", "通知公告"],
        ),
        (
            '<div class="m_local"><a href="http://china.com.cn/">首页</a><span>&gt;</span>'
            '<a href="http://news.china.com.cn/">新闻中心</a><span>&gt;</span></div>',
            ["首页", "新闻中心"],
        ),
        ("<p>您现在的位置：首页 &gt;&gt; 政策文件 &gt;&gt; 规范性文件</p>", ["首页", "政策文件", "规范性文件"]),
        ('<div class="crumb"><a>首页</a> » <a>互动交流</a></div>', ["首页", "互动交流"]),
        ("<div>没有面包屑</div>", []),
    ],
)
def test_breadcrumb(html, trail):
    assert breadcrumb(Selector(text=f"<html><body>{html}</body></html>")) == trail
