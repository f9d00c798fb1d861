"""The command line: ``app`` (the ``monitor`` group), ``clickzh`` (Chinese Click messages) and one module
per command family in ``commands/``. It wires the layers below; it holds no logic of its own.
"""
