"""The rule book: every rule's id, title, severity, thresholds in effect and documentation."""

from __future__ import annotations

import dataclasses

from starlette.requests import Request

from monitor.web.auth import require
from monitor.web.render import render


async def rulebook(request: Request):
    from rules import all_rules, thresholds_for
    from rules.base import threshold_fields
    from rules.explain import explain

    require(request)
    config = request.app.state.config
    rows = []
    for e in all_rules():
        defaults = e.rule.default_thresholds()
        effective = thresholds_for(e.rule, config.thresholds)
        x = explain(e.rule, effective)
        rows.append(
            {
                "id": e.rule.id,
                "name": e.rule.name,
                "title": e.rule.title,
                "severity": e.rule.severity.value,
                "scope": e.rule.scope.value,
                "source": e.rule.source,
                "doc": e.rule.doc,
                "checks": x["checks"],
                "threshold": x["threshold"],
                "basis": x["basis"],
                "changed": any(
                    getattr(defaults, f.name) != getattr(effective, f.name) for f in dataclasses.fields(defaults)
                ),
                "thresholds": [
                    {
                        "name": f.name,
                        "default": getattr(defaults, f.name),
                        "help": f.help,
                        "value": getattr(effective, f.name),
                    }
                    for f in threshold_fields(e.rule.thresholds)
                ],
            }
        )
    return render(request, "rules.html", {"page_title": "规则库", "rules": rows})
