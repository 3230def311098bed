"""Authentication: passwords, sessions, invites and resets, and the request dependencies."""
