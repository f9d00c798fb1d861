"""The dashboard's sites page on a pool: when each site was last crawled, and whether a crawl is running now."""

from __future__ import annotations

from datetime import timedelta

import httpx

from monitor.store import CrawlRun, utcnow
from tests.webserver import login, running_dashboard


def test_sites_page_shows_last_finished_crawl_and_a_running_one(tmp_path):
    with running_dashboard(tmp_path) as (base, store, _):
        now = utcnow()
        with store.session() as s:
            s.add(
                CrawlRun(
                    site="jyj",
                    kind="site",
                    started_at=now - timedelta(hours=26),
                    finished_at=now - timedelta(hours=25),
                    status="finished",
                    pages=321,
                )
            )
            s.add(CrawlRun(site="jyj", kind="site", started_at=now - timedelta(minutes=5), status="running", pages=0))
            # a run left 'running' by a process that died days ago is not "正在抓取"
            s.add(CrawlRun(site="wjw", kind="site", started_at=now - timedelta(days=3), status="running", pages=0))
        with httpx.Client(base_url=base, follow_redirects=True, timeout=10) as c:
            login(c, "auditor1")
            page = c.get("/sites").text
        jyj = page.split("示例县教育体育局网站")[1].split("</tr>")[0]
        assert "321 个地址" in jyj and "完成" in jyj and "正在抓取" in jyj
        wjw = page.split("示例县卫生健康委员会网站")[1].split("</tr>")[0]
        assert "尚未完成过" in wjw and "正在抓取" not in wjw
