"""URL helpers of the crawl that replace library calls for speed give what those calls give."""

from __future__ import annotations

import itertools
from pathlib import PurePosixPath

from spiders.site import canonical
from spiders.verdicts import _suffix, canonical_url, is_readable_attachment


def test_suffix_is_pure_posix_paths_suffix():
    parts = ["", ".", "..", "a", "a.pdf", ".pdf", "pdf.", "a.b.doc", "...", "x..", ".a.", "a.tar.gz"]
    checked = 0
    for k in range(4):
        for combo in itertools.product(parts, repeat=k):
            for lead in ("", "/", "//", "///"):
                for trail in ("", "/", "//", "/."):
                    path = lead + "/".join(combo) + trail
                    assert _suffix(path) == PurePosixPath(path).suffix, path
                    checked += 1
    assert checked > 30_000


def test_readable_attachments():
    assert is_readable_attachment("http://h/files/2026/通知.PDF")
    assert is_readable_attachment("http://h/a/b.docx/?x=1")  # PurePosixPath drops the trailing slash too
    assert not is_readable_attachment("http://h/a/b.pdf.html")
    assert not is_readable_attachment("http://h/a/.pdf")
    assert not is_readable_attachment("http://h/download?file=a.pdf")


def test_canonical_is_canonical_url_cached():
    urls = ["http://H:80/a?b=2&a=1#x", "https://h:443", "http://h/p;jsessionid=1?sid=2&x=1", "  http://h/a  "]
    for url in urls * 2:
        assert canonical(url) == canonical_url(url)
    assert canonical.cache_info().hits >= len(urls)


def test_host_encoding_cached_gives_what_twisted_gives():
    import pytest
    from scrapy.core.downloader._idna_patch import _install_twisted_idna_fallbacks
    from twisted.internet import endpoints

    from spiders.pace_http import _cache_host_encoding

    _install_twisted_idna_fallbacks()  # what Scrapy's HTTP/1.1 handler does first
    plain = getattr(endpoints._idnaBytes, "__wrapped__", endpoints._idnaBytes)
    _cache_host_encoding()
    _cache_host_encoding()  # a second crawler of the process: not wrapped twice
    cached = endpoints._idnaBytes
    assert cached.__wrapped__ is plain
    for host in ["www.example.gov.cn", "例子.中国", "xn--fsqu00a.xn--fiqs8s", "a_b.gov.cn", "127.0.0.1"]:
        assert cached(host) == cached(host) == plain(host)
    for bad in ["a b.gov.cn", "a:b", "", "例子 .cn"]:
        with pytest.raises(UnicodeError):
            plain(bad)
        for _ in range(2):  # refused each time: an error is not remembered as an answer
            with pytest.raises(UnicodeError):
                cached(bad)


def test_footer_found_backwards_is_the_last_match_in_document_order():
    import lxml.etree

    from spiders.parsing import html_selector
    from spiders.site import _backwards, _document, footer_node

    def forward_last(root):
        last = None
        for el in (el for top in _document(root) for el in top.iter(lxml.etree.Element)):
            if el.tag == "footer" or el.get("id") in ("footer", "foot", "bottom"):
                last = el
            elif "foot" in (el.get("class") or "") or "bottom" in (el.get("class") or ""):
                last = el
        return last

    pages = [
        "<html><body><div id='footer'><p class='x'>a</p></div><p>after</p></body></html>",
        "<html><body><footer><p class='copy-bottom'>in it</p></footer><!-- c --><div>x</div></body></html>",
        "<html><body><div class='Footer'>case</div><div id='Bottom'>case</div></body></html>",
        "<html><body><div class='foot'><div class='foot'><span class='bottom'>deepest</span></div></div>"
        "<div id='foot'>then</div></body></html>",
        "<html><body><p>none</p></body></html><html><body><div id='bottom'>second document</div></body></html>",
        "<html><body>" + "<div>" * 3000 + "<i class='bottom'>deep</i>" + "</div>" * 3000 + "</body></html>",
    ]
    for page in pages:
        root = html_selector(page)[0].root
        order = [el for top in _document(root) for el in top.iter(lxml.etree.Element)]
        assert list(_backwards(_document(root))) == order[::-1]
        assert footer_node(root) is forward_last(root)
    assert footer_node(html_selector(pages[2])[0].root) is None
