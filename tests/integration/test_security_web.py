"""Security suite, dashboard (issue 14 items 6, 11, 12, 13): revocation, login limits, bad input, proxies."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import httpx
from sqlalchemy import update

from monitor.store import LoginFailure
from monitor.web.auth import set_password
from monitor.web.security import CSP, use_password_hasher
from tests.conftest import run_monitor
from tests.webserver import csrf_of, login, running_dashboard


def client(base: str, **kw) -> httpx.Client:
    return httpx.Client(base_url=base, follow_redirects=False, timeout=30, **kw)


def _signed_in(base: str, user: str) -> httpx.Client:
    c = client(base)
    c.follow_redirects = True
    assert login(c, user).url.path == "/"
    c.follow_redirects = False
    return c


def _replay(base: str, cookies: httpx.Cookies) -> int:
    with client(base, cookies=cookies) as c:
        return c.get("/findings").status_code


def test_logout_and_password_reset_revoke_old_cookies(tmp_path):
    with running_dashboard(tmp_path) as (base, store, _):
        c = _signed_in(base, "auditor1")
        stolen = httpx.Cookies(c.cookies)
        assert _replay(base, stolen) == 200
        token = csrf_of(c.get("/findings").text)
        assert c.post("/logout", data={"csrf_token": token}).status_code == 303
        assert _replay(base, stolen) == 303  # sent to the login page: the copied cookie is dead

        c2 = _signed_in(base, "edu1")
        copy = httpx.Cookies(c2.cookies)
        with store.session() as s:
            from sqlalchemy import select

            from monitor.store import User

            uid = s.scalar(select(User.id).where(User.username == "edu1"))
        set_password(store, uid, "another-password-1")
        assert _replay(base, copy) == 303  # a new password ends the sessions signed in with the old one
        c.close()
        c2.close()


def test_per_username_backoff_not_a_hard_lock(tmp_path):
    with running_dashboard(tmp_path) as (base, store, _):
        with client(base) as c:
            for _ in range(5):
                assert login(c, "auditor1", "wrong-password").status_code == 401
            r = login(c, "auditor1")
            assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 30
            assert r.headers["content-security-policy"] == CSP
            assert login(c, "edu1").status_code == 303  # another account, same address: not blocked
        # the wait is over (the failures are 31 s old): the right password works again
        with store.session() as s:
            s.execute(update(LoginFailure).values(at=LoginFailure.at - timedelta(seconds=31)))
        with client(base) as c:
            assert login(c, "auditor1").status_code == 303


def test_spraying_is_limited_per_address_and_proxies_are_trusted_only_when_configured(tmp_path):
    with running_dashboard(tmp_path, trusted_proxies=("127.0.0.1",)) as (base, store, _):
        sprayer = {"x-forwarded-for": "203.0.113.7"}
        with client(base, headers=sprayer) as c:
            for i in range(20):  # one try per username: never five for any of them
                assert login(c, f"user{i}", "wrong-password").status_code == 401
            assert login(c, "auditor1").status_code == 429  # the address is slowed down…
        with client(base, headers={"x-forwarded-for": "198.51.100.9"}) as c:
            assert login(c, "auditor1").status_code == 303  # …not everyone behind the same proxy
        ips = {ip for (ip,) in store.engine.connect().exec_driver_sql("select distinct ip from login_failures")}
        assert ips == {"203.0.113.7"}
    with running_dashboard(tmp_path / "noproxy") as (base, store, _):
        with client(base, headers={"x-forwarded-for": "203.0.113.7"}) as c:
            assert login(c, "nobody", "wrong-password").status_code == 401
        ips = {ip for (ip,) in store.engine.connect().exec_driver_sql("select distinct ip from login_failures")}
        assert ips == {"127.0.0.1"}  # without a configured proxy the header is ignored


def test_out_of_range_input_is_a_400_or_404_with_security_headers(tmp_path):
    with running_dashboard(tmp_path) as (base, _, _ids):
        c = _signed_in(base, "auditor1")
        for path, status in (
            ("/findings?month=9999-12", 400),
            ("/findings?before=99999999999999999999", 400),
            ("/findings?after=-5", 400),
            ("/findings/9223372036854775808", 404),
            ("/findings/99999999999999999999999/shots/1.png", 404),
            ("/notices/files/" + "a" * 300 + ".html", 404),
            ("/notices/files/" + "b/" * 600 + "c.html", 404),
        ):
            r = c.get(path)
            assert r.status_code == status, (path, r.status_code)
            assert r.headers.get("content-security-policy") == CSP and r.headers.get("x-frame-options") == "DENY"
            assert "<h1>" in r.text
        c.close()


def test_argon2_runs_off_the_event_loop_and_logins_are_bounded(tmp_path):
    import asyncio

    from argon2 import PasswordHasher

    from monitor.web.security import LOGIN_CONCURRENCY

    seen = {"on_loop": 0, "calls": 0, "now": 0, "max": 0}
    lock = threading.Lock()

    class Watching(PasswordHasher):
        """A slow hash (as argon2's 64 MiB one is) that notes where and how often at once it runs."""

        def verify(self, hash, password):
            try:
                asyncio.get_running_loop()
                on_loop = True
            except RuntimeError:
                on_loop = False
            with lock:
                seen["calls"] += 1
                seen["on_loop"] += on_loop
                seen["now"] += 1
                seen["max"] = max(seen["max"], seen["now"])
            try:
                time.sleep(0.2)
                return super().verify(hash, password)
            finally:
                with lock:
                    seen["now"] -= 1

    cheap = dict(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    use_password_hasher(Watching(**cheap))
    try:
        with running_dashboard(tmp_path) as (base, _, _ids):
            codes: list[int] = []

            def wrong(i):
                with client(base) as c:
                    codes.append(login(c, f"user{i}", "wrong-password").status_code)

            threads = [threading.Thread(target=wrong, args=(i,)) for i in range(30)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        use_password_hasher(PasswordHasher(**cheap))
    assert seen["calls"] > 0 and seen["on_loop"] == 0  # never on the event loop that serves every page
    assert seen["max"] <= LOGIN_CONCURRENCY
    assert set(codes) <= {401, 429} and codes.count(401) == seen["calls"]


def test_read_only_command_creates_nothing(tmp_path):
    missing = tmp_path / "nope" / "m.db"
    out = run_monitor("--db", f"sqlite:///{missing}", "findings", "--format", "json", cwd=tmp_path)
    assert out.returncode == 2 and "不存在" in out.stderr
    assert not (tmp_path / "nope").exists()


def test_an_unexpected_error_is_a_plain_500_with_security_headers(tmp_path):
    from starlette.routing import Route

    from monitor.store import Store
    from monitor.web import create_app
    from tests.webserver import SECRET, TODAY, fill_store, serve_app, web_config

    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    fill_store(store)

    async def boom(request):
        raise RuntimeError("secret detail /etc/passwd")

    app = create_app(store, web_config(tmp_path / "n"), secret_key=SECRET, today=lambda: TODAY)
    app.router.routes.append(Route("/boom", boom))
    with serve_app(app) as base, client(base) as c:
        r = c.get("/boom")
    assert r.status_code == 500 and "服务器内部错误" in r.text and "/etc/passwd" not in r.text
    assert r.headers.get("content-security-policy") == CSP and r.headers.get("x-content-type-options") == "nosniff"
