"""The filter bar: one grammar, one typed model, one translation to SQL, used by every view."""

from support_analytics.filters.model import TicketFilters

__all__ = ["TicketFilters"]
