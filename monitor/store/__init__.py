"""The store: engine, tables and migrations (Alembic, under ``migrations/``).

``monitor.store`` is the package API: ``from monitor.store import Store, Page`` keeps working while
the definitions live in ``db.py``. The store imports only ``monitor.model``.
"""

from monitor.store.db import *
