"""The loopback SMTP server of tests/mail, for digest and notification tests."""

from tests.mail.conftest import smtp

__all__ = ["smtp"]
