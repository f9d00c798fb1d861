"""A hostile government site and a canary "internal" server, for the security suite.

The site is what a hijacked department site can serve: scripts, event handlers,
``javascript:`` URLs, control characters and Rich markup in titles, link texts
and column names; a search form that posts off-site and one that reads
``file://``; redirects and meta refreshes to another local port; a list page
whose script fetches the canary and navigates to it; zip-bomb attachments; a huge
body. The canary stands for a service on the monitoring host's network: no test
may ever make it receive a request.
"""

from __future__ import annotations

import io
import zipfile

from tests.local_http import LocalServer, page

# Rich markup, an OSC title change, a bell and a vertical tab: what a terminal or an XML writer chokes on
EVIL_TITLE = "[/bold][red]首页[/red]\x1b]0;pwned\x07\x0b标题"
EVIL_ANCHOR = "失效\x1b[31m链接[/bold]\x0b"
FORMULA = '=HYPERLINK("http://evil.example/","点此")'


def zip_bomb(kind: str, size: int = 60 * 1024 * 1024) -> bytes:
    """A DOCX or XLSX of a few hundred kB whose main part unpacks to ``size`` bytes."""
    if kind == "docx":
        name, head, unit, tail = (
            "word/document.xml",
            b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body>',
            b"<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>",
            b"</w:body></w:document>",
        )
        others = {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types"><Override PartName="/word/document.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.'
            b'wordprocessingml.document.main+xml"/></Types>'
        }
    else:
        name, head, unit, tail = (
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>',
            b'<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>',
            b"</sheetData></worksheet>",
        )
        others = {
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheets><sheet name="s" sheetId="1"/></sheets>'
            b"</workbook>"
        }
    body = head + unit * (size // len(unit)) + tail
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for n, data in others.items():
            zf.writestr(n, data)
        zf.writestr(name, body)
    del body
    return buf.getvalue()


def canary_route(path: str, srv: LocalServer):
    return 200, {}, page("内部系统 CANARY", "<p>内部数据：机密</p>")


def hostile_route(canary: LocalServer, closed_port: int):
    can = canary.base
    bombs: dict[str, bytes] = {}

    def route(path: str, srv: LocalServer):
        if path in ("/", "/b/"):
            form = (
                f"<form action='{can}/search' method='post'><input type='hidden' name='secret' value='x'>"
                "<input name='q'><button>搜索</button></form>"
                if path == "/"
                else "<form action='file:///etc/hostname'><input name='q'><button>搜索</button></form>"
            )
            body = (
                form + "<div class='list'><ul>"
                "<li><a href='/news/1.html'>关于开展安全生产大检查的通知</a><span>2026-11-20</span></li></ul></div>"
                f"<a href='/missing.html'>{EVIL_ANCHOR}</a>"
                f"<a href='{can}/secret'>内部</a>"
                f"<a href='http://127.0.0.1:{closed_port}/'>关闭的端口</a>"
                "<a href='file:///etc/passwd'>file</a>"
                "<a href='javascript:alert(1)' onclick='alert(2)'>js</a>"
                "<a href='/away'>跳转</a><a href='/refresh.html'>刷新跳转</a>"
                "<a href='/list/'>列表</a>"
                "<a href='/bomb.docx'>附件一</a><a href='/bomb.xlsx'>附件二</a>"
                "<img src='x' onerror='fetch(\"" + can + "/onerror\")'>"
                "<script>fetch('" + can + "/from-home-script')</script>"
            )
            return 200, {}, page(EVIL_TITLE, body)
        if path == "/news/1.html":
            return 200, {}, page("关于开展安全生产大检查的通知", "<h1>通知</h1><p>2026-11-20</p>")
        if path == "/away":
            return 302, {"Location": f"{can}/redirected"}, ""
        if path == "/refresh.html":
            return 200, {}, f"<html><head><meta http-equiv='refresh' content='0;url={can}/refreshed'></head></html>"
        if path == "/list/":
            # a list a script fills: the crawler renders it in Chromium, where the script goes for the canary
            script = (
                "<script>fetch('" + can + "/from-list-script').catch(()=>0);"
                "var i=new Image();i.src='" + can + "/from-list-image';"
                "setTimeout(function(){location.href='" + can + "/navigated';},50);"
                "document.getElementById('l').innerHTML='<li><a href=\"/news/1.html\">通知</a></li>';</script>"
            )
            return (
                200,
                {},
                page(
                    "列表",
                    "<meta name='ColumnName' content='[bold]通知公告\x1b[0m'><ul class='list' id='l'></ul>" + script,
                ),
            )
        if path in ("/bomb.docx", "/bomb.xlsx"):
            kind = path.rsplit(".", 1)[1]
            if kind not in bombs:
                bombs[kind] = zip_bomb(kind)
            ctype = (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if kind == "docx"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            return 200, {"Content-Type": ctype}, bombs[kind]
        return 404, {}, page("页面不存在", "404")

    return route
