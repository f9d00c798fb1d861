"""Publication counts for a period, for the annual report's
"通过政府网站发布政府信息N条、政务新媒体发布政府信息M条".

Site counts come from the column items of each site's latest finished crawl, deduplicated by URL (an
article listed in two columns, or on the home page too, is one item of the site); account counts from
the posts table by publish day (Asia/Shanghai).
"""

from __future__ import annotations

import calendar
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from monitor.config import Config
from monitor.store import Column, ColumnItem, Post, Store


def period_bounds(year: int, month: int | None = None) -> tuple[date, date]:
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if not 1 <= month <= 12:
        raise ValueError(f"月份“{month}”不对，应为 1 到 12")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class Counts:
    start: date
    end: date
    columns: list[dict] = field(default_factory=list)  # site, site_name, column, column_url, items
    sites: list[dict] = field(default_factory=list)  # site, site_name, unit, items, crawled (bool)
    accounts: list[dict] = field(default_factory=list)  # account, name, unit, platform, items, fetched (bool)
    units: list[dict] = field(default_factory=list)  # unit, site_items, account_items

    @property
    def site_total(self) -> int:
        return sum(s["items"] for s in self.sites)

    @property
    def account_total(self) -> int:
        return sum(a["items"] for a in self.accounts)

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "site_total": self.site_total,
            "account_total": self.account_total,
            "sites": self.sites,
            "columns": self.columns,
            "accounts": self.accounts,
            "units": self.units,
        }


def publication_counts(store: Store, config: Config, *, start: date, end: date) -> Counts:
    out = Counts(start, end)
    units: OrderedDict[str, dict] = OrderedDict(
        (u.name, {"unit": u.name, "site_items": 0, "account_items": 0}) for u in config.units
    )
    for site in config.sites:
        run = store.latest_run(site.key)
        urls: set[str] = set()
        if run is not None:
            with store.session() as s:
                rows = s.execute(
                    select(ColumnItem.column_url, ColumnItem.url, Column.name, Column.role)
                    .join(Column, (Column.run_id == ColumnItem.run_id) & (Column.url == ColumnItem.column_url))
                    .where(ColumnItem.run_id == run.id, ColumnItem.date >= start, ColumnItem.date <= end)
                ).all()
            per_column: OrderedDict[str, tuple[str, set[str]]] = OrderedDict()
            for column_url, url, name, role in rows:
                urls.add(url)
                if role == "column":
                    per_column.setdefault(column_url, (name, set()))[1].add(url)
            for column_url, (name, items) in sorted(per_column.items()):
                out.columns.append(
                    {
                        "site": site.key,
                        "site_name": site.name,
                        "column": name,
                        "column_url": column_url,
                        "items": len(items),
                    }
                )
        out.sites.append(
            {
                "site": site.key,
                "site_name": site.name,
                "unit": site.unit,
                "items": len(urls),
                "crawled": run is not None,
            }
        )
        units.setdefault(site.unit, {"unit": site.unit, "site_items": 0, "account_items": 0})["site_items"] += len(urls)
    with store.session() as s:
        counts = dict(
            s.execute(
                select(Post.account, func.count(Post.id))
                .where(Post.published_date >= start, Post.published_date <= end)
                .group_by(Post.account)
            ).all()
        )
        fetched = set(s.scalars(select(Post.account).distinct()).all())
    for a in config.accounts:
        n = counts.get(a.key, 0)
        out.accounts.append(
            {
                "account": a.key,
                "name": a.name,
                "unit": a.unit,
                "platform": a.platform_name,
                "items": n,
                "fetched": a.key in fetched,
            }
        )
        units.setdefault(a.unit, {"unit": a.unit, "site_items": 0, "account_items": 0})["account_items"] += n
    out.units = list(units.values())
    return out
