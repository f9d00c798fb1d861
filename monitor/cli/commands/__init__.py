"""CLI sub-commands, one module per command family.

Each module defines ``register(group)`` that adds its click commands to the
``monitor`` group; ``monitor.cli.app`` imports every module here, so a new command
is a new file.
"""
