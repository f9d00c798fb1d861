"""A broken network is not a broken site: with DNS refusing every external host (a resolver on loopback),
the crawl says 本机网络异常, `monitor status` says it too, the external links are unverified, nobody is
accused; the failures are recorded as DNS failures, not TLS."""

from __future__ import annotations

import json

import yaml
from monitor.config import dump_yaml
import os
import subprocess
import sys

from monitor.crawl.network import assess
from monitor.store import CrawlRun, Page, Store
from sqlalchemy import select
from tests.conftest import DEMO_DAY, ROOT, run_monitor
from tests.local_http import page, serve, sites_yaml
from tests.refusing_dns import refusing_dns_server

EXTERNAL = [
    "http://www.ssl-portal.example.cn/",
    "https://tls.example.org/a.html",
    "http://news.example.com/",
    "http://www.other-city.gov.cn/",
    "http://partner.example.net/x.pdf",
]


def monitor_with_refusing_dns(port: int, *args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore", "MONITOR_TEST_DNS_PORT": str(port)}
    return subprocess.run(
        [sys.executable, "-m", "tests.refusing_dns", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_dns_refused_for_every_external_host_accuses_nobody(tmp_path):
    asked: list[str] = []

    def route(path, server):
        asked.append(path)
        if path == "/ref":
            return 200, {}, page("参照", "ok")
        if path == "/":
            links = "".join(f"<a href='{u}'>外链{i}</a>" for i, u in enumerate(EXTERNAL))
            return 200, {}, page("示例县人民政府", f"<a href='/a.html'>要闻</a>{links}")
        if path == "/a.html":
            return 200, {}, page("要闻", "正文 <a href='/gone.html'>旧文</a>")
        return 404, {}, page("404", "页面不存在")

    with refusing_dns_server() as (port, queries), serve(route) as srv:
        cfg = sites_yaml(tmp_path / "sites.yaml", [{"key": "s", "home": srv.url("/")}])
        data = yaml.safe_load(open(cfg, encoding="utf-8"))
        data["network"] = {"reference_urls": [srv.url("/ref")]}  # answers: the verdict comes from the hosts
        open(cfg, "w", encoding="utf-8").write(dump_yaml(data))
        db = f"sqlite:///{tmp_path / 'm.db'}"
        crawl = monitor_with_refusing_dns(
            port, "-c", cfg, "--db", db, "crawl", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path
        )
        assert crawl.returncode == 0, crawl.stderr
    # judging needs no network
    check = run_monitor("-c", cfg, "--db", db, "check", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    status = run_monitor("--db", db, "status", cwd=tmp_path)
    listed = run_monitor(
        "--db", db, "findings", "--format", "json", "--status", "all", "--verdict", "all", cwd=tmp_path
    )
    assert queries, "the crawler must have asked the loopback DNS server"
    assert "/ref" in asked, "the configured reference site is fetched first"
    assert "本机网络异常" in crawl.stderr and "5 个外部网站中有 5 个域名无法解析" in crawl.stderr
    assert "本机网络异常" in status.stdout, status.stdout + status.stderr
    rows = json.loads(listed.stdout)
    problems = [r for r in rows if r["verdict"] == "finding" and r["rule"] == "W-S1"]
    # the site's own broken page is still a problem; no external link is
    assert [r["subject"] for r in problems] == [srv.url("/gone.html")]
    unverified = {r["subject"]: r for r in rows if r["verdict"] == "unverified"}
    assert set(unverified) == set(EXTERNAL)
    assert all("本机网络异常" in r["evidence"] for r in unverified.values())
    store = Store(db)
    with store.session() as s:
        kinds = {p.url: p.error_kind for p in s.scalars(select(Page).where(Page.is_external.is_(True)))}
        run = s.scalars(select(CrawlRun)).one()
    store.close()
    # ssl-portal / tls.example.org are DNS failures too, whatever their names say
    assert kinds == {u: "dns" for u in EXTERNAL} and run.network.startswith("本机网络异常")


def test_assess_needs_most_hosts_failing_alike_or_the_reference_site_down():
    ok = [("http://a.example/", None, 200), ("http://b.example/", None, 404)]
    dns = [(f"http://h{i}.example/", "dns", None) for i in range(6)]
    assert assess(ok + dns[:1], []) is None  # a single dead host is that host's problem
    assert assess(dns[:4], []) is None  # too few hosts to judge (outage_min_hosts 5)
    assert "6 个外部网站中有 6 个域名无法解析" in assess(dns, [])
    assert assess(dns + ok, []) is None  # 6 of 8: not "most" at the default 80 %
    assert assess(dns + ok, [], share=0.7) is not None
    # one answer from a host proves it reachable, whatever else failed on it
    assert "6 个外部网站中有 5 个" in assess(dns + [("http://h0.example/x", None, 200)], [])
    assert "参照网站 https://www.gov.cn/ 无法访问（连接被拒绝）" in assess(ok, [("https://www.gov.cn/", "refused")])
    assert assess(ok, [("https://www.gov.cn/", None)]) is None


def test_a_dns_failure_is_dns_whatever_the_host_is_called():
    from twisted.internet.error import DNSLookupError
    from twisted.python.failure import Failure

    from spiders.errors import httpx_error_kind
    from spiders.site import error_kind

    failure = Failure(DNSLookupError("no results for hostname lookup: ssl.tls-certificate.example.cn"))
    assert error_kind(failure)[0] == "dns"
    import httpx

    assert httpx_error_kind(httpx.ConnectError("[Errno -2] Name or service not known (ssl.example.cn)")) == "dns"
    assert httpx_error_kind(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")) == "tls"
