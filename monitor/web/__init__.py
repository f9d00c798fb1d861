"""The auditors' dashboard: a small Starlette application over the store.

One ``routes`` list (:mod:`monitor.web.app`), one module per page family
(overview, findings, notices, sites, rulebook, admin). A view checks
permission first, builds a plain dict and renders a named template that
extends ``base.html``. Everything crawled is untrusted: templates autoescape,
links to crawled URLs go through the ``href`` filter, and the
Content-Security-Policy allows no inline script.

Roles: ``admin`` (users and units, and everything an auditor sees),
``auditor`` (every unit's findings, notices and actions), ``unit`` (only its
own unit's findings and notices; may mark a finding 已提交整改).
"""

from monitor.web.app import create_app

__all__ = ["create_app"]
