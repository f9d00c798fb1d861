"""The ledger works for fixing: W-S1 rows carry every referring page and link text; filters and frozen headers."""

from __future__ import annotations

from openpyxl import load_workbook

from monitor.notices.ledger import build_ledger
from monitor.store import Store
from reports.ledger import COLUMNS, write_ledger
from tests import big_county as bc


def test_dead_link_rows_list_every_referring_page_and_sheets_filter(tmp_path):
    cfg = bc.config(tmp_path)
    store = Store(cfg.storage.url)
    bc.seed(store, cfg, 300)
    path = write_ledger(build_ledger(store, cfg, month="2026-11", as_of=bc.DAY), tmp_path / "out")
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["汇总", "全部问题"] and len(wb.sheetnames) == 2 + len(bc.UNITS)
    head = [label for label, _ in COLUMNS]
    col = {label: n for n, label in enumerate(head)}
    every = wb["全部问题"]
    assert [c.value for c in every[1]] == head
    assert every.freeze_panes == "A2" and every.auto_filter.ref == f"A1:{chr(64 + len(head))}{every.max_row}"
    rows = [r for r in every.iter_rows(min_row=2, values_only=True)]
    three = [r for r in rows if r[col["问题类别"]].endswith("（W-S1）") and len(r[col["所在页面"]].split("\n")) == 3]
    assert three, "a link referred to from three pages"
    r = three[0]
    assert all(p.startswith("http://127.0.0.1:") and p.endswith(".html") for p in r[col["所在页面"]].split("\n"))
    assert set(r[col["链接文字"]].split("\n")) == {"第一页", r[col["链接文字"]].split("\n")[1]}
    other = next(r for r in rows if r[col["问题类别"]].endswith("（W-S3）"))
    assert other[col["所在页面"]].startswith("http://127.0.0.1:") and not other[col["链接文字"]]
    for unit_sheet in wb.sheetnames[2:]:
        ws = wb[unit_sheet]
        assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    store.close()
