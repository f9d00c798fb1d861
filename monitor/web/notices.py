"""Notices archive: the files in storage.notices_dir, by month, and their downloads (never outside that folder).

Auditors see every file (drafts marked 征求意见稿). A unit user sees only what was issued to it, as the store
records it (``notice_files``): the whole notice of a month whose issue addressed that unit, and its own
extract (unit matched exactly). File names decide nothing: “示例县” is not “示例县教育体育局”.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse

from monitor.store import NoticeFile, NoticeIssue, Store
from monitor.web.auth import CurrentUser, require, store_of
from monitor.web.render import render
from reports.notice import DRAFT_SUFFIX

KINDS = {
    ".html": ("HTML", "text/html; charset=utf-8"),
    ".htm": ("HTML", "text/html; charset=utf-8"),
    ".pdf": ("PDF", "application/pdf"),
    ".docx": ("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
_MONTH = re.compile(r"(20\d{2})[-年_]?(0[1-9]|1[0-2])")
# A notice shown in the browser is crawled text rendered by us: still, let it run nothing.
NOTICE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def notices_root(request: Request) -> Path:
    return Path(request.app.state.config.storage.notices_dir).resolve()


ROLES = {"notice": "督查通报", "extract": "本单位问题清单", "ledger": "整改台账"}


def issued_files(store: Store) -> dict[str, dict]:
    """Every registered file (path relative to the notices folder) → what it is, for whom, who issued it."""
    out: dict[str, dict] = {}
    with store.session() as s:
        rows = s.execute(
            select(NoticeFile, NoticeIssue)
            .join(NoticeIssue, NoticeIssue.id == NoticeFile.issue_id)
            .order_by(NoticeFile.id)
        ).all()
    for f, issue in rows:
        out[f.path] = {
            "unit": f.unit,
            "kind": f.kind,
            "month": f.month,
            "units": set(issue.units or ()),
            "issued_at": issue.issued_at,
            "issued_by": issue.issued_by,
        }
    return out


def may_see(user: CurrentUser, rel: str, registry: dict[str, dict]) -> bool:
    if user.role != "unit":
        return True
    meta = registry.get(rel)
    if meta is None or not user.unit:
        return False  # drafts, ledgers of every unit, files put there by hand: not for units
    if meta["kind"] == "extract":
        return meta["unit"] == user.unit
    return meta["kind"] == "notice" and user.unit in meta["units"]


def list_notices(root: Path, user: CurrentUser, registry: dict[str, dict]) -> list[dict]:
    """Files grouped by the month their name carries (newest first); other files under “其他”."""
    if not root.is_dir():
        return []
    groups: dict[str, list[dict]] = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in KINDS or p.is_symlink():
            continue
        rel = p.relative_to(root).as_posix()
        if not may_see(user, rel, registry):
            continue
        meta = registry.get(rel)
        m = _MONTH.search(rel)
        month = meta["month"] if meta else (f"{m.group(1)}-{m.group(2)}" if m else "其他")
        if meta:
            what = ROLES.get(meta["kind"], "") + (f"（{meta['unit']}）" if meta["unit"] else "")
            state = f"已印发（{meta['issued_by']}）"
        else:
            what = ""
            state = "征求意见稿" if DRAFT_SUFFIX in p.name else ""
        st = p.stat()
        groups.setdefault(month, []).append(
            {
                "rel": rel,
                "name": p.name,
                "kind": KINDS[p.suffix.lower()][0],
                "what": what,
                "state": state,
                "issued_at": meta["issued_at"] if meta else None,
                "size_kb": max(1, round(st.st_size / 1024)),
                "modified": datetime.fromtimestamp(st.st_mtime, timezone.utc),
            }
        )
    order = sorted((k for k in groups if k != "其他"), reverse=True) + (["其他"] if "其他" in groups else [])
    return [{"month": k, "files": groups[k]} for k in order]


async def notices(request: Request):
    user = require(request)
    root = notices_root(request)
    registry = issued_files(store_of(request))
    return render(
        request,
        "notices.html",
        {"page_title": "通报归档", "groups": list_notices(root, user, registry), "root_exists": root.is_dir()},
    )


def resolve_notice(root: Path, rel: str) -> Path:
    """The file under root named by rel, or 404: no '..', no absolute paths, no symlinks out, no other kinds."""
    if (
        not rel
        or "\x00" in rel
        or rel.startswith(("/", "\\"))
        or len(rel) > 1024
        or any(len(part.encode("utf-8", "replace")) > 255 for part in rel.split("/"))
    ):
        raise HTTPException(404, "没有这个文件")  # too long for a file name: not one of ours (and no OSError)
    target = (root / rel).resolve()
    if not target.is_relative_to(root) or not target.is_file() or target.suffix.lower() not in KINDS:
        raise HTTPException(404, "没有这个文件")
    return target


async def notice_file(request: Request):
    user = require(request)
    root = notices_root(request)
    rel = request.path_params["path"]
    target = resolve_notice(root, rel)
    if not may_see(user, target.relative_to(root).as_posix(), issued_files(store_of(request))):
        raise HTTPException(404, "没有这个文件")
    kind, media = KINDS[target.suffix.lower()]
    inline = kind == "HTML" and request.query_params.get("download") != "1"
    return FileResponse(
        target,
        media_type=media,
        filename=target.name,
        content_disposition_type="inline" if inline else "attachment",
        headers={"content-security-policy": NOTICE_CSP, "cache-control": "private, no-store"},
    )
