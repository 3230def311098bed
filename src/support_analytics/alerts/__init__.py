"""Alerts: rules over the dashboard's metrics, evaluated under their owner's role, delivered by
webhook, mail and a live notification in the app (docs/alerts.md)."""
