"""A county at real size for notice and ledger tests: a dozen units, two dozen sites, thousands of findings.

Findings are inserted in bulk (the check's own upsert takes seconds per thousand): open, first seen on DAY,
with the facts the ledger reads (W-S1: every referring page and its link text).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from monitor.config import dump_yaml
from sqlalchemy import insert

from monitor.config import parse_config
from monitor.store import Finding, FindingEvent

DAY = date(2026, 11, 26)
UNITS = [
    f"示例县{n}"
    for n in (
        "人民政府办公室",
        "教育体育局",
        "卫生健康委员会",
        "自然资源和规划局",
        "住房和城乡建设局",
        "农业农村局",
        "交通运输局",
        "市场监督管理局",
        "应急管理局",
        "融媒体中心",
        "财政局",
        "人力资源和社会保障局",
    )
]
# (rule, severity, evidence pattern, share): what a real county's month looks like, dominated by dead links
MIX = [
    ("W-S1", "扣分", "链接无法访问（HTTP 404），共 {k} 个页面引用，链接文字“通知公告第{i}期”", 0.70),
    ("W-S3", "扣分", "错别字：“{i}号文件”中“即使”误作“既使”", 0.12),
    ("W-S2", "扣分", "“工作动态{i}”栏目已 {k} 天未更新（应在 14 天内更新）", 0.10),
    ("W-V3", "否决", "“公示公告{i}”栏目已 {k} 天未更新（应在 183 天内更新）", 0.05),
    ("W-S4", "扣分", "页面含未脱敏的手机号 139****{i:04d}", 0.03),
]


def settings(tmp_path: Path, *, sites_per_unit: int = 2) -> dict:
    return {
        "organisation": {
            "name": "示例县人民政府办公室",
            "doc_number": "示政办函〔2026〕",
            "region": "全县",
            "cc": "县委办公室，县人大常委会办公室",
            "contact": {"name": "张三", "phone": "0797-1234567"},
        },
        "units": [{"name": u} for u in UNITS],
        "sites": [
            {
                "key": f"s{n}-{k}",
                "name": f"{u}网站{k or ''}",
                "home": f"http://127.0.0.1:{1000 + n * 10 + k}/",
                "unit": u,
            }
            for n, u in enumerate(UNITS)
            for k in range(sites_per_unit)
        ],
        "storage": {"url": f"sqlite:///{tmp_path / 'big.db'}", "notices_dir": str(tmp_path / "notices")},
    }


def config(tmp_path: Path, **kw):
    return parse_config(settings(tmp_path, **kw))


def write_config(tmp_path: Path, **kw) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(dump_yaml(settings(tmp_path, **kw)), encoding="utf-8")
    return path


def seed(store, cfg, total: int = 4000) -> int:
    """Store ``total`` open findings spread over the sites in MIX proportions; returns how many were stored."""
    sites = list(cfg.sites)
    rows = []
    for rule, sev, pattern, share in MIX:
        for i in range(max(1, int(total * share))):
            site = sites[(i * 7 + len(rule)) % len(sites)]
            long_path = "/".join(f"lanmu{j}" for j in range(i % 6))  # some URLs are long, as real ones are
            url = f"{site.home}xxgk/{long_path}/{rule.lower()}/t20260{1 + i % 9}0{1 + i % 9}_{i}.html"
            facts = {}
            if rule == "W-S1":
                refs = [f"{site.home}index_{(i + j) % 50}.html" for j in range(1 + i % 3)]
                facts = {
                    "status": 404,
                    "parent_count": len(refs),  # as rules/website/broken_link.py records them
                    "parents": [
                        {
                            "source_url": r,
                            "anchor_text": f"通知公告第{i}期" if j else "第一页",
                            "tag": "a",
                            "on_home": False,
                        }
                        for j, r in enumerate(refs)
                    ],
                }
            rows.append(
                {
                    "fingerprint": f"{rule}-{site.key}-{i}",
                    "rule": rule,
                    "severity": sev,
                    "verdict": "finding",
                    "site": site.key,
                    "unit": site.unit,
                    "url": url,
                    "source_url": f"{site.home}index_{i % 50}.html",
                    "subject": f"{rule}-{i}",
                    "evidence": pattern.format(i=i, k=3 + i % 40),
                    "facts": facts,
                    "first_seen": DAY,
                    "last_seen": DAY,
                    "occurrences": 1,
                    "absent_checks": 0,
                    "status": "待整改",
                    "updated_at": datetime(2026, 11, 26, 1, 0),
                }
            )
    rows = rows[:total]
    with store.session() as s:
        s.execute(insert(Finding), rows)
        ids = s.scalars(Finding.__table__.select().with_only_columns(Finding.id)).all()
        s.execute(
            insert(FindingEvent),
            [
                {
                    "finding_id": fid,
                    "at": datetime(2026, 11, 26, 1, 0),
                    "actor": "系统检查",
                    "from_status": None,
                    "to_status": "待整改",
                    "reason": "首次发现",
                    "as_of": DAY,
                    "kind": "status",
                }
                for fid in ids
            ],
        )
    return len(rows)
