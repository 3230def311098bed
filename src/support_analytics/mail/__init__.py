"""Outgoing mail: messages rendered from templates (HTML and plain text) and one transport
(`SUPPORT_ANALYTICS_SMTP_URL`, or the log when it is unset). Mail is sent by the job worker,
never inside a web request (jobs/tasks.py)."""
