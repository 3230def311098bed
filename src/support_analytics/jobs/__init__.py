"""Background jobs on procrastinate: the tasks (tasks.py), the worker (worker.py) and what the
admin sees of the queue (queries.py). The queue lives in PostgreSQL (migration 0010)."""
