"""Every table the application reads or writes outside the ORM, on the one MetaData of
`db/base.py` (the ORM models of the reference tables in `db/models.py` are on it too): the
identity tables, live updates, ticket events and response facts, form submissions, the
analytics rollups, SLA calendars, policies and clocks, the mail queue, saved views,
preferences, digests and alerts. Declared as the migrations leave them (columns, types,
nullability, defaults); tests/db/test_metadata.py compares them with a migrated database, so
they cannot drift. The migrations stay the source of constraints, indexes, triggers and
policies (see docs/schema/)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Identity,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, INTERVAL, TIME

from support_analytics.db import models
from support_analytics.db.base import Base

metadata = Base.metadata
assert models.Ticket.__table__ is metadata.tables["tickets"]  # the reference tables, one MetaData

# Identity: users, their sessions, invite/reset tokens, sign-in attempts (migration 0003a).

users = Table(
    "users",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("email", Text, nullable=False),
    Column("display_name", Text, server_default=text("''::text"), nullable=False),
    Column("password_hash", Text),
    Column("kind", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("team_member_id", Integer),
    Column("client_id", Integer),
    Column("status", Text, server_default=text("'invited'::text"), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
    Column("last_login_at", DateTime(timezone=True)),
    Column("password_changed_at", DateTime(timezone=True)),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("token_hash", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
    Column("user_agent", Text),
    Column("ip_address", Text),
    Column("revoked_at", DateTime(timezone=True)),
    Column("idle_ttl", INTERVAL, server_default=text("'7 days'::interval"), nullable=False),
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("token_hash", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("created_by", Integer),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("email", Text, nullable=False),
    Column("ip_address", Text, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Column("attempted_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

# Live updates: the channel name every listener LISTENs on (0006).
live_channel = Table(
    "live_channel",
    metadata,
    Column("id", Boolean, primary_key=True, server_default=text("true")),
    Column("name", Text, nullable=False),
)

# Tickets: the new-ticket form's idempotency tokens (0005a), the event log and its load flag,
# per-ticket response facts (0007).
ticket_submissions = Table(
    "ticket_submissions",
    metadata,
    Column("client_id", Integer, primary_key=True),
    Column("token", String(100), primary_key=True),
    Column("ticket_id", Integer),
    Column("created_at", DateTime(timezone=True), server_default=text("now()")),
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("ticket_id", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("actor_user_id", Integer),
    Column("actor_kind", Text),
    Column("actor_team_member_id", Integer),
    Column("actor_name", Text),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

ticket_events_state = Table(
    "ticket_events_state",
    metadata,
    Column("id", Boolean, primary_key=True, server_default=text("true")),
    Column("loading", Boolean, server_default=text("true"), nullable=False),
)

# Live events, numbered in commit order (`seq`) for Last-Event-ID replay (migration 0016).
live_events = Table(
    "live_events",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("seq", BigInteger, unique=True),
    Column("kind", Text, nullable=False),
    Column("op", Text, nullable=False, server_default=text("''")),
    Column("row_id", BigInteger),
    Column("ticket_id", Integer),
    Column("client_id", Integer),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

ticket_response_facts = Table(
    "ticket_response_facts",
    metadata,
    Column("ticket_id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True)),
    Column("client_id", Integer),
    Column("assigned_to", Integer),
    Column("ticket_type_id", Integer),
    Column("priority", String(20)),
    Column("status", String(50)),
    Column("first_reply_at", DateTime(timezone=True)),
    Column("frt_hours", Double),
    Column("replies", Integer, nullable=False),
    Column("client_messages", Integer, nullable=False),
    Column("last_message_at", DateTime(timezone=True)),
    Column("last_from_client", Boolean),
    Column("reopens", Integer, nullable=False),
    Column("frt_bin", Integer),
)


def _slice() -> tuple[
    Column[int], Column[str], Column[date], Column[int], Column[int], Column[str]
]:
    """The key of a histogram or response rollup row: which grouping (`gmask`), grain,
    bucket and dimensions it sums (a Column belongs to one table, so each call makes new)."""
    return (
        Column("gmask", SmallInteger, nullable=False),
        Column("grain", Text, nullable=False),
        Column("bucket", Date),
        Column("assigned_to", Integer),
        Column("ticket_type_id", Integer),
        Column("priority", String(20)),
    )


# Analytics rollups (0004a, 0004b) and whether they are fresh for a reporting zone.
analytics_cube = Table(
    "analytics_cube",
    metadata,
    Column("basis", Text, nullable=False),
    Column("gmask", SmallInteger, nullable=False),
    Column("grain", Text, nullable=False),
    Column("bucket", Date),
    Column("client_id", Integer),
    Column("assigned_to", Integer),
    Column("ticket_type_id", Integer),
    Column("priority", String(20)),
    Column("n", BigInteger, nullable=False),
    Column("n_open", BigInteger, nullable=False),
    Column("n_closed", BigInteger, nullable=False),
    Column("n_resolved", BigInteger, nullable=False),
    Column("res_hours", Double, nullable=False),
    Column("n_rating", BigInteger, nullable=False),
    Column("rating_sum", BigInteger, nullable=False),
    Column("n_sat", BigInteger, nullable=False),
    Column("n_late_done", BigInteger, nullable=False),
    Column("n_open_typed", BigInteger, nullable=False),
)

analytics_resolution = Table(
    "analytics_resolution",
    metadata,
    Column("ticket_id", Integer, primary_key=True),
    Column("priority", String(20)),
    Column("cday", Date),
    Column("assigned_to", Integer),
    Column("ticket_type_id", Integer, nullable=False),
    Column("hours", Double, nullable=False),
    Column("bin", Integer),
)

analytics_hours_hist = Table(
    "analytics_hours_hist",
    metadata,
    *_slice(),
    Column("bin", Integer, nullable=False),
    Column("n", BigInteger, nullable=False),
)

analytics_rollup_state = Table(
    "analytics_rollup_state",
    metadata,
    Column("id", Boolean, primary_key=True, server_default=text("true")),
    Column("timezone", Text, server_default=text("'UTC'::text"), nullable=False),
    Column("fresh", Boolean, server_default=text("false"), nullable=False),
    Column("built_at", DateTime(timezone=True)),
)

# Responsiveness rollups (0008): first-response counts per slice and the FRT histogram.
analytics_response_cube = Table(
    "analytics_response_cube",
    metadata,
    *_slice(),
    Column("n_frt", BigInteger, nullable=False),
    Column("frt_sum", Double, nullable=False),
    Column("n_awaiting", BigInteger, nullable=False),
    Column("n_done", BigInteger, nullable=False),
    Column("n_one_touch", BigInteger, nullable=False),
    # Set on the rows grouped by client (gmask 4, migration 0026), NULL on the others.
    Column("client_id", Integer),
)

analytics_frt_hist = Table(
    "analytics_frt_hist",
    metadata,
    *_slice(),
    Column("bin", Integer, nullable=False),
    Column("n", BigInteger, nullable=False),
    # Set on the rows grouped by client (gmask 4, migration 0026), NULL on the others.
    Column("client_id", Integer),
)

# The FRT histogram with the priority summed away (0022; `priority` always NULL), kept by
# triggers on the histogram: the team table's bins when no priority is filtered.
analytics_frt_hist_any_priority = Table(
    "analytics_frt_hist_any_priority",
    metadata,
    *_slice(),
    Column("bin", Integer, nullable=False),
    Column("n", BigInteger, nullable=False),
)

# The FRT histogram in wide bins (0030; `bin` = the histogram's bin // 16, `fine[i + 1]` the
# count of its bin 16 * bin + i), and those with the priority summed away: a percentile read
# sums the wide bins first, then takes the fine counts of the few it needs.
analytics_frt_wide = Table(
    "analytics_frt_wide",
    metadata,
    *_slice(),
    Column("bin", Integer, nullable=False),
    Column("n", BigInteger, nullable=False),
    Column("fine", ARRAY(Integer), nullable=False),
    Column("client_id", Integer),
)
analytics_frt_wide_any_priority = Table(
    "analytics_frt_wide_any_priority",
    metadata,
    *_slice(),
    Column("bin", Integer, nullable=False),
    Column("n", BigInteger, nullable=False),
    Column("fine", ARRAY(Integer), nullable=False),
)

# Each slice's wide-bin counts folded into one row (0032; `wide[b + 1]` the count of wide bin
# `b`), and those with the priority summed away: a percentile read sums these first.
analytics_frt_counts = Table(
    "analytics_frt_counts",
    metadata,
    *_slice(),
    Column("wide", ARRAY(Integer), nullable=False),
    Column("client_id", Integer),
)
analytics_frt_counts_any_priority = Table(
    "analytics_frt_counts_any_priority",
    metadata,
    *_slice(),
    Column("wide", ARRAY(Integer), nullable=False),
)

analytics_response_state = Table(
    "analytics_response_state",
    metadata,
    Column("id", Boolean, primary_key=True, server_default=text("true")),
    Column("timezone", Text, nullable=False),
)

# SLA counts per slice and target (0019): met, late, running with a due time.
analytics_sla_cube = Table(
    "analytics_sla_cube",
    metadata,
    *_slice(),
    Column("target", Text, nullable=False),
    Column("n", BigInteger, nullable=False),
    Column("n_met", BigInteger, nullable=False),
    Column("n_late", BigInteger, nullable=False),
    Column("n_running_due", BigInteger, nullable=False),
    # Set on the rows grouped by client (gmask 4, migration 0023), NULL on the others.
    Column("client_id", Integer),
)

# SLAs (0009): business calendars and their hours, holidays and cumulative business seconds;
# policies; each ticket's clock per target; calendars waiting for a rebuild at commit.
business_calendars = Table(
    "business_calendars",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("name", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

business_hours = Table(
    "business_hours",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("calendar_id", Integer, nullable=False),
    Column("weekday", SmallInteger, nullable=False),
    Column("start_time", TIME(precision=0), nullable=False),
    Column("end_time", TIME(precision=0), nullable=False),
)

business_holidays = Table(
    "business_holidays",
    metadata,
    Column("calendar_id", Integer, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("name", Text, server_default=text("''::text"), nullable=False),
)

business_seconds_cum = Table(
    "business_seconds_cum",
    metadata,
    Column("calendar_id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), primary_key=True),
    Column("cum", BigInteger, nullable=False),
    Column("opens", Boolean, nullable=False),
)

sla_policies = Table(
    "sla_policies",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("priority", String(20)),
    Column("ticket_type_id", Integer),
    Column("plan", String(50)),
    Column("first_response_hours", Numeric(10, 4)),
    Column("first_response_basis", Text, server_default=text("'calendar'::text"), nullable=False),
    Column("resolution_hours", Numeric(10, 4)),
    Column("resolution_basis", Text, server_default=text("'calendar'::text"), nullable=False),
    Column("calendar_id", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

ticket_sla = Table(
    "ticket_sla",
    metadata,
    Column("ticket_id", Integer, primary_key=True),
    Column("target", Text, primary_key=True),
    Column("created_at", DateTime(timezone=True)),
    Column("client_id", Integer),
    Column("assigned_to", Integer),
    Column("ticket_type_id", Integer),
    Column("priority", String(20)),
    Column("status", String(50)),
    Column("plan", String(50)),
    Column("policy_id", Integer),
    Column("target_hours", Numeric(10, 4)),
    Column("basis", Text),
    Column("due_at", DateTime(timezone=True)),
    Column("done_at", DateTime(timezone=True)),
    Column("running", Boolean, nullable=False),
)

sla_dirty = Table(
    "sla_dirty",
    metadata,
    Column("calendar_id", Integer, primary_key=True, autoincrement=False),
)

# Recomputing every ticket's SLA after a policy or calendar edit, in batches (0014).
sla_recompute = Table(
    "sla_recompute",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column(
        "requested_at",
        DateTime(timezone=True),
        server_default=text("clock_timestamp()"),
        nullable=False,
    ),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", Text, server_default=text("'queued'::text"), nullable=False),
    Column("last_ticket_id", Integer, server_default=text("0"), nullable=False),
    Column("done", BigInteger, server_default=text("0"), nullable=False),
    Column("total", BigInteger),
)

# The mail queue (its rows are what a `mail.send` job names) and saved dashboard views (0010).
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

saved_views = Table(
    "saved_views",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("owner_id", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("query", Text, server_default=text("''::text"), nullable=False),
    Column("shared", Boolean, server_default=text("false"), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

saved_view_defaults = Table(
    "saved_view_defaults",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("view_id", Integer, nullable=False),
)

# Preferences, digests and client notifications (0013).
user_preferences = Table(
    "user_preferences",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("timezone", Text),
    Column("notify_ticket_replies", Boolean, server_default=text("true"), nullable=False),
    Column("notify_ticket_resolved", Boolean, server_default=text("true"), nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

digest_subscriptions = Table(
    "digest_subscriptions",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("frequency", Text, nullable=False),
    Column("local_hour", SmallInteger, server_default=text("8"), nullable=False),
    Column("weekday", SmallInteger, server_default=text("1"), nullable=False),
    Column("query", Text, server_default=text("''::text"), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

digest_sends = Table(
    "digest_sends",
    metadata,
    Column("subscription_id", Integer, primary_key=True),
    Column("period_start", Date, primary_key=True),
    Column("sent_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
    Column("mail_id", BigInteger),
)

client_notification_sends = Table(
    "client_notification_sends",
    metadata,
    Column("event_id", BigInteger, primary_key=True),
    Column("user_id", Integer, primary_key=True),
    Column("sent_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("purpose", Text, primary_key=True),
    Column("key", LargeBinary, nullable=False),
)

# Alerts (0012): rules, their state and log, deliveries, webhook endpoints, subscriptions
# (their HMAC key is the `alert-webhook` row of signing_keys since 0024).
alert_webhooks = Table(
    "alert_webhooks",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("salt", LargeBinary, nullable=False),
    Column("created_by", Integer),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("owner_id", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("metric", Text, nullable=False),
    Column("filters", Text, server_default=text("''::text"), nullable=False),
    Column("comparator", Text, nullable=False),
    Column("threshold", Double, nullable=False),
    Column("window_days", Integer),
    Column("sla_target", Text),
    Column("cooldown_minutes", Integer, server_default=text("60"), nullable=False),
    Column("webhook_id", Integer),
    Column("muted_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

alert_state = Table(
    "alert_state",
    metadata,
    Column("rule_id", Integer, primary_key=True),
    Column("firing", Boolean, server_default=text("false"), nullable=False),
    Column("value", Double),
    Column("evaluated_at", DateTime(timezone=True)),
    Column("last_fired_at", DateTime(timezone=True)),
)

alert_firings = Table(
    "alert_firings",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("rule_id", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("value", Double),
    Column("threshold", Double, nullable=False),
    Column("comparator", Text, nullable=False),
    Column("suppressed", Text),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("firing_id", BigInteger, nullable=False),
    Column("channel", Text, nullable=False),
    Column("webhook_id", Integer),
    Column("user_id", Integer),
    Column("status", Text, server_default=text("'pending'::text"), nullable=False),
    Column("attempts", Integer, server_default=text("0"), nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

alert_subscriptions = Table(
    "alert_subscriptions",
    metadata,
    Column("rule_id", Integer, primary_key=True),
    Column("user_id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), server_default=text("now()"), nullable=False),
)
