"""`filters.shaped`: one kept statement, every value and operator a parameter, selects what
`ticket_clauses` selects for every filter."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from support_analytics.analytics import response_rollups as rr
from support_analytics.analytics.tables import tickets
from support_analytics.db.statements import built
from support_analytics.filters import TicketFilters
from support_analytics.filters.shaped import Mode, listed_dimensions, shaped, shaped_clauses
from support_analytics.filters.sql import TICKETS, ticket_clauses
from tests.analytics.oracle import FilterSpec
from tests.analytics.strategies import filter_specs
from tests.examples import HEALTH, examples

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def session(fresh_database: str) -> Iterator[Session]:
    engine = create_engine(fresh_database)
    with Session(engine) as session:
        # NULLs for the negative operators and `unassigned` to keep or leave out.
        session.execute(text("UPDATE tickets SET assigned_to = NULL WHERE id % 50 = 0"))
        yield session
        session.rollback()
    engine.dispose()


def _ids(session: Session, filters: TicketFilters) -> tuple[list[int], list[int]]:
    """The ticket ids `ticket_clauses` selects, and those the one kept statement selects
    with `filters`' values."""
    t = tickets.c
    plain = select(t.id).where(*ticket_clauses(filters, BERLIN)).order_by(t.id)
    kept = built(
        "test_shaped",
        lambda: select(t.id).where(*shaped_clauses(TICKETS, "f")).order_by(t.id),
    )
    params = shaped(filters, BERLIN).params(TICKETS, "f")
    return list(session.execute(plain).scalars()), list(session.execute(kept, params).scalars())


@settings(max_examples=examples(120), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_the_kept_statement_selects_what_ticket_clauses_select(
    session: Session, spec: FilterSpec
) -> None:
    filters = TicketFilters.from_query(spec.params())
    want, got = _ids(session, filters)
    assert got == want


def test_a_filter_the_columns_cannot_answer_is_refused() -> None:
    # The kept statement has no client condition over a selectable without a client column:
    # a client filter there must fail, not be dropped.
    without = replace(TICKETS, client_id=None)
    filters = TicketFilters.from_query({"plan": "is:starter"})
    with pytest.raises(ValueError, match="plan"):
        shaped(filters, BERLIN).params(without, "f")


def test_a_mode_the_statement_does_not_write_is_refused() -> None:
    # The rollup slices' statements write fewer modes (`SLICE_MODES`): a slice asking for
    # another one must fail, not read as no filter.
    dimensions = listed_dimensions(TicketFilters.from_query({"ticket_type": "is_not:3"}))
    assert dimensions["ticket_type_id"].mode is Mode.NONE
    with pytest.raises(ValueError, match="ticket_type_id"):
        rr.Slices((rr.Slice(0, dimensions, 1, ()),)).params(rr.HIST_COLUMNS, "r")


@settings(max_examples=examples(120), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_every_slice_takes_only_the_modes_its_statements_write(
    session: Session, spec: FilterSpec
) -> None:
    filters = TicketFilters.from_query(spec.params())
    for by_member in (False, True):
        plan = rr.signed_plan(session, filters, by_member=by_member)
        for piece in plan.slices:
            for field, listed in piece.dimensions.items():
                assert listed.mode is Mode.ABSENT or listed.mode in plan.modes[field]


def test_an_empty_list_selects_as_set_clause_does(session: Session) -> None:
    # `unassigned` alone leaves no concrete value: ANY of none is false, ALL of none true.
    for query in ({"team_member": "is:unassigned"}, {"team_member": "is_not:unassigned"}):
        want, got = _ids(session, TicketFilters.from_query(query))
        assert got == want
        assert want
