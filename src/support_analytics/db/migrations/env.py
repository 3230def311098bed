"""Alembic environment: the URL comes from the caller (`db.migrate.upgrade`), never a file."""

from alembic import context
from sqlalchemy import create_engine

from support_analytics.db.base import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
if not url:
    raise RuntimeError("migrations are run through `support-analytics db upgrade`")

engine = create_engine(url, connect_args={"options": "-c timezone=UTC"})
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
