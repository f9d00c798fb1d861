"""Annual report rules (政府信息公开工作年度报告), A-1 … A-9.

Every check reads one :class:`monitor.model.annual.AnnualReportFacts` and takes
``previous`` (last year's report facts, or None) as a keyword, so a caller can run
all of them the same way::

    for entry in rules.rules_for(Scope.REPORT):
        yield from entry.check(report, today=today, t=entry.rule.default_thresholds(),
                               previous=previous)
"""
