"""Every analytics widget: one module each, a typed function returning a pydantic result."""
