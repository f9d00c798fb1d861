"""The facts every stage shares: what spiders record, the store keeps and rules judge.

``monitor.model`` is the package API: ``from monitor.model import PageFacts`` keeps working while the
definitions live in ``facts.py`` (pages, links, columns, accounts, statuses), ``annual.py`` (the
annual report tables), ``items.py`` (what a crawl hands the store) and ``errors.py`` (why a fetch failed:
``ErrorKind`` and its one Chinese label). Nothing here imports another layer.
"""

from monitor.model.errors import *
from monitor.model.facts import *
from monitor.model.items import *
