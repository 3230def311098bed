"""Live updates: Postgres NOTIFY -> one LISTEN per process -> Server-Sent Events."""
