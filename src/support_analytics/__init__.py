"""Support analytics dashboard and client ticket portal."""
