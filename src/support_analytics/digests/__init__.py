"""Digests: a daily or weekly mail per user with the dashboard's key numbers against the
previous period, SLA breaches and the biggest movers, computed under the recipient's own
role, scheduled by the job worker (tasks.py) and sent once per slot."""
