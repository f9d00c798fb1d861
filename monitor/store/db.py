"""The store: SQLAlchemy 2 tables, Alembic-migrated, SQLite by default or PostgreSQL.

Facts go in through batched transactional writes; a crawl killed half-way
leaves its run marked unfinished and every earlier run and finding intact.
"""

from __future__ import annotations

import functools
import json
import logging
import operator
import os
import re
import stat
import time
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


log = logging.getLogger(__name__)

WRITE_ATTEMPTS = 5  # a write is tried this often, each time on a fresh connection, before it is given up


def utcnow() -> datetime:
    """Naive UTC: SQLite keeps no zone, so every timestamp in the store is UTC without tzinfo."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="site")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|finished|failed|interrupted
    pages: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # cheap re-checks and resume: pages parsed afresh vs carried over unchanged from the previous run
    pages_parsed: Mapped[int | None] = mapped_column(Integer)  # NULL: a run made before list_pages existed
    pages_reused: Mapped[int | None] = mapped_column(Integer)
    pages_rendered: Mapped[int | None] = mapped_column(Integer)  # rendered in Chromium
    owner: Mapped[str | None] = mapped_column(String(100))  # host:pid of the crawl process
    network: Mapped[str | None] = mapped_column(
        Text
    )  # "本机网络异常…" when the local network failed (monitor.crawl.network)
    pages_carried: Mapped[int | None] = mapped_column(Integer)  # not fetched: carried over by the revisit policy


class Page(Base):
    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    redirect_chain: Mapped[list[Any] | None] = mapped_column(JSON)
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(40))
    depth: Mapped[int] = mapped_column(Integer, default=0)
    is_home: Mapped[bool] = mapped_column(Boolean, default=False)
    is_external: Mapped[bool] = mapped_column(Boolean, default=False)
    error_kind: Mapped[str | None] = mapped_column(String(40))
    error_detail: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    # when a request last confirmed this row (monitor.crawl.revisit): fetched_at for a fetched page, older for a
    # page carried over unfetched; NULL (rows before 0015) reads as fetched_at
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    etag: Mapped[str | None] = mapped_column(String(200))  # validators for the next run's conditional GET
    last_modified: Mapped[str | None] = mapped_column(String(100))
    reused: Mapped[bool | None] = mapped_column(Boolean)  # copied from the previous run: 304 or same hash
    rendered: Mapped[bool | None] = mapped_column(Boolean)  # the DOM after JavaScript, from Chromium
    pub_date: Mapped[date | None] = mapped_column(Date)
    pub_date_text: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    footer: Mapped[str | None] = mapped_column(Text)
    # link-verdict facts (W-S1): soft-404 wording, anchors offered, fetch attempts; attachments
    not_found_text: Mapped[str | None] = mapped_column(String(100))
    anchors: Mapped[list[Any] | None] = mapped_column(JSON)
    attempts: Mapped[int | None] = mapped_column(Integer)
    attachment: Mapped[bool | None] = mapped_column(Boolean)
    text_error: Mapped[str | None] = mapped_column(Text)
    # the page's links, one JSON array per page (encode_links: LINK_FIELDS in order, the source being the page),
    # not one row per link: a page's navigation and footer links are most of a crawl's links, and a row per
    # link made storing and reading them a tenth of a crawl. Deferred: loaded only when asked for
    links: Mapped[str | None] = mapped_column(Text, deferred=True)
    # the page row whose ``links`` are this page's: set when a re-crawl carries the page over unchanged, so
    # its links are stored once per version of the page, not copied into every run (NULL: its own); read
    # through run_page_links
    links_page: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_pages_run_url", "run_id", "url"),)


# Link tags of URLs the spider followed without an element linking them (a pagination script's pages,
# a jpage list's dataproxy groups): stored so a re-crawl or a resume reaches what the first crawl reached,
# never judged as links a reader clicks (monitor.check.facts leaves them out).
FOLLOW_TAGS = ("page", "jpage")

# A stored link: the fields of one entry of ``Page.links``, in order. ``hidden`` and ``hiding`` (inside an
# element the page hides, W-V9b, and how: monitor.model.HiddenLink.encode) are left off a link not hidden.
LINK_FIELDS = ("target_url", "anchor_text", "tag", "attr", "on_home", "is_external", "fragment", "hidden", "hiding")

_encode_links = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode_links(links: list[dict[str, Any]]) -> str | None:
    """``Page.links`` for a page's links (dicts with LINK_FIELDS keys; a missing one takes the link's default:
    anchor "", tag "a", attr "href", not on the home page, internal, no fragment, not hidden); None for none."""
    if not links:
        return None
    return _encode_links(
        [
            [
                link["target_url"],
                link.get("anchor_text") or "",
                link.get("tag") or "a",
                link.get("attr") or "href",
                bool(link.get("on_home")),
                bool(link.get("is_external")),
                link.get("fragment"),
            ]
            + ([True, link.get("hiding")] if link.get("hidden") else [])
            for link in links
        ]
    )


def run_page_links(
    s: Session | Connection, run_id: int, *, batch: int = 2_000
) -> Iterator[tuple[str, list[list[Any]]]]:
    """(source URL, links) of each page of run ``run_id`` that has links, in page order: its own, or for a page
    the run carried over unchanged those of the row it points at (``Page.links_page``). Each link is a list of
    LINK_FIELDS in order (``hidden`` and ``hiding`` only on a hidden link). The source is the URL the links were
    found on: the page's final URL after a redirect."""
    holder = Page.__table__.alias("holder")
    pages = Page.__table__
    stmt = (
        select(func.coalesce(holder.c.final_url, holder.c.url), holder.c.links)
        .select_from(pages)
        .join(holder, holder.c.id == func.coalesce(pages.c.links_page, pages.c.id))
        .where(pages.c.run_id == run_id, holder.c.links.is_not(None))
        .order_by(pages.c.id)
    )
    loads = json.loads
    for rows in stream_rows(s, stmt, batch=batch):
        for source, links in rows:
            yield source, loads(links)


class Column(Base):
    __tablename__ = "columns"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="column")  # column | home
    url: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer, default=1)
    parent_url: Mapped[str | None] = mapped_column(Text)
    list_pages: Mapped[list[Any] | None] = mapped_column(JSON)
    failure: Mapped[str | None] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    how: Mapped[str | None] = mapped_column(String(20))  # meta | structure | navigation (NULL: older runs)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # how it was recognised, empty-list evidence


class ColumnItem(Base):
    __tablename__ = "column_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    column_url: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[date | None] = mapped_column(Date)
    date_text: Mapped[str] = mapped_column(String(100), default="")
    date_source: Mapped[str | None] = mapped_column(String(20))  # list | split | year-inferred | url


class Probe(Base):
    """One availability probe of a site's home page (W-V1 needs ≥ 20 a day for 7 days)."""

    __tablename__ = "probes"
    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)
    url: Mapped[str] = mapped_column(Text)
    ok: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[int | None] = mapped_column(Integer)
    error_kind: Mapped[str | None] = mapped_column(String(40))
    error_detail: Mapped[str | None] = mapped_column(Text)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    ipv6: Mapped[bool | None] = mapped_column(Boolean)
    https: Mapped[bool | None] = mapped_column(Boolean)
    __table_args__ = (Index("ix_probes_site_at", "site", "at"),)


class Check(Base):
    """One run of the rules over a site's latest finished crawl."""

    __tablename__ = "checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(100), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    as_of: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime)
    findings: Mapped[int] = mapped_column(Integer, default=0)


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    rule: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    verdict: Mapped[str] = mapped_column(String(20), default="finding")
    site: Mapped[str] = mapped_column(String(100), index=True)
    unit: Mapped[str] = mapped_column(String(200), index=True)
    url: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    first_seen: Mapped[date] = mapped_column(Date)
    last_seen: Mapped[date] = mapped_column(Date)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    absent_checks: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), index=True)
    deadline: Mapped[date | None] = mapped_column(Date)
    fixed_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # the evidence an auditor judged 不成立 (误报): the same evidence is not raised again, a changed one is
    dismissed_key: Mapped[str | None] = mapped_column(String(64))


class FindingEvent(Base):
    """Append-only history of a finding: who moved it from what to what, and why."""

    __tablename__ = "finding_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[date | None] = mapped_column(Date)  # the business day of the check/notice (frozen --as-of)
    kind: Mapped[str] = mapped_column(String(20), default="status", server_default="status")  # status|deadline|note


MIGRATIONS = Path(__file__).parent / "migrations"


_REVISION_LINE = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]\s*$", re.M)
_DOWN_LINE = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.*)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@functools.cache
def migrations_head() -> str | None:
    """The one head revision of our migration scripts, read from their ``revision``/``down_revision`` lines; None
    when the scripts do not read plainly (then Alembic itself is asked)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        revision, down = _REVISION_LINE.findall(text), _DOWN_LINE.findall(text)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        downs.update(_QUOTED.findall(down[0].split("#", 1)[0]))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def _alembic_config(url: str):
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _normalise_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class StoreError(Exception):
    """The database cannot be used as it is; the message (Chinese, for the operator) names cause and fix."""


def _no_file_in_the_way(path: Path) -> None:
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise StoreError(
                    f"数据库路径 {path} 无法使用：其上级 {parent} 是一个文件而不是目录；"
                    f"请移走或改名该文件，或在 --db / storage.url 中换一个目录"
                )
            break


def _sqlite_path_ready(path: Path) -> None:
    """Everything SQLite would fail on with a bare OS error, said plainly before it is opened."""
    _no_file_in_the_way(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"无法创建数据库所在目录 {path.parent}（{exc.strerror or exc}）；"
            "请先建好该目录并给运行 monitor 的用户写权限，或换一个数据库路径"
        ) from exc
    if path.is_dir():
        raise StoreError(f"数据库路径 {path} 是一个目录；请指定其中的文件，如 sqlite:///{path / 'monitor.db'}")
    if path.exists():
        # the owner's write bit counts even for root, who could write anyway: a file made read-only on
        # purpose (a copy for viewing, a backup) is never written to
        if not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR:
            raise StoreError(
                f"数据库文件 {path} 是只读的，monitor 无法写入；请给运行 monitor 的用户写权限"
                f"（如 chmod u+w {path}），或用 --db 指定一个可写的数据库"
            )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StoreError(
            f"数据库所在目录 {path.parent} 不可写（SQLite 要在其中建立日志文件）；"
            "请给运行 monitor 的用户该目录的写权限，或换一个目录"
        )


def describe_db_error(exc: BaseException, url: str = "") -> str | None:
    """A database failure an operator can fix, in Chinese with cause and fix; None for anything else."""
    text = str(getattr(exc, "orig", None) or exc)
    where = f"数据库 {_safe_url(url)} " if url else "数据库"
    if "database is locked" in text or "database table is locked" in text:
        return (
            f"{where}正被其他程序锁定，等待 {busy_seconds():.0f} 秒后仍未释放（可能有另一个 monitor 进程"
            "正在写入，或有程序打开了该文件）；请等其结束或关闭占用该文件的程序后重试"
        )
    if "readonly database" in text or "read-only transaction" in text:
        return f"{where}是只读的，无法写入；请给运行 monitor 的用户写权限，或用 --db 指定一个可写的数据库"
    if "Can't locate revision" in text:
        rev = text.split("identified by", 1)[-1].strip(" '\"") if "identified by" in text else ""
        return (
            f"{where}的结构版本{f'（{rev}）' if rev else ''}比本程序新，是由更新版本的 monitor 写入的；"
            "请把 monitor 升级到最新版本后再使用该数据库，或用 --db 指定其他数据库"
        )
    if "unable to open database file" in text:
        return f"{where}无法打开（路径不存在或没有权限）；请检查 --db / storage.url 中的路径"
    return None


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show nothing of it
        return ""


def brief(exc: BaseException) -> str:
    """A database error in one line, without the statement and its (crawled) parameters."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"[:500]


def busy_seconds() -> float:
    """How long a SQLite write waits for another writer (MONITOR_DB_BUSY_SECONDS, default 30)."""
    try:
        return max(0.0, float(os.environ.get("MONITOR_DB_BUSY_SECONDS", "30")))
    except ValueError:
        return 30.0


class Store:
    """A database opened and migrated to the current schema."""

    def __init__(self, url: str, *, migrate: bool = True, must_exist: bool = False):
        """``must_exist``: a read-only use (`findings`, `columns` …) opens an existing SQLite file or fails with
        FileNotFoundError; it never creates a folder or an empty database."""
        self.url = _normalise_url(url)
        if self.url.startswith("sqlite:///"):
            path = Path(self.url[len("sqlite:///") :].split("?", 1)[0])
            if str(path) not in ("", ":memory:"):
                if must_exist and not path.is_file():
                    _no_file_in_the_way(path)  # the more useful message when that is why the file is missing
                    raise FileNotFoundError(str(path))
                _sqlite_path_ready(path)
                self._sqlite_file = path
        # a server connection may die under us (restart, pg_terminate_backend, network): check one out alive
        self.engine: Engine = create_engine(self.url, future=True, pool_pre_ping=not self.url.startswith("sqlite"))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.upgrade()

    _sqlite_file: Path | None = None

    def upgrade(self) -> None:
        if self._at_head():
            return  # the usual case: Alembic (a third of a second to import and walk its scripts) is not needed
        from alembic import command
        from alembic.util.exc import CommandError

        cfg = _alembic_config(self.url)
        try:
            with self._migrating(), self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":  # two processes starting on a new database: one migrates
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(72010013)")
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except (CommandError, DBAPIError) as exc:
            message = describe_db_error(exc, self.url)
            if message:
                raise StoreError(message) from exc
            raise

    def _at_head(self) -> bool:
        """Whether the database's one stored revision is the migrations' head (read without Alembic)."""
        head = migrations_head()
        if head is None:
            return False
        try:
            with self.engine.connect() as conn:
                rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        except DBAPIError:  # no such table yet (a new database) or no database: Alembic decides and explains
            return False
        return [tuple(r) for r in rows] == [(head,)]

    @contextmanager
    def _migrating(self) -> Iterator[None]:
        """Two processes opening one new SQLite file at once: the second waits, then finds it migrated."""
        if self._sqlite_file is None:
            yield
            return
        import fcntl

        # flock on the folder, never on the database file: closing any descriptor of that file would drop
        # the POSIX locks SQLite holds on it in this process
        fd = os.open(self._sqlite_file.parent, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the flock

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions.begin() as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()

    def write(self, work, *, what: str = "write", attempts: int = WRITE_ATTEMPTS):
        """Run ``work(session)`` in one transaction, all or nothing; on a lost connection or a locked
        database it is run again from the start on a fresh connection. The last error is raised."""
        pause = 0.2
        for attempt in range(1, attempts + 1):
            try:
                with self.session() as s:
                    return work(s)
            except DBAPIError as exc:
                # SQLite already waited busy_seconds() for a lock: trying again would only wait as long again
                transient = exc.connection_invalidated or (
                    isinstance(exc, (OperationalError, InterfaceError)) and "locked" not in str(exc.orig)
                )
                if not transient or attempt == attempts:
                    log.error("store %s failed after %d attempt(s): %s", what, attempt, brief(exc))
                    raise
                log.warning(
                    "store %s failed (attempt %d/%d), retrying on a fresh connection: %s",
                    what,
                    attempt,
                    attempts,
                    brief(exc),
                )
                if not exc.connection_invalidated:
                    self.engine.dispose()  # every pooled connection may be as dead as this one
                time.sleep(pause)
                pause = min(pause * 2, 2.0)

    # ------------------------------------------------------------ runs

    def start_run(self, site: str, kind: str = "site") -> int:
        with self.session() as s:
            # A run still 'running' from a killed process is over: say so, keep its facts.
            s.execute(
                update(CrawlRun)
                .where(CrawlRun.site == site, CrawlRun.kind == kind, CrawlRun.status == "running")
                .values(status="interrupted")
            )
            run = CrawlRun(site=site, kind=kind, started_at=utcnow(), status="running")
            s.add(run)
            s.flush()
            return run.id

    def finish_run(self, run_id: int, *, status: str = "finished", pages: int = 0, error: str | None = None) -> None:
        self.write(
            lambda s: s.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(status=status, finished_at=utcnow(), pages=pages, error=error)
            ),
            what="finish run",
        )

    def latest_run(self, site: str, kind: str = "site") -> CrawlRun | None:
        with self.session() as s:
            return s.scalars(
                select(CrawlRun)
                .where(CrawlRun.site == site, CrawlRun.kind == kind, CrawlRun.status == "finished")
                .order_by(CrawlRun.id.desc())
                .limit(1)
            ).first()

    def insert_rows(self, table: type[Base], rows: list[dict[str, Any]]) -> None:
        if rows:
            with self.session() as s:
                s.execute(insert(table), rows)


def insert_rows(s: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """The hot inserts (pages, links, list facts): one Core ``INSERT`` executed with the whole batch
    (``executemany``), not the ORM's bulk path, which inspects every row again. Every row carries every column
    (``BatchWriter.add``).

    On SQLite the statement is compiled once per table and set of columns and each row goes to the driver as a
    tuple, converted by the columns' own bind processors (dates, JSON …): what ``execute(insert(table), rows)``
    does, without building SQLAlchemy's parameters again for every row (a tenth of a crawl's store time);
    ``exec_driver_sql`` keeps the transaction and SQLAlchemy's errors. Rows whose columns differ take the plain
    path, as does every other database."""
    if not rows:
        return
    conn = s.connection()
    if conn.dialect.name == "sqlite":
        keys = tuple(rows[0])
        n = len(keys)
        plan = _sqlite_insert(model.__table__, conn.dialect, keys) if all(len(row) == n for row in rows) else None
        if plan is not None:
            sql, values, converters = plan
            try:
                if converters:
                    params = []
                    for row in rows:
                        one = list(values(row))
                        for i, convert in converters:
                            one[i] = convert(one[i])
                        params.append(tuple(one))
                else:
                    params = [values(row) for row in rows]
            except KeyError:  # a row with other columns
                pass
            else:
                conn.exec_driver_sql(sql, params)
                return
    s.execute(insert(model.__table__), rows)


_SQLITE_INSERTS: dict[tuple[Any, tuple[str, ...]], tuple[str, Any, tuple[tuple[int, Any], ...]] | None] = {}


def _sqlite_insert(
    table: Any, dialect: Any, keys: tuple[str, ...]
) -> tuple[str, Any, tuple[tuple[int, Any], ...]] | None:
    """The positional INSERT of ``keys`` into ``table``, a function giving a row's parameters in its order, and
    (position, bind processor) of the parameters that need one; None when the statement needs parameters the
    rows do not carry (a column with a default left out). A boolean needs none: the driver stores True and
    False as the integers SQLAlchemy's processor would give (it only also refuses what is not a bool)."""
    if (table, keys) not in _SQLITE_INSERTS:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        procs = compiled._bind_processors  # what executing the statement applies to each parameter
        order = tuple(compiled.positiontup or ())
        booleans = {c.key for c in table.columns if isinstance(c.type, Boolean)}
        get = operator.itemgetter(*order)
        _SQLITE_INSERTS[(table, keys)] = (
            (
                compiled.string,
                get if len(order) > 1 else (lambda row: (get(row),)),
                tuple((i, procs[k]) for i, k in enumerate(order) if procs.get(k) is not None and k not in booleans),
            )
            if sorted(order) == sorted(keys)
            else None
        )
    return _SQLITE_INSERTS[(table, keys)]


def stream_rows(s: Session | Connection, stmt: Any, *, batch: int = 20_000) -> Iterator[list[Any]]:
    """The rows of a Core ``select`` of plain columns, a batch at a time, as the driver's own tuples.

    For reading a crawl's hundreds of thousands of links back: SQLAlchemy's per-row ``Row`` and its fetch
    strategy cost a third of loading them on SQLite, so there the compiled statement runs on the driver's
    cursor. No result processor is applied on that path, so only columns that need none (text, numbers) and
    booleans may be selected, and a boolean comes back as the driver gives it (0/1 on SQLite): callers take
    its truth value. Other databases stream through SQLAlchemy (a server-side cursor on PostgreSQL)."""
    conn = s.connection() if isinstance(s, Session) else s
    dialect = conn.dialect
    if dialect.name != "sqlite":
        yield from conn.execute(stmt.execution_options(stream_results=True, yield_per=batch)).partitions()
        return
    for col in stmt.selected_columns:
        if not isinstance(col.type, Boolean) and col.type._cached_result_processor(dialect, None) is not None:
            raise ValueError(f"stream_rows: column {col.key} needs a result processor; select it another way")
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, tuple(params[k] for k in compiled.positiontup or ()))
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


class BatchWriter:
    """Buffers fact rows and writes them a batch at a time, each batch in one transaction."""

    TABLES = {"page": Page, "column": Column, "column_item": ColumnItem}

    def __init__(self, store: Store, run_id: int, batch_size: int = 500):
        self.store, self.run_id, self.batch_size = store, run_id, batch_size
        self.buffers: dict[str, list[dict[str, Any]]] = {k: [] for k in self.TABLES}
        self.pending = 0
        self.counts = {k: 0 for k in self.TABLES}
        self._defaults = {
            k: {c.key: None for c in t.__table__.columns if c.key != "id"} for k, t in self.TABLES.items()
        }
        self._defaults["page"].update(depth=0, is_home=False, is_external=False)
        self._defaults["column"].update(role="column", level=1, item_count=0)
        self._defaults["column_item"].update(title="", date_text="")
        # a None where the model has a default stores the default (as an ORM insert leaves the column out)
        self._fill = {
            k: [
                (c.key, c.default.arg)
                for c in t.__table__.columns
                if c.key != "id" and c.default is not None and c.default.is_scalar
            ]
            for k, t in self.TABLES.items()
        }

    def add(self, kind: str, row: dict[str, Any]) -> None:
        self.add_rows(kind, [row])

    def add_rows(self, kind: str, rows: list[dict[str, Any]]) -> None:
        """Buffer ``rows`` (a page's links: one call for all of them), each completed to every column of its table,
        so one executemany serves the batch."""
        defaults, run_id, fill = self._defaults[kind], self.run_id, self._fill[kind]
        full = [{**defaults, **row, "run_id": run_id} for row in rows]
        for one in full:
            for key, value in fill:
                if one[key] is None:
                    one[key] = value
        self.buffers[kind].extend(full)
        self.counts[kind] += len(full)
        self.pending += len(full)
        if self.pending >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return

        def work(s: Session) -> None:
            # Parents first, so a killed crawl never leaves an item without its column.
            for kind in dict.fromkeys(("page", "column", "column_item", *self.TABLES)):
                if self.buffers[kind]:
                    insert_rows(s, self.TABLES[kind], self.buffers[kind])

        # the buffers are emptied only once the batch is committed: a failed batch is retried whole
        self.store.write(work, what="batch")
        self.buffers = {k: [] for k in self.buffers}
        self.pending = 0


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_seconds() * 1000)}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


# ---------------------------------------------------------------- new media (accounts)


class AccountFetch(Base):
    """One fetch of a new-media account's source and its outcome (ok, http_error, ok0, malformed, blocked…)."""

    __tablename__ = "account_fetches"
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(100), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    http_status: Mapped[int | None] = mapped_column(Integer)
    posts: Mapped[int] = mapped_column(Integer, default=0)
    new_posts: Mapped[int] = mapped_column(Integer, default=0)


class Post(Base):
    """A post of an account, once per (account, post id); refreshed by every fetch that shows it."""

    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(100))
    post_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC
    published_date: Mapped[date | None] = mapped_column(Date, index=True)  # the day in Asia/Shanghai
    published_text: Mapped[str] = mapped_column(String(100), default="")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    links: Mapped[list[Any] | None] = mapped_column(JSON)
    first_fetch_id: Mapped[int] = mapped_column(ForeignKey("account_fetches.id", ondelete="CASCADE"))
    last_fetch_id: Mapped[int] = mapped_column(ForeignKey("account_fetches.id", ondelete="CASCADE"), index=True)
    __table_args__ = (Index("ux_posts_account_post", "account", "post_id", unique=True),)


class PostLink(Base):
    """An in-post link checked once during a fetch (N-S2)."""

    __tablename__ = "post_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    fetch_id: Mapped[int] = mapped_column(ForeignKey("account_fetches.id", ondelete="CASCADE"), index=True)
    account: Mapped[str] = mapped_column(String(100))
    post_url: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    error_kind: Mapped[str | None] = mapped_column(String(40))
    error_detail: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(DateTime)


class Message(Base):
    """One row of a mailbox list page (W-V7): when a message was asked, and when or whether it was answered."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    column_url: Mapped[str] = mapped_column(Text)
    column_name: Mapped[str] = mapped_column(Text, default="")
    page_url: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    asked: Mapped[date | None] = mapped_column(Date)
    asked_text: Mapped[str] = mapped_column(String(100), default="")
    answered: Mapped[date | None] = mapped_column(Date)
    answered_text: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(40), default="")


BatchWriter.TABLES["message"] = Message


class SearchCheck(Base):
    """What the crawl saw of the home page's site search (W-S10): the form, and what a search returned.

    kind: none (no search box), box (a box a script drives: not testable), form (the form and the query it
    will send), result (the answer to that query: status or error, and whether it linked the item).
    """

    __tablename__ = "search_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    page_url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))
    action: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(10))
    field: Mapped[str | None] = mapped_column(String(100))
    query: Mapped[str | None] = mapped_column(Text)
    expected_url: Mapped[str | None] = mapped_column(Text)
    result_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    error_kind: Mapped[str | None] = mapped_column(String(20))
    found: Mapped[bool | None] = mapped_column(Boolean)


BatchWriter.TABLES["search_check"] = SearchCheck


# ---------------------------------------------------------------- the daemon (monitor schedule)


class JobRun(Base):
    """One run of a scheduled job: what ran, when, how it ended, and the crawl it made if any."""

    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(200), index=True)  # e.g. crawl:demo-portal
    kind: Mapped[str] = mapped_column(String(20))  # crawl|probe|feeds|recheck|notice|notify
    site: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    ok: Mapped[bool | None] = mapped_column(Boolean)  # None while running
    outcome: Mapped[str] = mapped_column(String(20), default="running")  # running|ok|failed|skipped|interrupted
    error: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    host: Mapped[str] = mapped_column(String(200), default="")
    pid: Mapped[int | None] = mapped_column(Integer)
    # on the worker pool (monitor.workers): the Celery task, and which try of it this row is (1, 2, 3 …)
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    attempt: Mapped[int | None] = mapped_column(Integer)


class Lock(Base):
    """A named lease (e.g. crawl:<site>): one holder at a time, renewed by heartbeat, void after expiry."""

    __tablename__ = "locks"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200), default="")
    pid: Mapped[int | None] = mapped_column(Integer)
    child_pid: Mapped[int | None] = mapped_column(Integer)
    acquired_at: Mapped[datetime] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class Notification(Base):
    """What was said to whom: the last row per (event, subject, recipient) is the state that recipient knows."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(40))  # veto|site_down|notice_ready
    subject: Mapped[str] = mapped_column(String(300))  # finding fingerprint, site key, month
    state: Mapped[str] = mapped_column(String(40))  # open|closed, down|up, ready
    unit: Mapped[str] = mapped_column(String(200), default="")
    recipient: Mapped[str] = mapped_column(String(64), default="")  # hash of the Apprise URL (no secrets stored)
    at: Mapped[datetime] = mapped_column(DateTime)
    sent: Mapped[bool] = mapped_column(Boolean, default=True)  # False: state recorded, nobody told (e.g. first "up")
    detail: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_notifications_key", "event", "subject", "recipient"),)


class EvidenceShot(Base):
    """A screenshot taken as evidence of a finding: the page with the problem outlined (a fact, kept like any other)."""

    __tablename__ = "evidence_shots"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    page_url: Mapped[str] = mapped_column(Text)
    highlight: Mapped[str] = mapped_column(Text, default="")  # what is outlined (link target, newest item…)
    found: Mapped[bool] = mapped_column(Boolean, default=False)  # the outlined element was on the page
    png: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(Text)  # copy under storage.notices_dir, for people


class NoticeIssue(Base):
    """A month's notice issued (印发): who issued it and when, its deadline and the units it addresses.

    Rendering a notice is drafting; only issuing writes a row here and moves findings to 已通报.
    """

    __tablename__ = "notice_issues"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    findings: Mapped[int] = mapped_column(Integer, default=0)
    forced: Mapped[bool] = mapped_column(Boolean, default=False)  # a re-issue the issuer insisted on
    units: Mapped[list[Any]] = mapped_column(default=list)  # the units the notice addresses (exact names)


class NoticeFile(Base):
    """A file written for an issued notice and whom it is for: unit NULL is the whole notice (every addressed
    unit may read it), a unit name is that unit's own extract. Visibility is decided here, never by file names."""

    __tablename__ = "notice_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("notice_issues.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    path: Mapped[str] = mapped_column(Text)  # relative to storage.notices_dir (POSIX), or absolute when outside
    unit: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # notice | extract | ledger
    __table_args__ = (Index("ix_notice_files_path", "path"),)


class User(Base):
    """A dashboard account: admin (users, units), auditor (everything) or unit (its own unit only)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | auditor | unit
    unit: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # a session cookie carries the version it was issued under; signing out, a new password or deactivation
    # bumps it, so every older cookie of this user stops working at once
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginFailure(Base):
    """A failed dashboard login, kept in the store so the rate limit survives restarts."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_login_failures_user_ip_at", "username", "ip", "at"),)


class RecheckRequest(Base):
    """A targeted re-check asked for by the dashboard (a unit marked a finding 已提交整改).

    The daemon / `monitor recheck` picks up rows with done_at NULL and sets done_at when it ran.
    """

    __tablename__ = "recheck_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    site: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    requested_by: Mapped[str] = mapped_column(String(100))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_recheck_requests_pending", "done_at", "site"),)


# Indexes the dashboard's filtered, keyset-paginated findings list needs (PostgreSQL does not
# append the primary key to an index as SQLite does with its rowid).
Index("ix_findings_unit_id", Finding.unit, Finding.id)
Index("ix_findings_status_id", Finding.status, Finding.id)
Index("ix_findings_severity_id", Finding.severity, Finding.id)
# covering indexes of the overview: per-unit counts, and the 12-month trend (by first_seen / fixed_on)
Index(
    "ix_findings_overview",
    Finding.unit,
    Finding.status,
    Finding.severity,
    Finding.verdict,
    Finding.deadline,
    Finding.fixed_on,
)
Index(
    "ix_findings_first_seen_cover", Finding.first_seen, Finding.verdict, Finding.status, Finding.unit, Finding.fixed_on
)
Index("ix_findings_site_id", Finding.site, Finding.id)
Index("ix_findings_rule_id", Finding.rule, Finding.id)


class ReportDocument(Base):
    """A 政府信息公开工作年度报告 page as published (raw HTML): the annual-report rules (A-1 …) read it."""

    __tablename__ = "report_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[date | None] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)


BatchWriter.TABLES["report_document"] = ReportDocument


class ListPage(Base):
    """One list page as seen (its column and dated entries), written with its page row.

    Columns and column items are assembled from these when the crawl ends, so a
    killed crawl loses no list page it stored, and an unchanged page is copied as is.
    """

    __tablename__ = "list_pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    page_url: Mapped[str] = mapped_column(Text)
    column_url: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10), default="column")
    name: Mapped[str] = mapped_column(Text, default="")
    column_type: Mapped[str | None] = mapped_column(Text)
    empty: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[list[Any] | None] = mapped_column(JSON)  # [{url, title, date, date_text}]
    parent_url: Mapped[str | None] = mapped_column(Text)  # the column one level up, from the breadcrumb links
    level: Mapped[int | None] = mapped_column(Integer)  # the breadcrumb's depth, when the page has one
    how: Mapped[str | None] = mapped_column(String(20))  # meta | structure | navigation
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # see spiders.site.SiteSpider._column
    __table_args__ = (Index("ix_list_pages_run_page", "run_id", "page_url"),)
