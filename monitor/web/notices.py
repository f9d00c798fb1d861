"""Notices archive: the files in storage.notices_dir, by month, and their downloads (never outside that folder).

A unit user sees only files whose path names its unit (``督查通报-2026-11-示例县教育体育局.docx`` or a
folder named after the unit); county-wide notices are for auditors.
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse

from monitor.web.auth import CurrentUser, require
from monitor.web.render import render

KINDS = {".html": ("HTML", "text/html; charset=utf-8"), ".htm": ("HTML", "text/html; charset=utf-8"),
         ".pdf": ("PDF", "application/pdf"),
         ".docx": ("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
         ".xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
_MONTH = re.compile(r"(20\d{2})[-年_]?(0[1-9]|1[0-2])")
# A notice shown in the browser is crawled text rendered by us: still, let it run nothing.
NOTICE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def notices_root(request: Request) -> Path:
    return Path(request.app.state.config.storage.notices_dir).resolve()


def _may_see(user: CurrentUser, rel: str) -> bool:
    return user.role != "unit" or bool(user.unit and user.unit in rel)


def list_notices(root: Path, user: CurrentUser) -> list[dict]:
    """Files grouped by the month their name carries (newest first); other files under “其他”."""
    if not root.is_dir():
        return []
    groups: dict[str, list[dict]] = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in KINDS or p.is_symlink():
            continue
        rel = p.relative_to(root).as_posix()
        if not _may_see(user, rel):
            continue
        m = _MONTH.search(rel)
        month = f"{m.group(1)}-{m.group(2)}" if m else "其他"
        st = p.stat()
        groups.setdefault(month, []).append({"rel": rel, "name": p.name, "kind": KINDS[p.suffix.lower()][0],
                                             "size_kb": max(1, round(st.st_size / 1024)),
                                             "modified": datetime.fromtimestamp(st.st_mtime)})
    order = sorted((k for k in groups if k != "其他"), reverse=True) + (["其他"] if "其他" in groups else [])
    return [{"month": k, "files": groups[k]} for k in order]


async def notices(request: Request):
    user = require(request)
    root = notices_root(request)
    return render(request, "notices.html", {"page_title": "通报归档", "groups": list_notices(root, user),
                                            "root_exists": root.is_dir()})


def resolve_notice(root: Path, rel: str) -> Path:
    """The file under root named by rel, or 404: no '..', no absolute paths, no symlinks out, no other kinds."""
    if not rel or "\x00" in rel or rel.startswith(("/", "\\")) or len(rel) > 1024 \
            or any(len(part.encode("utf-8", "replace")) > 255 for part in rel.split("/")):
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
    if not _may_see(user, target.relative_to(root).as_posix()):
        raise HTTPException(404, "没有这个文件")
    kind, media = KINDS[target.suffix.lower()]
    inline = kind == "HTML" and request.query_params.get("download") != "1"
    return FileResponse(target, media_type=media, filename=target.name,
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"content-security-policy": NOTICE_CSP, "cache-control": "private, no-store"})
