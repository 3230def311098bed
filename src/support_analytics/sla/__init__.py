"""SLAs: business calendars, policies and the SLA state of every ticket (docs/sla.md)."""
