"""The database roles a request runs as. They cannot log in: the application's own login
switches to one of them with `SET LOCAL ROLE` for the length of a request's transaction, so
PostgreSQL's row-level security, not Python, decides what the request can see."""

from enum import StrEnum


class RequestRole(StrEnum):
    INTERNAL = "support_analytics_internal"
    CLIENT = "support_analytics_client"
    ANONYMOUS = "support_analytics_anonymous"
