"""Operations: the scheduling daemon and its jobs, database locks, structured logs and notifications.

The daemon runs each job as a child ``monitor`` command (``jobs.COMMANDS``) or in process (notice, notify).
"""
