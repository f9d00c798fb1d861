"""Notifications arrive exactly once per state change, grouped per unit, by e-mail and webhook."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.config import parse_config
from monitor.ops.notify import recipients, send_pending
from monitor.store import Finding, Notification, Probe, Store, utcnow
from tests.daemon_helpers import HttpReceiver, SmtpReceiver, free_port


@pytest.fixture
def receivers():
    http, smtp = HttpReceiver(), SmtpReceiver()
    yield http, smtp
    http.close()
    smtp.close()


def _config(tmp_path, http: HttpReceiver, smtp: SmtpReceiver):
    return parse_config(
        {
            "organisation": {"name": "示例县人民政府办公室"},
            "units": [
                {"name": "甲局", "notify": [http.url("a")]},
                {"name": "乙局", "notify": [http.url("b")]},
                {"name": "丙局", "notify": [f"json://127.0.0.1:{free_port()}/dead"]},
            ],
            "sites": [
                {"key": "a1", "name": "甲局网站", "home": "http://127.0.0.1:9/", "unit": "甲局"},
                {"key": "b1", "name": "乙局网站", "home": "http://127.0.0.1:9/b/", "unit": "乙局"},
                {"key": "c1", "name": "丙局网站", "home": "http://127.0.0.1:9/c/", "unit": "丙局"},
            ],
            "storage": {"url": f"sqlite:///{tmp_path / 'm.db'}", "notices_dir": str(tmp_path / "notices")},
            "notify": {"urls": [smtp.url()], "down_after_failures": 3},
        }
    )


def _probes(store: Store, site: str, *oks: bool) -> None:
    with store.session() as s:
        for ok in oks:
            s.add(
                Probe(
                    site=site,
                    at=utcnow(),
                    url="http://127.0.0.1:9/",
                    ok=ok,
                    status=200 if ok else None,
                    error_kind=None if ok else "refused",
                    error_detail=None if ok else "连接被拒绝",
                )
            )


def _veto(store: Store, site: str, unit: str, fp: str, status: str = "待整改") -> None:
    today = date(2026, 11, 26)
    with store.session() as s:
        s.add(
            Finding(
                fingerprint=fp,
                rule="W-V3",
                severity="否决",
                site=site,
                unit=unit,
                url="http://x/col/",
                subject="http://x/col/",
                evidence="栏目“通知公告”200 天未更新（超过 183 天）",
                facts={},
                first_seen=today,
                last_seen=today,
                status=status,
                updated_at=utcnow(),
            )
        )


def test_each_notification_arrives_once_per_state_change(tmp_path, receivers):
    http, smtp = receivers
    config = _config(tmp_path, http, smtp)
    store = Store(config.storage.url)

    # Two failures are not yet "down" (N = 3): nothing is said.
    _probes(store, "a1", False, False)
    assert send_pending(store, config)["messages"] == 0
    assert http.got == [] and smtp.messages == []

    # The third consecutive failure confirms it: one message to 甲局 and one e-mail to the global address.
    _probes(store, "a1", False)
    stats = send_pending(store, config)
    assert stats == {"events": 1, "messages": 2, "failed": 0}  # 甲局's webhook and the global e-mail
    assert len(http.bodies("a")) == 1 and "甲局网站" in http.bodies("a")[0] and "连续 3 次" in http.bodies("a")[0]
    assert http.bodies("b") == []
    assert len(smtp.messages) == 1 and "甲局" in smtp.messages[0] and "无法访问" in smtp.messages[0]

    # Same state again: nothing at all.
    _probes(store, "a1", False)
    assert send_pending(store, config)["messages"] == 0
    assert len(http.got) == 1 and len(smtp.messages) == 1

    # New veto items for two units and a notice: one message per unit, grouped; the notice goes to everyone.
    _veto(store, "a1", "甲局", "f-a")
    _veto(store, "b1", "乙局", "f-b")
    _veto(store, "b1", "乙局", "f-b2")
    (tmp_path / "notices").mkdir()
    (tmp_path / "notices" / "督查通报-2026-10.html").write_text("<html></html>", encoding="utf-8")
    send_pending(store, config)
    a, b = http.bodies("a"), http.bodies("b")
    assert len(a) == 3 and len(b) == 2  # 甲局: down, veto, notice; 乙局: one grouped veto message, notice
    assert "单项否决" in a[1] and "督查通报" in a[2]
    grouped = [m for m in b if "单项否决" in m]
    assert len(grouped) == 1 and grouped[0].count("200 天未更新") == 2 and "2 条提醒" in grouped[0]
    assert len(smtp.messages) == 4  # global: 甲局, 乙局 and the notice
    assert send_pending(store, config)["messages"] == 0
    assert len(http.got) == 5 and len(smtp.messages) == 4

    # The site comes back: one "恢复" message; again nothing; down again: one more.
    _probes(store, "a1", True)
    send_pending(store, config)
    assert len(http.bodies("a")) == 4 and "已恢复访问" in http.bodies("a")[3]
    send_pending(store, config)
    _probes(store, "a1", False, False, False)
    send_pending(store, config)
    send_pending(store, config)
    assert len(http.bodies("a")) == 5 and "无法访问" in http.bodies("a")[4]

    # A veto item fixed and then reopened is a new state change: told once more.
    with store.session() as s:
        s.query(Finding).filter_by(fingerprint="f-a").update({"status": "已整改"})
    send_pending(store, config)
    assert len(http.bodies("a")) == 5  # fixing is recorded, not announced
    with store.session() as s:
        s.query(Finding).filter_by(fingerprint="f-a").update({"status": "重新出现"})
    send_pending(store, config)
    assert len(http.bodies("a")) == 6 and "单项否决" in http.bodies("a")[5]


def test_failed_delivery_is_retried_not_recorded(tmp_path, receivers):
    http, smtp = receivers
    config = _config(tmp_path, http, smtp)
    store = Store(config.storage.url)
    _probes(store, "c1", False, False, False)  # 丙局's webhook points at a closed port
    stats = send_pending(store, config)
    assert stats == {"events": 1, "messages": 1, "failed": 1}  # the global e-mail went, the webhook did not
    dead = next(r for r in recipients(config) if r.units == frozenset({"丙局"}))
    with store.session() as s:
        assert s.query(Notification).filter_by(subject="c1", recipient=dead.key).count() == 0
    stats = send_pending(store, config)
    assert stats["failed"] == 1 and stats["messages"] == 0  # the webhook is tried again; e-mail not repeated
    assert len(smtp.messages) == 1 and "丙局网站" in smtp.messages[0]


def test_site_seen_up_first_is_remembered_silently(tmp_path, receivers):
    http, smtp = receivers
    config = _config(tmp_path, http, smtp)
    store = Store(config.storage.url)
    _probes(store, "b1", True)
    assert send_pending(store, config)["messages"] == 0
    with store.session() as s:
        rows = s.query(Notification).filter_by(subject="b1").all()
        assert len(rows) == 2  # 乙局's webhook and the global e-mail each know it is up
        assert all(r.state == "up" and r.sent is False for r in rows)
    assert http.got == [] and smtp.messages == []
