"""Tickets: the client portal's and the internal inbox's reads and writes."""
