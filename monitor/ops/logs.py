"""The daemon's log: one JSON object per line (time, level, event, job, run_id, site, message), rotated.

Call ``event(log, "crawl.finished", job=..., site=..., run_id=..., message="…")``; anything else logged
through the standard library (APScheduler, our modules) becomes a line of the same shape.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from datetime import datetime, timezone
from pathlib import Path


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", None) or record.name,
            "job": getattr(record, "job", None),
            "run_id": getattr(record, "run_id", None),
            "site": getattr(record, "site", None),
            "message": record.getMessage(),
        }
        extra = getattr(record, "data", None)
        if extra:
            out.update({k: v for k, v in extra.items() if k not in out})
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def setup_logging(
    path: str | None,
    *,
    max_bytes: int = 10 * 1024 * 1024,
    backups: int = 10,
    level: int = logging.INFO,
    stderr: bool = True,
) -> logging.Handler | None:
    """Route the root logger to a rotated JSON-lines file (and stderr); returns the file handler."""
    root = logging.getLogger()
    root.setLevel(level)
    fmt = JsonLines()
    handler = None
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        handler.setFormatter(fmt)
        root.addHandler(handler)
    if stderr:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(fmt)
        root.addHandler(h)
    # APScheduler says "Running job …" for every run; our own events carry the same facts.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return handler


def event(
    log: logging.Logger,
    name: str,
    message: str = "",
    *,
    level: int = logging.INFO,
    job: str | None = None,
    run_id: int | None = None,
    site: str | None = None,
    **data,
) -> None:
    log.log(level, message, extra={"event": name, "job": job, "run_id": run_id, "site": site, "data": data})
