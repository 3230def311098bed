"""Resuming a live stream with Last-Event-ID (the events are numbered in `live_events`, in
commit order): a reconnect gets every event it missed, only its own tenant's, from whichever
process and after an app restart, then carries on live; past the limit it is told to refetch.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import psycopg
from hypothesis import given
from hypothesis import strategies as st

from support_analytics.db.engine import Database, libpq_url
from support_analytics.live import replay
from support_analytics.live.channels import Event
from support_analytics.live.ids import EventIds
from support_analytics.live.listener import EventHub
from support_analytics.live.sse import Viewer, stream
from support_analytics.tenancy.scope import request_transaction
from tests.fixtures.auth import CLIENT_A_ID, CLIENT_B_ID, Persona, TestUser, open_session
from tests.live.serving import serving
from tests.live.sse_client import last_id, sse, ticket_ids


def _new_tickets(url: str, *client_ids: int) -> list[int]:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return [
            int(row[0])
            for client_id in client_ids
            if (
                row := conn.execute(
                    "INSERT INTO tickets (client_id, ticket_type_id, priority, title)"
                    " VALUES (%s, 1, 'low', 'resume') RETURNING id",
                    (client_id,),
                ).fetchone()
            )
            is not None
        ]


def _seqs(url: str) -> dict[int, int]:
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute(
            "SELECT row_id, seq FROM live_events WHERE kind = 'ticket' AND seq IS NOT NULL"
        ).fetchall()
    return {int(r[0]): int(r[1]) for r in rows}


def test_seq_follows_commit_order_not_insert_order(fresh_database: str) -> None:
    url = libpq_url(fresh_database)
    # live_emit is what every live trigger calls; straight, so no other trigger's row locks
    # (the rollups') can order the two transactions for us.
    emit = "SELECT live_emit(jsonb_build_object('kind', 'ticket', 'op', 'test', 'id', %s))"
    with psycopg.connect(url) as first, psycopg.connect(url) as second:
        for conn in (first, second):
            conn.execute("SET lock_timeout = '10s'")
        first.execute(emit, (-1,))  # emitted first, committed last
        second.execute(emit, (-2,))
        second.commit()
        first.commit()
    seqs = _seqs(fresh_database)
    assert seqs[-2] < seqs[-1]


def test_a_reconnect_gets_every_missed_event_of_its_own_then_live_even_after_a_restart(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    tokens = {p: open_session(owner_database, personas[p]) for p in ("client_a", "agent")}
    with (
        serving(fresh_database) as base,
        sse(base, tokens["client_a"]) as first,
        sse(base, tokens["agent"]) as agent_first,
    ):
        (seen,) = _new_tickets(fresh_database, CLIENT_A_ID)
        resume_a = last_id(first.wait(lambda f: seen in ticket_ids(f), timeout=10))
        agent_resume = last_id(agent_first.wait(lambda f: seen in ticket_ids(f), timeout=10))
    missed = _new_tickets(fresh_database, CLIENT_A_ID, CLIENT_B_ID, CLIENT_A_ID, CLIENT_B_ID)
    missed_a = [missed[0], missed[2]]

    # A different server (the app restarted): the ids mean the same there.
    with serving(fresh_database) as base:
        with sse(base, tokens["client_a"], last_event_id=resume_a) as again:
            frames = again.wait(lambda f: len(ticket_ids(f)) >= 2, timeout=10)
            (live,) = _new_tickets(fresh_database, CLIENT_A_ID)
            frames = again.wait(lambda f: live in ticket_ids(f), timeout=10)
            frames = again.settle(0.5)
        assert ticket_ids(frames) == [*missed_a, live]  # nothing of B's, no repeats
        assert not any(f.resync for f in frames)
        assert all(f.id for f in frames)
        with sse(base, tokens["agent"], last_event_id=agent_resume) as agent:
            frames = agent.wait(lambda f: set(missed) <= set(ticket_ids(f)), timeout=10)
        assert ticket_ids(frames)[: len(missed)] == missed


def test_a_page_reconnecting_by_hand_resumes_from_the_query_parameter(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    """After a 503 the page's code opens a new EventSource, which sends no Last-Event-ID: it
    passes its last id as `?last_event_id=`. The browser's own reconnects of that stream send
    the header with a newer id, which wins over the (older) parameter."""
    token = open_session(owner_database, personas["client_a"])
    with serving(fresh_database) as base:
        with sse(base, token) as first:
            (seen,) = _new_tickets(fresh_database, CLIENT_A_ID)
            resume = last_id(first.wait(lambda f: seen in ticket_ids(f), timeout=10))
        gap, _, later = _new_tickets(fresh_database, CLIENT_A_ID, CLIENT_B_ID, CLIENT_A_ID)
        with sse(base, token, query=f"?last_event_id={resume}") as again:
            frames = again.wait(lambda f: later in ticket_ids(f), timeout=10)
            newest = last_id(frames)
            frames = again.settle(0.3)
        assert ticket_ids(frames) == [gap, later]
        assert not any(f.resync for f in frames)
        (after,) = _new_tickets(fresh_database, CLIENT_A_ID)
        with sse(base, token, last_event_id=newest, query=f"?last_event_id={resume}") as both:
            frames = both.wait(lambda f: after in ticket_ids(f), timeout=10)
            frames = both.settle(0.3)
        assert ticket_ids(frames) == [after]


def test_an_id_from_another_tenant_or_unknown_resyncs_instead_of_replaying(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    tokens = {p: open_session(owner_database, personas[p]) for p in ("client_a", "client_b")}
    with serving(fresh_database) as base:
        with sse(base, tokens["client_a"]) as a:
            (seen,) = _new_tickets(fresh_database, CLIENT_A_ID)
            resume_a = last_id(a.wait(lambda f: seen in ticket_ids(f), timeout=10))
        _new_tickets(fresh_database, CLIENT_A_ID, CLIENT_B_ID)
        for token, last_event_id in (
            (tokens["client_b"], resume_a),  # A's id in B's session: B's RLS cannot see it
            (tokens["client_a"], "0123456789abcdef"),
            (tokens["client_a"], "not-an-id"),
        ):
            with sse(base, token, last_event_id=last_event_id) as other:
                frames = other.wait(lambda f: any(x.resync for x in f), timeout=10)
                frames = other.settle(0.3)
            assert ticket_ids(frames) == [], last_event_id


def test_a_replay_past_the_limit_is_incomplete_and_the_stream_says_resync(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    token = open_session(owner_database, personas["client_a"])
    first, *more = _new_tickets(fresh_database, *[CLIENT_A_ID] * 5, CLIENT_B_ID)
    after = _seqs(fresh_database)[first]
    with request_transaction(owner_database, token, ttl=timedelta(hours=1)) as scope:
        assert [e.id for e in replay.missed(scope.session, after, limit=4).events] == more[:4]
        assert replay.missed(scope.session, after, limit=4).complete is True
        assert replay.missed(scope.session, after, limit=3).complete is False
        assert replay.missed(scope.session, after + 10**6).complete is False

    async def frames_of(result: replay.Replay) -> list[str]:
        hub = EventHub("")
        hub.ids = EventIds(b"key")

        async def replay_missed(seq: int) -> replay.Replay:
            assert seq == after
            return result

        out: list[str] = []
        async for chunk in stream(
            hub,
            Viewer("client", CLIENT_A_ID),
            last_event_id=hub.ids.encode(after),
            replay_missed=replay_missed,
            max_age=0.05,
        ):
            out.append(chunk)
        return out

    incomplete = _run(frames_of(replay.Replay(events=[], complete=False)))
    assert any('"op":"resync"' in chunk for chunk in incomplete)
    complete = _run(
        frames_of(replay.Replay([Event("ticket", "insert", 7, CLIENT_A_ID, 7, after + 1)], True))
    )
    assert not any('"op":"resync"' in chunk for chunk in complete)
    assert any(
        chunk.startswith(f"id: {EventIds(b'key').encode(after + 1)}\n") for chunk in complete
    )


def _run(coroutine: object) -> list[str]:
    # A loop of its own thread: Playwright's sync API may hold one on the main thread.
    result: list[list[str]] = []

    def main() -> None:
        assert asyncio.iscoroutine(coroutine)
        result.append(asyncio.run(coroutine))

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(timeout=30)
    return result[0]


@given(st.integers(min_value=0, max_value=2**63 - 1), st.binary(min_size=1, max_size=40))
def test_event_ids_round_trip_and_hide_the_counter(seq: int, key: bytes) -> None:
    ids = EventIds(key)
    assert ids.decode(ids.encode(seq)) == seq
    assert str(seq) != ids.encode(seq)


def test_consecutive_event_ids_reveal_no_order() -> None:
    ids = EventIds(b"channel")
    wire = [ids.encode(n) for n in range(1, 51)]
    assert len(set(wire)) == len(wire)
    assert sorted(wire) != wire
    assert EventIds(b"other").encode(1) != wire[0]


@given(st.text(max_size=64))
def test_any_last_event_id_decodes_to_a_bigint_or_none(last_event_id: str) -> None:
    seq = EventIds(b"channel").decode(last_event_id)
    assert seq is None or 0 <= seq < 2**63


def test_the_listener_prunes_old_events_as_a_prefix_of_the_order(fresh_database: str) -> None:
    url = libpq_url(fresh_database)
    first, old, recent = _new_tickets(fresh_database, CLIENT_A_ID, CLIENT_A_ID, CLIENT_A_ID)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE live_events SET created_at = now() - make_interval(hours => %s + 1)"
            " WHERE kind = 'ticket' AND row_id = %s",
            (replay.KEEP_HOURS, old),
        )
    gone: list[bool] = []

    async def prune_with_a_hub() -> None:
        hub = EventHub(url, prune_every=0.1)
        await hub.start()
        try:
            for _ in range(100):
                seqs = await asyncio.to_thread(_seqs, fresh_database)
                if old not in seqs:
                    gone.append(first not in seqs)
                    gone.append(recent in seqs)
                    return
                await asyncio.sleep(0.1)
        finally:
            await hub.stop()

    thread = threading.Thread(target=lambda: asyncio.run(prune_with_a_hub()))
    thread.start()
    thread.join(timeout=30)
    # The older event went with it (it was not old itself); the newer one stays.
    assert gone == [True, True]
