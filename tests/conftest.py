"""Shared fixtures: real servers on 127.0.0.1, real SQLite files, a real PostgreSQL database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _find_shared() -> Path:
    """The team's ../shared folder (spec, corpus, seed): beside the checkout, or above a worktree."""
    env = os.environ.get("MONITOR_SHARED")
    if env:
        return Path(env)
    for parent in ROOT.parents:
        if (parent / "shared" / "corpus" / "MANIFEST.tsv").is_file():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = _find_shared()
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed" / "000_0442bf09cc97cf09.txt"
DEMO_DAY = date(2026, 11, 26)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def need_service(reason: str) -> None:
    """Skip on a user's machine without the service; fail under CI, where it must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the service must be available)")
    pytest.skip(reason)


def require_shared() -> None:
    """Corpus and seed tests: skipped without ../shared on a user's machine, failed under CI."""
    if not (CORPUS / "MANIFEST.tsv").is_file() or not SEED.is_file():
        need_service(f"the shared corpus and seed are not at {SHARED} (set MONITOR_SHARED)")


def run_monitor(
    *args: str, cwd: Path, timeout: float = 240, env: dict | None = None, input: str | None = None
) -> subprocess.CompletedProcess:
    """Run the real CLI in its own process (Scrapy's reactor runs once per process)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
    )


def findings_json(db_url: str, cwd: Path, *extra: str) -> list[dict]:
    out = run_monitor("--db", db_url, "findings", "--format", "json", *extra, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# the fields of a stored link in order (monitor.store.LINK_FIELDS), written out so these helpers read the store's
# format as a reader outside it would
_LINK_FIELDS = ("target_url", "anchor_text", "tag", "attr", "on_home", "is_external", "fragment", "hidden", "hiding")


def run_links_sql(columns: str, *, mark: str = "?", where: str = "") -> str:
    """SQL for the links on a run's pages, written out here rather than taken from the store: the links stored
    with each page of the run (pages.links, a JSON array a page) and, for a page the run carried over, those
    of the row it points at (pages.links_page). ``columns`` name columns of a table ``l`` like the links table
    the store had before (run_id, id, source_url, target_url, anchor_text, tag, attr, on_home, is_external,
    fragment, hidden, hiding), ``where`` an extra condition on them; bind the run id twice. ``mark`` "%s" is
    PostgreSQL's."""
    extra = f" AND ({where})" if where else ""
    if mark == "%s":
        each = "json_array_elements(h.links::json) WITH ORDINALITY AS e(value, key)"
        booleans = ("on_home", "is_external", "hidden")
        values = ", ".join(
            f"(e.value->>{i})::boolean AS {f}" if f in booleans else f"e.value->>{i} AS {f}"
            for i, f in enumerate(_LINK_FIELDS)
        )
    else:
        each = "json_each(h.links) AS e"
        values = ", ".join(f"e.value->>{i} AS {f}" for i, f in enumerate(_LINK_FIELDS))
    links = (
        "SELECT p.run_id AS run_id, p.id * 100000 + e.key AS id, coalesce(h.final_url, h.url) AS source_url, "
        f"{values} FROM pages p JOIN pages h ON h.id = {{holder}} CROSS JOIN {each} WHERE h.links IS NOT NULL"
    )
    own = links.format(holder="p.id") + " AND p.links_page IS NULL"
    carried = links.format(holder="p.links_page")
    return " UNION ALL ".join(
        f"SELECT {columns} FROM ({part}) l WHERE l.run_id = {mark}{extra}" for part in (own, carried)
    )


# every link stored in a SQLite store (each page's own, in any run), as a derived table with the columns
# run_links_sql names: ``f"select target_url from {LINKS} where ..."``
LINKS = (
    "(SELECT h.run_id AS run_id, h.id * 100000 + e.key AS id, coalesce(h.final_url, h.url) AS source_url, "
    + ", ".join(f"e.value->>{i} AS {f}" for i, f in enumerate(_LINK_FIELDS))
    + " FROM pages h CROSS JOIN json_each(h.links) AS e WHERE h.links IS NOT NULL) AS links"
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'monitor.db'}"


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    try:
        import psycopg

        admin = psycopg.connect(
            PG_ADMIN_URL.replace("postgresql://", "postgresql://", 1), autocommit=True, connect_timeout=3
        )
    except Exception as exc:  # any failure means no server here
        need_service(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
        return
    name = f"monitor_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def demo_server():
    from monitor.demo.server import serve_demo

    with serve_demo(DEMO_DAY) as demo:
        yield demo


@pytest.fixture
def shared_required():
    require_shared()


def pytest_collection_modifyitems(config, items):
    """Every test is marked by its folder: ``-m unit`` runs the fast ones alone (seconds), ``-m integration``
    the ones through real servers, browsers and services."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "unit" in parts:
            item.add_marker(pytest.mark.unit)
        elif "integration" in parts:
            item.add_marker(pytest.mark.integration)
