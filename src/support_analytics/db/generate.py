"""Synthetic data of the reference shape at any size, deterministic per seed.

The 50 clients, 15 team members and 14 ticket types are the seed's own literal INSERTs (kept
as they are when already loaded), so every page, filter and demo account works the same on
generated data. Tickets scale; each field is drawn with the seed's probabilities, including
its CASE/RANDOM() chains, where every WHEN draws afresh (priority `high` is 0.9 x 0.35):

- month m (Jan..Nov 2025) gets the seed's share (3060 + 140 m) / 42,900 of the tickets,
  created uniformly in its first 28 days; the client is uniform over the first min(5 m, 50)
  clients (newer clients appear month after month); assignee and type uniform;
- status resolved 70 % (0-48 h after creation), in_progress 25.5 %, open 4.5 %; priority
  urgent 10 %, high 31.5 %, medium 40.95 %, low 17.55 %;
- beyond the seed, so those paths get exercised: 10 % of the resolved tickets are `closed`
  instead (`closed_at` 0-24 h after `resolved_at`, which stays set), and half of the `open`
  tickets are unassigned (2.25 % of all tickets);
- messages, feedback and payments follow the seed's statements (feedback on resolved and
  closed tickets: 60 % rate 3-5, then 15 % of the rest rate 1-2); payments depend on the
  clients only, with the seed's `NOW()` pinned to the data's as-of instant;
- a few resolved tickets (`REOPENED_SHARE_OF_RESOLVED`) were resolved once before: after
  their last message the team resolved them, the client wrote again, which reopened them, and
  they were resolved at their `resolved_at` (`_reopens_sql`, `_reopen_events_sql`).

Randomness is a hash of (row key, seed, field): `hashint8extended` is immutable and
parallel-safe, so a batch draws the same values whatever the plan, the batch size or the
server, unlike `random()`, whose sequence parallel workers would split unpredictably.

Rows are written set-based (`INSERT ... SELECT FROM generate_series`) in batches inside one
transaction; secondary indexes, foreign keys and user triggers of the four bulk tables are
set aside meanwhile and rebuilt once at the end. The analytics rollups are the caller's
(`maintenance.after_bulk_load`, which `db generate` runs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

from support_analytics.config import get_settings
from support_analytics.db.reference import (
    AS_OF,
    MAX_RANDOM_SEED,
    DatabaseNotEmpty,
    Progress,
    TableCounts,
    reference_sql,
    set_user_triggers,
    table_counts,
)
from support_analytics.errors import AppError
from support_analytics.tickets import events

DEFAULT_RANDOM_SEED = 42
DEFAULT_BATCH = 100_000
REFERENCE_MONTH_TICKETS = tuple(3060 + 140 * month for month in range(1, 12))
DIMENSIONS = {"clients": 50, "team_members": 15, "ticket_types": 14}
BULK_TABLES = ("tickets", "ticket_messages", "ticket_feedback", "payments")
CLOSED_SHARE_OF_RESOLVED = 0.10
UNASSIGNED_SHARE_OF_OPEN = 0.50


class GenerateError(AppError):
    code = "generate_failed"


@dataclass(frozen=True)
class MonthSlice:
    month: int
    first_id: int
    last_id: int


def month_slices(tickets: int) -> list[MonthSlice]:
    """Ticket ids per month in the seed's proportions; ids grow with the month as in the seed."""
    total = sum(REFERENCE_MONTH_TICKETS)
    slices: list[MonthSlice] = []
    running = 0
    last = 0
    for month, count in enumerate(REFERENCE_MONTH_TICKETS, start=1):
        running += count
        upto = tickets * running // total
        if upto > last:
            slices.append(MonthSlice(month, last + 1, upto))
        last = upto
    return slices


def _u(key: str, seed: int, field: int) -> str:
    """A uniform draw in [0, 1) from 53 bits of the hash of (key, seed, field)."""
    return (
        f"((hashint8extended(({key})::bigint, {seed * 64 + field}) >> 11)"
        " & 9007199254740991)::float8 / 9007199254740992.0"
    )


def _tickets_sql(seed: int) -> str:
    """One month's batch of tickets: params first id, last id, month start, client count."""
    return f"""
    INSERT INTO tickets (id, client_id, assigned_to, ticket_type_id, status, priority, title,
                         created_at, resolved_at, closed_at)
    SELECT d.i, d.client_id,
           CASE WHEN d.status = 'open' AND d.u_unassigned < {UNASSIGNED_SHARE_OF_OPEN}
                THEN NULL ELSE d.assignee END,
           d.type_id, d.status, d.priority, 'Ticket regarding ' || tt.type_name,
           d.created_at,
           CASE WHEN d.status IN ('resolved', 'closed')
                THEN d.created_at + d.u_resolve * interval '48 hours' END,
           CASE WHEN d.status = 'closed'
                THEN d.created_at + d.u_resolve * interval '48 hours'
                     + d.u_close * interval '24 hours' END
    FROM (
      SELECT g.i,
             floor({_u("g.i", seed, 1)} * %(clients)s)::int + 1 AS client_id,
             floor({_u("g.i", seed, 2)} * %(members)s)::int + 1 AS assignee,
             floor({_u("g.i", seed, 3)} * %(types)s)::int + 1 AS type_id,
             %(month_start)s::timestamptz + {_u("g.i", seed, 4)} * interval '28 days'
               AS created_at,
             CASE WHEN {_u("g.i", seed, 5)} < 0.70
                    THEN CASE WHEN {_u("g.i", seed, 6)} < {CLOSED_SHARE_OF_RESOLVED}
                              THEN 'closed' ELSE 'resolved' END
                  WHEN {_u("g.i", seed, 7)} < 0.85 THEN 'in_progress'
                  ELSE 'open' END AS status,
             CASE WHEN {_u("g.i", seed, 8)} < 0.10 THEN 'urgent'
                  WHEN {_u("g.i", seed, 9)} < 0.35 THEN 'high'
                  WHEN {_u("g.i", seed, 10)} < 0.70 THEN 'medium'
                  ELSE 'low' END AS priority,
             {_u("g.i", seed, 11)} AS u_resolve,
             {_u("g.i", seed, 12)} AS u_close,
             {_u("g.i", seed, 13)} AS u_unassigned
      FROM generate_series(%(first)s::int, %(last)s::int) AS g(i)
    ) d
    JOIN ticket_types tt ON tt.id = d.type_id
    ORDER BY d.i
    """


# Reply delays (hours): log-normal around these medians by priority, 0.9 the sigma of the
# log; three times slower for tickets created outside 09:00-18:00 on weekdays in the
# reporting zone.
FIRST_REPLY_MEDIAN_HOURS = {"urgent": 0.33, "high": 1.0, "medium": 3.0, "low": 8.0}
REPLY_SIGMA = 0.9
OFF_HOURS_FACTOR = 3.0
# Open tickets nobody has answered yet (besides the unassigned ones), tickets with a second
# exchange (client follow-up, agent answer), open follow-ups still waiting for the agent.
SILENT_SHARE_OF_OPEN = 0.4
MULTI_EXCHANGE_SHARE = 0.2
WAITING_SHARE_OF_OPEN_FOLLOW_UPS = 0.4


def _log_normal(key: str, seed: int, field: int, median: str) -> str:
    """`median` * exp(sigma * z), z standard normal by Box-Muller from two uniform draws."""
    return (
        f"({median}) * exp({REPLY_SIGMA} * sqrt(-2 * ln(1 - {_u(key, seed, field)}))"
        f" * cos(2 * pi() * {_u(key, seed, field + 1)}))"
    )


def _messages_sql(seed: int) -> str:
    """One batch's messages: params first id, last id, zone (the reporting timezone).

    Per ticket: the client's opening message; the first reply after a drawn delay (none for
    unassigned or silent open tickets, or when it would fall after the data's end or the
    closing reply); for a share of tickets a client follow-up and its answer (open ones may
    still wait for it); the closing reply of resolved ones 15 minutes before resolution, as
    in the seed, which answers whatever came later than it would."""
    medians = " ".join(
        f"WHEN '{priority}' THEN {hours}" for priority, hours in FIRST_REPLY_MEDIAN_HOURS.items()
    )
    median = (
        f"CASE b.priority {medians} ELSE 3.0 END"
        f" * CASE WHEN b.office THEN 1 ELSE {OFF_HOURS_FACTOR} END"
    )
    return f"""
INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text, created_at)
WITH base AS (
  SELECT t.id, t.created_at, t.resolved_at, t.status, t.assigned_to, tt.type_name, t.priority,
         (extract(isodow FROM t.created_at AT TIME ZONE %(zone)s) < 6
          AND (t.created_at AT TIME ZONE %(zone)s)::time >= '09:00'
          AND (t.created_at AT TIME ZONE %(zone)s)::time < '18:00') AS office,
         {_u("t.id", seed, 50)} AS u_silent,
         {_u("t.id", seed, 51)} AS u_multi,
         {_u("t.id", seed, 52)} AS u_follow,
         {_u("t.id", seed, 53)} AS u_waiting
  FROM tickets t JOIN ticket_types tt ON t.ticket_type_id = tt.id
  WHERE t.id BETWEEN %(first)s AND %(last)s
), timed AS (
  SELECT b.*,
         coalesce(b.resolved_at - interval '15 minutes', '{AS_OF}'::timestamptz) AS deadline,
         b.created_at + {_log_normal("b.id", seed, 54, median)} * interval '1 hour'
           AS reply_at,
         {_log_normal("b.id", seed, 56, median)} AS second_delay
  FROM base b
), planned AS (
  SELECT t.*,
         t.assigned_to IS NOT NULL
           AND NOT (t.status = 'open' AND t.u_silent < {SILENT_SHARE_OF_OPEN})
           AND t.reply_at < t.deadline AS answered,
         t.reply_at AS first_reply_at
  FROM timed t
), exchanged AS (
  SELECT p.*,
         p.answered AND p.u_multi < {MULTI_EXCHANGE_SHARE}
           AND p.first_reply_at + (0.5 + 4 * p.u_follow) * interval '1 hour' < p.deadline
           AS follow_up,
         p.first_reply_at + (0.5 + 4 * p.u_follow) * interval '1 hour' AS follow_up_at
  FROM planned p
)
SELECT ticket_id, from_client, from_team_member_id, message_text, created_at FROM (
  SELECT e.id AS ticket_id, 1 AS step, TRUE AS from_client, NULL::int AS from_team_member_id,
         'Hello, I need help with ' || e.type_name || '. This is urgent.' AS message_text,
         e.created_at + interval '5 minutes' AS created_at
  FROM exchanged e
  UNION ALL
  SELECT e.id, 2, FALSE, e.assigned_to,
         'Thank you for contacting us. I''ll look into this right away.', e.first_reply_at
  FROM exchanged e WHERE e.answered
  UNION ALL
  SELECT e.id, 3, TRUE, NULL, 'Thanks. One more detail about ' || e.type_name || '.',
         e.follow_up_at
  FROM exchanged e WHERE e.follow_up
  UNION ALL
  SELECT e.id, 4, FALSE, e.assigned_to, 'Got it, here is what to do next.',
         e.follow_up_at + e.second_delay * interval '1 hour'
  FROM exchanged e
  WHERE e.follow_up
    AND (e.resolved_at IS NOT NULL OR e.u_waiting >= {WAITING_SHARE_OF_OPEN_FOLLOW_UPS})
    AND e.follow_up_at + e.second_delay * interval '1 hour' < e.deadline
  UNION ALL
  SELECT e.id, 5, FALSE, e.assigned_to,
         'This issue has been resolved. Please let me know if you need anything else.',
         e.resolved_at - interval '15 minutes'
  FROM exchanged e WHERE e.resolved_at IS NOT NULL
) m
ORDER BY ticket_id, step
"""


# Resolved tickets that were reopened once, when their last message leaves room for it.
REOPENED_SHARE_OF_RESOLVED = 0.03


def _reopens_sql(seed: int) -> list[str]:
    """The reopened tickets (a temporary table for `_reopen_events_sql`, same transaction)
    and their client messages, in one statement over every ticket, so message ids do not
    depend on the batch size. Between the ticket's last message before the closing reply and
    that reply: the first resolution, then the client's message that reopened it."""
    share = REOPENED_SHARE_OF_RESOLVED
    plan = f"""
    CREATE TEMPORARY TABLE generated_reopens ON COMMIT DROP AS
    SELECT r.id AS ticket_id,
           r.last_before + r.room * (0.2 + 0.3 * r.u_first) AS first_done,
           r.last_before + r.room * (0.6 + 0.3 * r.u_again) AS reopen_at
    FROM (
      SELECT c.id, c.u_first, c.u_again, max(m.created_at) AS last_before,
             c.resolved_at - interval '15 minutes' - max(m.created_at) AS room
      FROM (
        SELECT t.id, t.resolved_at,
               {_u("t.id", seed, 60)} AS u_reopen,
               {_u("t.id", seed, 61)} AS u_first,
               {_u("t.id", seed, 62)} AS u_again
        FROM tickets t WHERE t.resolved_at IS NOT NULL
      ) c
      JOIN ticket_messages m ON m.ticket_id = c.id
        AND m.created_at < c.resolved_at - interval '15 minutes'
      WHERE c.u_reopen < {share}
      GROUP BY c.id, c.resolved_at, c.u_first, c.u_again
    ) r
    WHERE r.room > interval '1 hour'
    ORDER BY r.id
    """
    messages = """
    INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text,
                                 created_at)
    SELECT ticket_id, TRUE, NULL, 'Sorry, the problem is back. Could you have another look?',
           reopen_at
    FROM generated_reopens ORDER BY ticket_id
    """
    return [plan, messages]


def _reopen_events_sql() -> list[str]:
    """After the load's backfill (a "created" and a "-> resolved" event per ticket): the
    reopened tickets' history as the triggers log it, loader-written so without an actor,
    then their response facts (the reopen count follows from the events)."""
    events = """
    INSERT INTO ticket_events (ticket_id, kind, old_value, new_value, created_at)
    SELECT e.ticket_id, e.kind, e.old_value, e.new_value, e.created_at FROM (
      SELECT r.ticket_id, 1 AS step, 'status' AS kind, 'in_progress' AS old_value,
             'resolved' AS new_value, r.first_done AS created_at
      FROM generated_reopens r
      UNION ALL
      SELECT r.ticket_id, 2, 'client_message', NULL, m.id::text, r.reopen_at
      FROM generated_reopens r
      JOIN ticket_messages m ON m.ticket_id = r.ticket_id AND m.created_at = r.reopen_at
        AND m.from_client
      UNION ALL
      SELECT r.ticket_id, 3, 'status', 'resolved', 'open', r.reopen_at
      FROM generated_reopens r
    ) e
    ORDER BY e.ticket_id, e.step
    """
    resolved_again = """
    UPDATE ticket_events e SET old_value = 'open'
    FROM generated_reopens r JOIN tickets t ON t.id = r.ticket_id
    WHERE e.ticket_id = r.ticket_id AND e.kind = 'status' AND e.new_value = 'resolved'
      AND e.created_at = t.resolved_at
    """
    facts = "SELECT ticket_response_facts_refresh(ARRAY(SELECT ticket_id FROM generated_reopens))"
    return [events, resolved_again, facts]


def _feedback_sql(seed: int) -> str:
    return f"""
    INSERT INTO ticket_feedback (ticket_id, rating, feedback_text, created_at)
    SELECT id,
           CASE WHEN happy THEN floor(u_rating * 3 + 3)::int ELSE floor(u_rating * 2 + 1)::int END,
           CASE WHEN happy THEN
                  CASE WHEN u_text1 < 0.3 THEN 'Great support!'
                       WHEN u_text2 < 0.6 THEN 'Very helpful and quick response.'
                       ELSE 'Issue resolved satisfactorily.' END
                WHEN u_text1 < 0.5 THEN 'Took too long to resolve.'
                ELSE 'Not satisfied with the solution.' END,
           resolved_at + interval '1 hour'
    FROM (
      SELECT t.id, t.resolved_at,
             {_u("t.id", seed, 20)} < 0.6 AS happy,
             {_u("t.id", seed, 21)} < 0.15 AS unhappy,
             {_u("t.id", seed, 22)} AS u_rating,
             {_u("t.id", seed, 23)} AS u_text1,
             {_u("t.id", seed, 24)} AS u_text2
      FROM tickets t
      WHERE t.id BETWEEN %(first)s AND %(last)s AND t.status IN ('resolved', 'closed')
    ) f
    WHERE happy OR unhappy
    ORDER BY id
    """


def _payments_sql(seed: int) -> list[str]:
    subscriptions = f"""
    INSERT INTO payments (client_id, amount_usd, payment_type, status, paid_at, created_at)
    SELECT c.id,
           CASE c.plan_type WHEN 'starter' THEN 99.00 WHEN 'professional' THEN 299.00
                            WHEN 'enterprise' THEN 999.00 END,
           'subscription',
           CASE WHEN {_u("c.id * 100 + extract(month FROM m)", seed, 30)} < 0.95 THEN 'completed'
                WHEN {_u("c.id * 100 + extract(month FROM m)", seed, 31)} < 0.98 THEN 'failed'
                ELSE 'pending' END,
           m + interval '1 day', m
    FROM clients c
    CROSS JOIN generate_series(date_trunc('month', c.created_at),
                               '2025-11-01'::timestamptz, interval '1 month') AS m
    WHERE c.status = 'active' AND m >= c.created_at
    ORDER BY c.id, m
    """
    top_ups = f"""
    INSERT INTO payments (client_id, amount_usd, payment_type, status, paid_at, created_at)
    SELECT id, floor({_u("id", seed, 33)} * 4 + 1) * 500.00, 'top-up', 'completed',
           created_date + interval '2 hours', created_date
    FROM (
      SELECT id,
             created_at + {_u("id", seed, 34)} * ('{AS_OF}'::timestamptz - created_at)
               AS created_date
      FROM clients
      WHERE {_u("id", seed, 32)} < 0.4
    ) sub
    ORDER BY id
    """
    refunds = f"""
    INSERT INTO payments (client_id, amount_usd, payment_type, status, paid_at, created_at)
    SELECT client_id, -amount_usd, 'subscription', 'refunded', paid_at,
           paid_at + interval '5 days'
    FROM payments
    WHERE {_u("id", seed, 35)} < 0.02 AND status = 'completed'
    ORDER BY id
    LIMIT 10
    """
    return [subscriptions, top_ups, refunds]


def check_arguments(tickets: int, random_seed: int) -> None:
    if tickets < 1:
        raise GenerateError(f"--tickets must be at least 1, got {tickets}")
    if not 0 <= random_seed <= MAX_RANDOM_SEED:
        raise GenerateError(f"--random-seed must be between 0 and {MAX_RANDOM_SEED}")


def _dimension_inserts() -> list[str]:
    """The seed's literal INSERTs of clients, team members and ticket types."""
    seed = reference_sql("seed.sql")
    found = re.findall(
        r"^INSERT INTO (?:clients|team_members|ticket_types) \(.*?\);$",
        seed,
        flags=re.MULTILINE | re.DOTALL,
    )
    if len(found) != len(DIMENSIONS):
        raise GenerateError("database/seed.sql no longer has the expected literal INSERTs")
    return found


Conn = psycopg.Connection[tuple[int]]


def _scalar(conn: Conn, query: str) -> int:
    row = conn.execute(query.encode()).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _prepare_dimensions(conn: Conn) -> None:
    """Insert the reference dimensions into empty tables, or check the present ones are them."""
    counts = {table: _scalar(conn, f"SELECT count(*) FROM {table}") for table in DIMENSIONS}
    if not any(counts.values()):
        for table in DIMENSIONS:
            conn.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), 1, false)").format(
                    sql.Literal(table)
                )
            )
        for statement in _dimension_inserts():
            conn.execute(statement.encode())
        return
    for table, expected in DIMENSIONS.items():
        ids = _scalar(conn, f"SELECT count(*) FROM {table} WHERE id BETWEEN 1 AND {expected}")
        if ids != expected or counts[table] != expected:
            raise GenerateError(
                f"{table} holds {counts[table]} rows, not the reference {expected}: the generator "
                "only adds tickets to the reference clients, team members and ticket types"
            )


@dataclass(frozen=True)
class _SetAside:
    """DDL to restore after the bulk load: indexes and foreign keys of the bulk tables."""

    restore: list[str]


def _set_aside_indexes_and_keys(conn: Conn) -> _SetAside:
    """Drop non-constraint indexes and foreign keys touching the bulk tables (re-created, and
    so checked, once at the end: far cheaper than maintaining them row by row)."""
    tables = list(BULK_TABLES)
    restore: list[str] = []
    foreign_keys = conn.cursor(row_factory=tuple_row).execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%(t)s)
        ORDER BY 1, 2
        """,
        {"t": tables},
    )
    keys = [(str(r[0]), str(r[1]), str(r[2])) for r in foreign_keys.fetchall()]
    indexes = conn.cursor(row_factory=tuple_row).execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%(t)s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """,
        {"t": tables},
    )
    index_rows = [(str(r[0]), str(r[1])) for r in indexes.fetchall()]
    for table, name, definition in keys:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
        restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in index_rows:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        restore.insert(0, definition)
    return _SetAside(restore)


def _reset_sequences(conn: Conn) -> None:
    for table in BULK_TABLES:
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                "coalesce((SELECT max(id) FROM {i}), 0) + 1, false)"
            ).format(t=sql.Literal(table), i=sql.Identifier(table))
        )


def _batches(tickets: int, batch_size: int) -> list[tuple[MonthSlice, int, int]]:
    out: list[tuple[MonthSlice, int, int]] = []
    for piece in month_slices(tickets):
        first = piece.first_id
        while first <= piece.last_id:
            last = min(first + batch_size - 1, piece.last_id)
            out.append((piece, first, last))
            first = last + 1
    return out


def _after_bulk_load(conn: Conn) -> None:
    """Work that depends on the freshly generated rows, inside the load's transaction (the
    rollups are the caller's: see `maintenance.after_bulk_load`)."""
    events.backfill(conn)


def generate(
    libpq_url: str,
    *,
    tickets: int,
    random_seed: int = DEFAULT_RANDOM_SEED,
    replace: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    zone: str | None = None,
) -> TableCounts:
    """Fill a migrated database with `tickets` generated tickets and everything around them.

    Refuses a database holding data unless `replace`, which empties tickets, messages,
    feedback and payments (CASCADE) but keeps the reference clients, team members and
    ticket types, and so the user accounts linked to them. Reply delays are slower outside
    office hours in `zone` (default: the reporting timezone)."""
    check_arguments(tickets, random_seed)
    zone = zone or get_settings().reporting_timezone
    report = progress or (lambda _step, _done, _total: None)
    with psycopg.connect(libpq_url) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        # Generation is one big write: don't let a short default statement timeout kill it.
        conn.execute("SET statement_timeout = 0")
        existing = table_counts(conn)
        if existing.total() and not replace:
            raise DatabaseNotEmpty(
                f"the database already holds data ({existing.counts['tickets']:,} tickets); "
                "pass --replace to wipe tickets, messages, feedback and payments and generate"
            )
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in BULK_TABLES)
            )
        )
        _prepare_dimensions(conn)
        set_aside = _set_aside_indexes_and_keys(conn)
        set_user_triggers(conn, BULK_TABLES, enabled=False)
        clients = _scalar(conn, "SELECT count(*) FROM clients")
        members = _scalar(conn, "SELECT count(*) FROM team_members")
        types = _scalar(conn, "SELECT count(*) FROM ticket_types")
        tickets_sql = _tickets_sql(random_seed).encode()
        feedback_sql = _feedback_sql(random_seed).encode()
        messages_sql = _messages_sql(random_seed).encode()
        done = 0
        report("tickets", 0, tickets)
        for piece, first, last in _batches(tickets, batch_size):
            params = {
                "first": first,
                "last": last,
                "month_start": f"2025-{piece.month:02d}-01 00:00:00+00",
                "clients": min(piece.month * 5, clients),
                "members": members,
                "types": types,
            }
            conn.execute(tickets_sql, params)
            conn.execute(messages_sql, {"first": first, "last": last, "zone": zone})
            conn.execute(feedback_sql, {"first": first, "last": last})
            done += last - first + 1
            report("tickets", done, tickets)
        for statement in _payments_sql(random_seed):
            conn.execute(statement.encode())
        report("indexes", 0, len(set_aside.restore))
        for number, statement in enumerate(set_aside.restore, start=1):
            conn.execute(statement.encode())
            report("indexes", number, len(set_aside.restore))
        for statement in _reopens_sql(random_seed):
            conn.execute(statement.encode())
        set_user_triggers(conn, BULK_TABLES, enabled=True)
        _reset_sequences(conn)
        report("activity", 0, 1)
        _after_bulk_load(conn)
        for statement in _reopen_events_sql():
            conn.execute(statement.encode())
        report("activity", 1, 1)
        conn.commit()
        report("analyze", 0, 1)
        conn.autocommit = True
        conn.execute(
            sql.SQL("VACUUM (ANALYZE) {}").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in BULK_TABLES)
            )
        )
        report("analyze", 1, 1)
        return table_counts(conn)
