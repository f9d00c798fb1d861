"""The command line: ``app`` (the ``monitor`` group), ``clickzh`` (Chinese Click messages) and one module
per command family in ``commands/``. It wires the layers below; it holds no logic of its own.

``monitor.cli.main`` (the console entry point) and ``monitor.cli.MonitorError`` are the package API,
loaded on first use so that importing one command module does not build the whole group.
"""

from monitor.crawl.heap import command_process

command_process()  # before the imports of the command: the garbage collector set for one command a process


def __getattr__(name: str):
    if name in ("main", "MonitorError"):
        from monitor.cli import app

        return getattr(app, name)
    raise AttributeError(f"module 'monitor.cli' has no attribute {name!r}")
