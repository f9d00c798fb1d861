"""Dashboard test helpers: uvicorn in a thread on 127.0.0.1:0, a small store of findings, httpx sign-in."""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn

from monitor.config import parse_config
from monitor.store import Finding, FindingEvent, Store, utcnow
from monitor.web import create_app
from monitor.web.auth import create_user
from monitor.web.security import use_password_hasher

# Real argon2id, with cheaper parameters than production so that the tests stay fast on a busy machine.
use_password_hasher(__import__("argon2").PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))

TODAY = date(2026, 11, 26)
EDU, HEALTH = "示例县教育体育局", "示例县卫生健康委员会"
HOSTILE = "<script>alert(1)</script>"
PASSWORD = "correct-horse-9"
SECRET = "s" * 48


@contextmanager
def serve_app(app):
    # as `monitor serve`: proxy headers only through the app's own trusted_proxies
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def web_config(notices_dir: Path):
    return parse_config(
        {
            "organisation": {"name": "示例县人民政府办公室"},
            "units": [{"name": EDU}, {"name": HEALTH}],
            "sites": [
                {"key": "jyj", "name": "示例县教育体育局网站", "home": "http://127.0.0.1:9/", "unit": EDU},
                {"key": "wjw", "name": "示例县卫生健康委员会网站", "home": "http://127.0.0.1:9/wjw/", "unit": HEALTH},
            ],
            "storage": {"url": "sqlite://", "notices_dir": str(notices_dir)},
        },
        source="test",
    )


def add_finding(
    s,
    *,
    site: str,
    unit: str,
    subject: str,
    rule: str = "W-S1",
    severity: str = "扣分",
    status: str = "待整改",
    first_seen: date = date(2026, 11, 2),
    evidence: str = "链接无法访问",
    url: str = "http://127.0.0.1:9/a.html",
    deadline: date | None = None,
    n: int = 0,
) -> int:
    f = Finding(
        fingerprint=f"{site}-{subject}-{n}-{rule}",
        rule=rule,
        severity=severity,
        site=site,
        unit=unit,
        url=url,
        subject=subject,
        evidence=evidence,
        facts={"status": 404, "anchor": subject},
        first_seen=first_seen,
        last_seen=first_seen,
        status=status,
        deadline=deadline,
        updated_at=utcnow(),
    )
    s.add(f)
    s.flush()
    s.add(
        FindingEvent(
            finding_id=f.id,
            at=datetime(2026, 11, 2, 8, 0),
            actor="系统检查",
            from_status=None,
            to_status=status,
            reason="首次发现",
        )
    )
    return f.id


def fill_store(store: Store) -> dict[str, int]:
    """A few findings per unit, a hostile one, a veto one; accounts for every role."""
    ids: dict[str, int] = {}
    with store.session() as s:
        ids["edu"] = add_finding(s, site="jyj", unit=EDU, subject="http://127.0.0.1:9/broken.html")
        ids["edu_veto"] = add_finding(
            s,
            site="jyj",
            unit=EDU,
            subject="工作动态",
            rule="W-V3",
            severity="否决",
            evidence="栏目 40 天未更新（> 14）",
            deadline=TODAY - timedelta(days=3),
            status="已通报",
        )
        ids["hostile"] = add_finding(
            s,
            site="jyj",
            unit=EDU,
            subject=HOSTILE,
            evidence='<img src=x onerror="alert(2)">',
            url="javascript:alert(3)",
        )
        for i in range(3):
            ids[f"health{i}"] = add_finding(
                s,
                site="wjw",
                unit=HEALTH,
                subject=f"http://127.0.0.1:9/wjw/{i}.html",
                n=i,
                first_seen=date(2026, 10, 5 + i),
            )
        ids["health_fixed"] = add_finding(
            s, site="wjw", unit=HEALTH, subject="旧问题", status="已整改", first_seen=date(2026, 9, 1)
        )
        f = s.get(Finding, ids["health_fixed"])
        f.fixed_on = date(2026, 11, 10)
    create_user(store, "admin1", PASSWORD, "admin")
    create_user(store, "auditor1", PASSWORD, "auditor")
    create_user(store, "edu1", PASSWORD, "unit", EDU)
    create_user(store, "health1", PASSWORD, "unit", HEALTH)
    return ids


EDU_OFFICE = EDU + "办公室"  # a unit whose name contains another unit's name


def fill_notices(root: Path, store: Store | None = None) -> None:
    """Notice files as `report --issue` leaves them: 2026-11 issued to EDU (and EDU_OFFICE), 2026-10 to HEALTH;
    a draft, a hand-placed file and a file outside the folder, which no unit may see."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "督查通报-2026-11.html").write_text("<h1>全县通报</h1>", encoding="utf-8")
    (root / "督查通报-2026-11-征求意见稿.html").write_text("<h1>草稿</h1>", encoding="utf-8")
    (root / f"督查通报-2026-11-{EDU}.docx").write_bytes(b"PK\x03\x04docx")
    (root / f"督查通报-2026-11-问题清单-{EDU_OFFICE}.html").write_text("<p>办公室</p>", encoding="utf-8")
    (root / f"督查通报-2026-10-{HEALTH}.pdf").write_bytes(b"%PDF-1.4")
    (root / "notes.txt").write_text("not a notice", encoding="utf-8")
    (root.parent / "outside.html").write_text("secret outside", encoding="utf-8")
    if store is None:
        return
    from monitor.store import NoticeFile, NoticeIssue

    with store.session() as s:
        nov = NoticeIssue(
            month="2026-11",
            issued_at=datetime(2026, 11, 26, 2, 0),
            issued_by="张审核",
            as_of=date(2026, 11, 26),
            deadline=date(2026, 12, 6),
            findings=3,
            units=[EDU, EDU_OFFICE],
        )
        octo = NoticeIssue(
            month="2026-10",
            issued_at=datetime(2026, 10, 30, 2, 0),
            issued_by="张审核",
            as_of=date(2026, 10, 30),
            deadline=date(2026, 11, 9),
            findings=3,
            units=[HEALTH],
        )
        s.add_all([nov, octo])
        s.flush()
        s.add_all(
            [
                NoticeFile(issue_id=nov.id, month="2026-11", path="督查通报-2026-11.html", unit=None, kind="notice"),
                NoticeFile(
                    issue_id=nov.id, month="2026-11", path=f"督查通报-2026-11-{EDU}.docx", unit=EDU, kind="extract"
                ),
                NoticeFile(
                    issue_id=nov.id,
                    month="2026-11",
                    path=f"督查通报-2026-11-问题清单-{EDU_OFFICE}.html",
                    unit=EDU_OFFICE,
                    kind="extract",
                ),
                NoticeFile(
                    issue_id=octo.id,
                    month="2026-10",
                    path=f"督查通报-2026-10-{HEALTH}.pdf",
                    unit=HEALTH,
                    kind="extract",
                ),
            ]
        )


@contextmanager
def running_dashboard(tmp_path: Path, **kwargs):
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    ids = fill_store(store)
    notices = tmp_path / "notices"
    fill_notices(notices, store)
    app = create_app(store, web_config(notices), secret_key=SECRET, today=lambda: TODAY, **kwargs)
    with serve_app(app) as base:
        yield base, store, ids
    store.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_of(page.text), "next": "/"}
    )
