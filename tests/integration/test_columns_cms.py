"""Columns on sites that do not label themselves: six CMS families' list pages (tests/fixtures/cms/) served over
HTTP and crawled end to end through the CLI (one crawl of the six sites), with the column findings asserted
exactly for each family."""

from __future__ import annotations

import os
from contextlib import ExitStack
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from monitor.cli.commands.columns import inventory
from monitor.store import Store
from tests.cms_sites import COLUMN_RULES, COLUMNS, EXPECTED, FAMILIES, CmsSite
from tests.conftest import DEMO_DAY, findings_json, need_service, run_monitor
from tests.local_http import serve


def _families() -> tuple[str, ...]:
    from monitor.crawl.browser import CHROMIUM

    if os.access(CHROMIUM, os.X_OK):
        return FAMILIES
    return tuple(f for f in FAMILIES if f != "script")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The six sites crawled and checked once; yields {family: (site, findings, inventory rows)}."""
    tmp = tmp_path_factory.mktemp("cms")
    families = _families()
    sites = {f: CmsSite(f, DEMO_DAY) for f in families}

    def route_for(site):
        def route(path, server):
            found = site.lookup(path)
            if found is None:
                return 404, {}, "<html><head><title>404</title></head><body>页面不存在</body></html>"
            return 200, {"Content-Type": found[0]}, found[1]

        return route

    db = f"sqlite:///{tmp / 'c.db'}"
    with ExitStack() as stack:
        servers = {f: stack.enter_context(serve(route_for(s))) for f, s in sites.items()}
        entries = "".join(
            f"""
  - key: {f}
    name: {sites[f].site_name}
    home: {srv.url("/")}
    unit: {sites[f].site_name}
    limits: {{delay_seconds: 0, concurrency_per_host: 8}}"""
            for f, srv in servers.items()
        )
        cfg = tmp / "sites.yaml"
        cfg.write_text(
            f"""
organisation: {{name: 示例县人民政府办公室}}
units: [{"".join(f"{{name: {s.site_name}}}, " for s in sites.values()).rstrip(", ")}]
sites:{entries}
storage: {{url: "{db}", notices_dir: "{tmp / "out"}"}}
""",
            encoding="utf-8",
        )
        for cmd in ("crawl", "check"):
            out = run_monitor("-c", str(cfg), cmd, "--as-of", DEMO_DAY.isoformat(), cwd=tmp)
            assert out.returncode == 0, out.stderr + out.stdout
    rows = findings_json(db, tmp)
    store = Store(db)
    result = {}
    for f, site in sites.items():
        cols, _, _ = inventory(store, f, today=DEMO_DAY)
        result[f] = (site, [r for r in rows if r["site"] == f], cols)
    yield result


@pytest.mark.parametrize("family", FAMILIES)
def test_columns_of_a_site_without_column_meta(crawled, family):
    if family not in crawled:
        need_service("Chromium is needed for the script-filled family")
    site, rows, inventory_rows = crawled[family]
    by_path = {path: key for key, path in site.columns.items()}

    column_rows = [r for r in rows if r["rule"] in COLUMN_RULES]
    got = {(r["rule"], by_path.get(urlsplit(r["url"]).path, r["url"])) for r in column_rows}
    # the 信息公开目录 family's breadcrumb puts every column under 政府信息公开: a second-level notice column
    # is W-V4's, not W-V3's
    expected = {("W-V4" if family == "xxgk" and k == "tzgg" else rule, k) for rule, k in EXPECTED}
    assert got == expected, column_rows
    assert len(column_rows) == len(expected)
    facts = {by_path[urlsplit(r["url"]).path]: r for r in column_rows}
    assert facts["tzgg"]["facts"]["zombie"] is True and "僵尸栏目" in facts["tzgg"]["evidence"]
    assert facts["bmdt"]["facts"]["zombie"] is False and facts["bmdt"]["facts"]["age_days"] == 40
    # the undated list is dated by its articles (or their URLs), never judged empty
    assert facts["tpxw"]["facts"]["age_days"] == 60
    assert facts["tpxw"]["facts"]["newest_date_source"] in ("article", "url")
    assert facts["tjsj"]["facts"]["empty_evidence"] in ("marker", "container")
    assert not any(urlsplit(r["url"]).path not in by_path for r in column_rows)  # no article accused

    # exactly the seven columns, none by meta; articles (ColumnName + ArticleTitle + PubDate) are not columns
    cols = {urlsplit(c["url"]).path: c for c in inventory_rows}
    assert set(cols) == set(site.columns.values()), sorted(cols)
    assert {c["how"] for c in cols.values()} <= {"structure", "navigation"}
    assert {by_path[p]: c["name"] for p, c in cols.items()} == {c.key: c.name for c in COLUMNS}
    gzdt = cols[site.columns["gzdt"]]
    assert gzdt["list_pages"] == 2 and gzdt["items"] == 20 and gzdt["verdict"] == "正常"
    zcwj = cols[site.columns["zcwj"]]
    assert zcwj["verdict"] == "正常"  # the 800-day-old pinned entry does not make it stale
    assert zcwj["newest"] == (DEMO_DAY - timedelta(days=5)).isoformat()
    assert cols[site.columns["tzgg"]]["verdict"] == "僵尸栏目"
    assert cols[site.columns["tjsj"]]["verdict"] == "空白栏目"
    assert cols[site.columns["xzdt"]]["verdict"] == "正常"
    assert cols[site.columns["bmdt"]]["verdict"].startswith("未更新")
