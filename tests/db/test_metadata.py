"""The one MetaData (`db/base.py`: the ORM models of `db/models.py` and the tables of
`db/tables.py`) matches what the migrations build: same tables, same columns, same types and
nullability. A migration that adds or changes a column without its declaration fails here."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from support_analytics.db import tables
from tests.conftest import PgServer


def test_every_table_of_the_database_is_declared(
    pg_server: PgServer, migrated_template: str
) -> None:
    engine = create_engine(pg_server.url(migrated_template))
    # The job queue's procrastinate_* tables belong to its library, which declares them.
    try:
        in_database = {
            name
            for name in inspect(engine).get_table_names()
            if name != "alembic_version" and not name.startswith("procrastinate")
        }
    finally:
        engine.dispose()
    declared = set(tables.metadata.tables)
    assert declared - in_database == set()
    assert in_database - declared == set()


def test_declared_columns_match_the_database(pg_server: PgServer, migrated_template: str) -> None:
    engine = create_engine(pg_server.url(migrated_template))
    problems: list[str] = []
    try:
        inspector = inspect(engine)
        for name, table in sorted(tables.metadata.tables.items()):
            found = {c["name"]: c for c in inspector.get_columns(name)}
            if set(found) != set(table.c.keys()):
                problems.append(f"{name}: columns {sorted(found)} != {sorted(table.c.keys())}")
                continue
            for column in table.c:
                db = found[column.name]
                declared_type = column.type.compile(dialect=engine.dialect)
                db_type = db["type"].compile(dialect=engine.dialect)
                if declared_type != db_type:
                    problems.append(f"{name}.{column.name}: {declared_type} != {db_type}")
                if column.nullable != db["nullable"]:
                    problems.append(f"{name}.{column.name}: nullable {column.nullable}")
    finally:
        engine.dispose()
    assert problems == []
