"""Annual report rules (政府信息公开工作年度报告), A-1 … A-9.

Every check reads one :class:`monitor.model.annual.AnnualReportFacts` and takes
``previous`` (last year's report facts, or None) as a keyword, so the engine runs
all of them the same way::

    rules.run(Scope.REPORT, report, today=today, overrides=thresholds, previous=previous)
"""
