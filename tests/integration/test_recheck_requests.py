"""A unit's 已提交整改 on the dashboard queues a targeted re-check; `monitor recheck --requested` answers it."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from monitor.check.checking import record_outcomes
from monitor.model import Severity
from monitor.store import Finding, Store
from monitor.web.recheck import pending_rechecks, request_recheck
from rules.base import Outcome, Verdict
from tests.local_http import serve

DAY = date(2026, 11, 26)


def test_requested_recheck_confirms_the_fix_and_answers_the_request(tmp_path):
    def route(path, server):
        if path == "/":  # the page no longer links to the removed article
            return 200, {}, "<html><body><a href='/fine.html'>正常</a></body></html>"
        return 200, {}, "<html><body>ok</body></html>"

    with serve(route) as srv:
        db = f"sqlite:///{tmp_path / 'r.db'}"
        cfg = tmp_path / "sites.yaml"
        cfg.write_text(
            f"organisation: {{name: 县政府办}}\nunits: [{{name: 县政府办}}]\nsites:\n"
            f"  - {{key: portal, name: 门户, home: '{srv.url('/')}', unit: 县政府办}}\n"
            f"storage: {{url: '{db}'}}\n",
            encoding="utf-8",
        )
        store = Store(db)
        gone = srv.url("/gone.html")
        record_outcomes(
            store,
            site_key="portal",
            unit="县政府办",
            rule_ids=["W-S1"],
            run_id=None,
            as_of=DAY,
            outcomes=[
                Outcome(
                    rule="W-S1",
                    severity=Severity.DEDUCTION,
                    verdict=Verdict.FINDING,
                    subject=gone,
                    url=gone,
                    source_url=srv.url("/"),
                    evidence="链接无法访问（HTTP 404）",
                    facts={"parents": [{"source_url": srv.url("/"), "anchor_text": "旧文章"}]},
                )
            ],
        )
        with store.session() as s:
            fid = s.query(Finding.id).scalar()
        from monitor.cli.app import main

        runner = CliRunner()
        none = runner.invoke(main, ["-c", str(cfg), "recheck", "--requested", "--as-of", "2026-11-27"])
        assert none.exit_code == 0 and "没有等待复查的整改申请" in none.output
        request_recheck(store, fid, requested_by="unit1")
        assert [r.finding_id for r in pending_rechecks(store)] == [fid]
        out = runner.invoke(main, ["-c", str(cfg), "recheck", "--requested", "--as-of", "2026-11-27"])
        assert out.exit_code == 0, out.output
        assert "复查 1 个问题" in out.output and "未再发现 1 个" in out.output
        assert pending_rechecks(store) == []  # answered
        with store.session() as s:
            assert s.get(Finding, fid).status == "待复核"  # absent once: one more clean check makes it 已整改
