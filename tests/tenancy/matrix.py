"""The adversarial matrix: ONE table of expectations, every data and user table x every
persona x select/insert/update/delete (plus hostile variants), run in SQL inside the real
request transaction (`tenancy.scope.request_transaction`) and always rolled back.

Personas are the six of the issue plus two forged ones: a client's token under the internal
request role and an agent's token under the client role, which is what code inside a request
could reach with `SET ROLE` (the owner connection may switch to any role). They must see and
do nothing.

Outcomes: `all` = every row the owner sees; `own` = exactly the rows OWN_ROWS selects for
that persona; `-` = refused (permission/policy error) or no rows seen/affected; `ok` = the
write went through (at least one row).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

import psycopg.errors
from sqlalchemy import CursorResult, text
from sqlalchemy.exc import DBAPIError

from support_analytics.db.engine import Database
from support_analytics.tenancy.roles import RequestRole
from support_analytics.tenancy.scope import owner_transaction, request_transaction

MatrixPersona = Literal[
    "anonymous",
    "client_a",
    "client_b",
    "agent",
    "manager",
    "admin",
    "client_a_as_internal",
    "agent_as_client",
]
COLUMNS: tuple[MatrixPersona, ...] = (
    "anonymous",
    "client_a",
    "client_b",
    "agent",
    "manager",
    "admin",
    "client_a_as_internal",
    "agent_as_client",
)
FORGED_ROLE: dict[MatrixPersona, RequestRole] = {
    "client_a_as_internal": RequestRole.INTERNAL,
    "agent_as_client": RequestRole.CLIENT,
}
BASE_PERSONA: dict[MatrixPersona, MatrixPersona] = {
    "client_a_as_internal": "client_a",
    "agent_as_client": "agent",
}

# fmt: off
EXPECTATIONS = """
table            op                  anon client_a client_b agent manager admin a_as_int ag_as_cl
clients          select              -    own      own      all   all     all   -        -
clients          insert              -    -        -        -     -       -     -        -
clients          update              -    -        -        -     -       -     -        -
clients          delete              -    -        -        -     -       -     -        -
team_members     select              -    all      all      all   all     all   -        -
team_members     select_email        -    -        -        all   all     all   -        -
team_members     insert              -    -        -        -     -       -     -        -
team_members     update              -    -        -        -     -       -     -        -
team_members     delete              -    -        -        -     -       -     -        -
ticket_types     select              -    all      all      all   all     all   -        -
ticket_types     insert              -    -        -        -     -       -     -        -
ticket_types     update              -    -        -        -     -       -     -        -
ticket_types     delete              -    -        -        -     -       -     -        -
tickets          select              -    own      own      all   all     all   -        -
tickets          insert              -    ok       ok       -     -       -     -        -
tickets          insert_other_tenant -    -        -        -     -       -     -        -
tickets          insert_preset       -    -        -        -     -       -     -        -
tickets          update              -    -        -        ok    ok      ok    -        -
tickets          delete              -    -        -        -     -       -     -        -
ticket_messages  select              -    own      own      all   all     all   -        -
ticket_messages  insert              -    ok       ok       ok    ok      ok    -        -
ticket_messages  insert_other_tenant -    -        -        ok    ok      ok    -        -
ticket_messages  insert_impersonate  -    -        -        -     -       -     -        -
ticket_messages  update              -    -        -        -     -       -     -        -
ticket_messages  delete              -    -        -        -     -       -     -        -
ticket_feedback  select              -    own      own      all   all     all   -        -
ticket_feedback  insert              -    ok       ok       -     -       -     -        -
ticket_feedback  insert_other_tenant -    -        -        -     -       -     -        -
ticket_feedback  insert_unresolved   -    -        -        -     -       -     -        -
ticket_feedback  update              -    -        -        -     -       -     -        -
ticket_feedback  delete              -    -        -        -     -       -     -        -
payments         select              -    own      own      all   all     all   -        -
payments         insert              -    -        -        -     -       -     -        -
payments         update              -    -        -        -     -       -     -        -
payments         delete              -    -        -        -     -       -     -        -
users            select              -    own      own      own   own     all   -        -
users            select_secret       -    -        -        -     -       -     -        -
users            insert              -    -        -        -     -       ok    -        -
users            update              -    -        -        -     -       ok    -        -
users            update_self         -    -        -        -     -       ok    -        -
users            delete              -    -        -        -     -       -     -        -
sessions         select              -    own      own      own   own     all   -        -
sessions         select_secret       -    -        -        -     -       -     -        -
sessions         insert              -    -        -        -     -       -     -        -
sessions         update              -    -        -        -     -       ok    -        -
sessions         update_self         -    ok       ok       ok    ok      ok    -        -
sessions         delete              -    -        -        -     -       -     -        -
auth_tokens      select              -    -        -        -     -       all   -        -
auth_tokens      select_secret       -    -        -        -     -       -     -        -
auth_tokens      insert              -    -        -        -     -       ok    -        -
auth_tokens      insert_forged       -    -        -        -     -       -     -        -
auth_tokens      update              -    -        -        -     -       -     -        -
auth_tokens      delete              -    -        -        -     -       -     -        -
login_attempts   select              -    -        -        -     -       -     -        -
login_attempts   insert              -    -        -        -     -       -     -        -
login_attempts   update              -    -        -        -     -       -     -        -
login_attempts   delete              -    -        -        -     -       -     -        -
ticket_submissions select            -    own      own      -     -       -     -        -
ticket_submissions insert            -    ok       ok       -     -       -     -        -
ticket_submissions insert_other_tenant -  -        -        -     -       -     -        -
ticket_submissions update            -    ok       ok       -     -       -     -        -
ticket_submissions update_other_ticket -  -        -        -     -       -     -        -
ticket_submissions update_missing_ticket - -       -        -     -       -     -        -
ticket_submissions delete            -    -        -        -     -       -     -        -
analytics_cube   select              -    -        -        all   all     all   -        -
analytics_cube   delete              -    -        -        -     -       -     -        -
analytics_resolution select          -    -        -        all   all     all   -        -
analytics_resolution update          -    -        -        -     -       -     -        -
analytics_hours_hist select          -    -        -        all   all     all   -        -
analytics_hours_hist delete          -    -        -        -     -       -     -        -
analytics_response_cube select       -    -        -        all   all     all   -        -
analytics_response_cube delete       -    -        -        -     -       -     -        -
analytics_frt_hist select            -    -        -        all   all     all   -        -
analytics_frt_hist delete            -    -        -        -     -       -     -        -
analytics_frt_hist_any_priority select -  -        -        all   all     all   -        -
analytics_frt_hist_any_priority delete -  -        -        -     -       -     -        -
analytics_frt_wide select            -    -        -        all   all     all   -        -
analytics_frt_wide delete            -    -        -        -     -       -     -        -
analytics_frt_wide_any_priority select -  -        -        all   all     all   -        -
analytics_frt_wide_any_priority delete -  -        -        -     -       -     -        -
analytics_frt_counts select          -    -        -        all   all     all   -        -
analytics_frt_counts delete          -    -        -        -     -       -     -        -
analytics_frt_counts_any_priority select - -       -        all   all     all   -        -
analytics_frt_counts_any_priority delete - -       -        -     -       -     -        -
analytics_sla_cube select           -    -        -        all   all     all   -        -
analytics_sla_cube delete           -    -        -        -     -       -     -        -
analytics_response_state select      -    -        -        all   all     all   -        -
analytics_response_state update      -    -        -        -     -       -     -        -
analytics_rollup_state select        -    -        -        all   all     all   -        -
analytics_rollup_state update        -    -        -        -     -       -     -        -
saved_views      select              -    -        -        own   own     own   -        -
saved_views      insert              -    -        -        ok    ok      ok    -        -
saved_views      insert_for_other    -    -        -        -     -       -     -        -
saved_views      update              -    -        -        -     -       -     -        -
saved_views      update_self         -    -        -        ok    ok      ok    -        -
saved_views      delete              -    -        -        -     -       -     -        -
saved_views      delete_self         -    -        -        ok    ok      ok    -        -
saved_view_defaults select           -    -        -        own   own     own   -        -
saved_view_defaults update           -    -        -        -     -       -     -        -
saved_view_defaults update_self      -    -        -        ok    ok      ok    -        -
saved_view_defaults update_to_shared -    -        -        ok    ok      ok    -        -
saved_view_defaults update_to_private -   -        -        -     -       -     -        -
saved_view_defaults delete           -    -        -        -     -       -     -        -
procrastinate_jobs select            -    -        -        -     -       -     -        -
procrastinate_jobs update            -    -        -        -     -       -     -        -
procrastinate_jobs delete            -    -        -        -     -       -     -        -
procrastinate_jobs insert_by_function -   -        -        -     -       -     -        -
procrastinate_workers select         -    -        -        -     -       -     -        -
procrastinate_periodic_defers select -    -        -        -     -       -     -        -
procrastinate_events select          -    -        -        -     -       -     -        -
mail_outbox      select              -    -        -        -     -       -     -        -
mail_outbox      insert              -    -        -        -     -       -     -        -
user_preferences select              -    own      own      own   own     own   own      own
user_preferences update              -    -        -        -     -       -     -        -
user_preferences update_self         -    ok       ok       ok    ok      ok    ok       ok
user_preferences delete              -    -        -        -     -       -     -        -
digest_subscriptions select          -    own      own      own   own     own   own      own
digest_subscriptions insert          -    ok       ok       ok    ok      ok    ok       ok
digest_subscriptions insert_for_other -   -        -        -     -       -     -        -
digest_subscriptions update          -    -        -        -     -       -     -        -
digest_subscriptions update_self     -    ok       ok       ok    ok      ok    ok       ok
digest_subscriptions delete          -    -        -        -     -       -     -        -
digest_subscriptions delete_self     -    ok       ok       ok    ok      ok    ok       ok
digest_sends     select              -    -        -        -     -       -     -        -
digest_sends     insert              -    -        -        -     -       -     -        -
client_notification_sends select     -    -        -        -     -       -     -        -
client_notification_sends insert     -    -        -        -     -       -     -        -
signing_keys     select              -    -        -        -     -       -     -        -
signing_keys     update              -    -        -        -     -       -     -        -
ticket_events    select              -    own      own      all   all     all   -        -
ticket_events    insert              -    -        -        -     -       -     -        -
ticket_events    update              -    -        -        -     -       -     -        -
ticket_events    delete              -    -        -        -     -       -     -        -
ticket_response_facts select       -    own      own      all   all     all   -        -
ticket_response_facts update       -    -        -        -     -       -     -        -
ticket_events_state select         -    -        -        -     -       -     -        -
ticket_events_state update         -    -        -        -     -       -     -        -
live_channel     select              -    -        -        -     -       -     -        -
live_channel     update              -    -        -        -     -       -     -        -
live_events      select              -    own      own      all   all     all   -        -
live_events      insert              -    -        -        -     -       -     -        -
live_events      update              -    -        -        -     -       -     -        -
live_events      delete              -    -        -        -     -       -     -        -
business_calendars select            -    -        -        all   all     all   -        -
business_calendars insert            -    -        -        -     -       ok    -        -
business_calendars update            -    -        -        -     -       ok    -        -
business_calendars delete            -    -        -        -     -       -     -        -
business_hours   select              -    -        -        all   all     all   -        -
business_hours   insert              -    -        -        -     -       ok    -        -
business_hours   update              -    -        -        -     -       ok    -        -
business_hours   delete              -    -        -        -     -       ok    -        -
business_holidays select             -    -        -        all   all     all   -        -
business_holidays insert             -    -        -        -     -       ok    -        -
business_holidays delete             -    -        -        -     -       ok    -        -
business_seconds_cum select          -    -        -        all   all     all   -        -
business_seconds_cum delete          -    -        -        -     -       -     -        -
sla_policies     select              -    -        -        all   all     all   -        -
sla_policies     insert              -    -        -        -     -       ok    -        -
sla_policies     update              -    -        -        -     -       ok    -        -
sla_policies     delete              -    -        -        -     -       ok    -        -
ticket_sla       select              -    own      own      all   all     all   -        -
ticket_sla       update              -    -        -        -     -       -     -        -
sla_dirty        select              -    -        -        -     -       -     -        -
sla_dirty        insert              -    -        -        -     -       -     -        -
sla_recompute    select              -    -        -        all   all     all   -        -
sla_recompute    update              -    -        -        -     -       -     -        -
alert_rules      select              -    -        -        all   all     all   -        -
alert_rules      insert              -    -        -        -     ok      ok    -        -
alert_rules      insert_for_other    -    -        -        -     -       -     -        -
alert_rules      update              -    -        -        -     ok      ok    -        -
alert_rules      delete              -    -        -        -     ok      ok    -        -
alert_webhooks   select              -    -        -        all   all     all   -        -
alert_webhooks   select_secret       -    -        -        -     -       -     -        -
alert_webhooks   insert              -    -        -        -     -       ok    -        -
alert_webhooks   insert_for_other    -    -        -        -     -       -     -        -
alert_webhooks   delete              -    -        -        -     -       ok    -        -
alert_state      select              -    -        -        all   all     all   -        -
alert_state      update              -    -        -        -     -       -     -        -
alert_firings    select              -    -        -        all   all     all   -        -
alert_firings    insert              -    -        -        -     -       -     -        -
alert_deliveries select              -    -        -        all   all     all   -        -
alert_deliveries update              -    -        -        -     -       -     -        -
alert_subscriptions select           -    -        -        all   all     all   -        -
alert_subscriptions insert           -    -        -        ok    ok      ok    -        -
alert_subscriptions insert_for_other -    -        -        -     -       -     -        -
alert_subscriptions delete           -    -        -        -     -       -     -        -
alert_subscriptions delete_self      -    -        -        ok    ok      ok    -        -
"""
# fmt: on

# The id a select returns per row, for tables without an `id` column.
ROW_KEY: dict[str, str] = {
    "saved_view_defaults": "user_id",
    "user_preferences": "user_id",
    "digest_sends": "subscription_id",
    "client_notification_sends": "event_id::int",
    "signing_keys": "hashtext(purpose)",
    "ticket_submissions": "hashtext(client_id || ':' || token)",
    "analytics_cube": "hashtext(analytics_cube::text)",
    "analytics_resolution": "ticket_id",
    "analytics_hours_hist": "hashtext(analytics_hours_hist::text)",
    "analytics_response_cube": "hashtext(analytics_response_cube::text)",
    "analytics_frt_hist": "hashtext(analytics_frt_hist::text)",
    "analytics_frt_hist_any_priority": "hashtext(analytics_frt_hist_any_priority::text)",
    "analytics_frt_wide": "hashtext(analytics_frt_wide::text)",
    "analytics_frt_wide_any_priority": "hashtext(analytics_frt_wide_any_priority::text)",
    "analytics_frt_counts": "hashtext(analytics_frt_counts::text)",
    "analytics_frt_counts_any_priority": "hashtext(analytics_frt_counts_any_priority::text)",
    "analytics_sla_cube": "hashtext(analytics_sla_cube::text)",
    "analytics_response_state": "id::int",
    "analytics_rollup_state": "id::int",
    "ticket_response_facts": "ticket_id",
    "ticket_events_state": "id::int",
    "live_channel": "hashtext(name)",
    "business_holidays": "hashtext(calendar_id || ':' || day)",
    "business_seconds_cum": "hashtext(calendar_id || ':' || at)",
    "ticket_sla": "ticket_id * 2 + (target = 'resolution')::int",
    "sla_dirty": "calendar_id",
    "alert_state": "rule_id",
    "alert_subscriptions": "hashtext(rule_id || ':' || user_id)",
}


def select_ids(table: str) -> str:
    return f"SELECT {ROW_KEY.get(table, 'id')} FROM {table}"


_HASH = "sha256(random()::text::bytea)"
# SQL per (table, op). Selects return ids; writes are judged by the rows they touch.
SQL: dict[tuple[str, str], str] = {
    ("clients", "select"): "SELECT id FROM clients",
    ("clients", "insert"): "INSERT INTO clients (client_name, email) VALUES ('m', 'm@m.example')",
    ("clients", "update"): "UPDATE clients SET client_name = client_name WHERE id = :client",
    ("clients", "delete"): "DELETE FROM clients WHERE id = :client",
    ("saved_views", "select"): "SELECT id FROM saved_views",
    ("saved_views", "insert"): (
        "INSERT INTO saved_views (owner_id, name, path) VALUES (:self_user, 'new', '/dashboard')"
    ),
    ("saved_views", "insert_for_other"): (
        "INSERT INTO saved_views (owner_id, name, path) VALUES (:victim_user, 'new', '/dashboard')"
    ),
    ("saved_views", "update"): "UPDATE saved_views SET name = 'x' WHERE owner_id = :victim_user",
    ("saved_views", "update_self"): (
        "UPDATE saved_views SET shared = true WHERE owner_id = :self_user"
    ),
    ("saved_views", "delete"): "DELETE FROM saved_views WHERE owner_id = :victim_user",
    ("saved_views", "delete_self"): "DELETE FROM saved_views WHERE owner_id = :self_user",
    ("saved_view_defaults", "select"): select_ids("saved_view_defaults"),
    ("saved_view_defaults", "update"): (
        "UPDATE saved_view_defaults SET view_id = view_id WHERE user_id = :victim_user"
    ),
    ("saved_view_defaults", "update_self"): (
        "UPDATE saved_view_defaults SET view_id = view_id WHERE user_id = :self_user"
    ),
    ("saved_view_defaults", "update_to_shared"): (
        "UPDATE saved_view_defaults SET view_id = :victim_shared_view WHERE user_id = :self_user"
    ),
    # Another user's private view: the policy's check sees no such view.
    ("saved_view_defaults", "update_to_private"): (
        "UPDATE saved_view_defaults SET view_id = :victim_private_view WHERE user_id = :self_user"
    ),
    ("saved_view_defaults", "delete"): (
        "DELETE FROM saved_view_defaults WHERE user_id = :victim_user"
    ),
    ("procrastinate_jobs", "select"): "SELECT id FROM procrastinate_jobs",
    ("procrastinate_jobs", "update"): "UPDATE procrastinate_jobs SET attempts = 0",
    ("procrastinate_jobs", "delete"): "DELETE FROM procrastinate_jobs",
    ("procrastinate_jobs", "insert_by_function"): (
        "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('mail', 'mail.send', 0, NULL, NULL,"
        " '{}'::jsonb, NULL)::procrastinate_job_to_defer_v1])"
    ),
    ("procrastinate_workers", "select"): "SELECT id FROM procrastinate_workers",
    ("procrastinate_periodic_defers", "select"): "SELECT id FROM procrastinate_periodic_defers",
    ("procrastinate_events", "select"): "SELECT id FROM procrastinate_events",
    ("user_preferences", "select"): select_ids("user_preferences"),
    ("user_preferences", "update"): (
        "UPDATE user_preferences SET timezone = 'UTC' WHERE user_id = :victim_user"
    ),
    ("user_preferences", "update_self"): (
        "UPDATE user_preferences SET timezone = 'UTC' WHERE user_id = :self_user"
    ),
    ("user_preferences", "delete"): "DELETE FROM user_preferences WHERE user_id = :self_user",
    ("digest_subscriptions", "select"): select_ids("digest_subscriptions"),
    ("digest_subscriptions", "insert"): (
        "INSERT INTO digest_subscriptions (user_id, frequency) VALUES (:self_user, 'weekly')"
    ),
    ("digest_subscriptions", "insert_for_other"): (
        "INSERT INTO digest_subscriptions (user_id, frequency) VALUES (:victim_user, 'weekly')"
    ),
    ("digest_subscriptions", "update"): (
        "UPDATE digest_subscriptions SET local_hour = 3 WHERE user_id = :victim_user"
    ),
    ("digest_subscriptions", "update_self"): (
        "UPDATE digest_subscriptions SET local_hour = 3 WHERE user_id = :self_user"
    ),
    ("digest_subscriptions", "delete"): (
        "DELETE FROM digest_subscriptions WHERE user_id = :victim_user"
    ),
    ("digest_subscriptions", "delete_self"): (
        "DELETE FROM digest_subscriptions WHERE user_id = :self_user"
    ),
    ("digest_sends", "select"): select_ids("digest_sends"),
    ("digest_sends", "insert"): (
        "INSERT INTO digest_sends (subscription_id, period_start)"
        " SELECT id, DATE '2030-01-01' FROM digest_subscriptions WHERE user_id = :self_user"
    ),
    ("client_notification_sends", "select"): select_ids("client_notification_sends"),
    ("client_notification_sends", "insert"): (
        "INSERT INTO client_notification_sends (event_id, user_id) VALUES (424242, :self_user)"
    ),
    ("signing_keys", "select"): select_ids("signing_keys"),
    ("signing_keys", "update"): "UPDATE signing_keys SET key = key",
    ("mail_outbox", "select"): "SELECT id FROM mail_outbox",
    ("mail_outbox", "insert"): (
        "INSERT INTO mail_outbox (recipient, subject, body_text, body_html)"
        " VALUES ('m@m', 's', 't', 'h')"
    ),
    ("team_members", "select"): "SELECT id FROM team_members",
    ("team_members", "select_email"): "SELECT id FROM (SELECT id, email FROM team_members) s",
    ("team_members", "insert"): (
        "INSERT INTO team_members (username, email, department) VALUES ('m', 'm@m', 'support')"
    ),
    ("team_members", "update"): "UPDATE team_members SET status = status WHERE id = 1",
    ("team_members", "delete"): "DELETE FROM team_members WHERE id = 15",
    ("ticket_types", "select"): "SELECT id FROM ticket_types",
    ("ticket_types", "insert"): (
        "INSERT INTO ticket_types (type_name, department) VALUES ('m', 'support')"
    ),
    ("ticket_types", "update"): "UPDATE ticket_types SET priority = priority WHERE id = 1",
    ("ticket_types", "delete"): "DELETE FROM ticket_types WHERE id = 14",
    ("tickets", "select"): "SELECT id FROM tickets",
    ("tickets", "insert"): (
        "INSERT INTO tickets (client_id, ticket_type_id, priority, title)"
        " VALUES (:client, 1, 'low', 'matrix')"
    ),
    ("tickets", "insert_other_tenant"): (
        "INSERT INTO tickets (client_id, ticket_type_id, priority, title)"
        " VALUES (:other_client, 1, 'low', 'matrix')"
    ),
    ("tickets", "insert_preset"): (
        "INSERT INTO tickets (client_id, ticket_type_id, priority, title, status, assigned_to)"
        " VALUES (:client, 1, 'low', 'matrix', 'resolved', 1)"
    ),
    ("tickets", "update"): "UPDATE tickets SET priority = 'urgent' WHERE id = :ticket",
    ("tickets", "delete"): "DELETE FROM tickets WHERE id = :ticket",
    ("ticket_messages", "select"): "SELECT id FROM ticket_messages",
    ("ticket_messages", "insert"): (
        "INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text)"
        " VALUES (:ticket, :is_client, :team_member, 'matrix')"
    ),
    ("ticket_messages", "insert_other_tenant"): (
        "INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text)"
        " VALUES (:other_ticket, :is_client, :team_member, 'matrix')"
    ),
    ("ticket_messages", "insert_impersonate"): (
        "INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text)"
        " VALUES (:ticket, false, :someone_else, 'matrix')"
    ),
    ("ticket_messages", "update"): (
        "UPDATE ticket_messages SET message_text = 'x' WHERE ticket_id = :ticket"
    ),
    ("ticket_messages", "delete"): "DELETE FROM ticket_messages WHERE ticket_id = :ticket",
    ("ticket_feedback", "select"): "SELECT id FROM ticket_feedback",
    ("ticket_feedback", "insert"): (
        "INSERT INTO ticket_feedback (ticket_id, rating, feedback_text)"
        " VALUES (:resolved, 5, 'matrix')"
    ),
    ("ticket_feedback", "insert_other_tenant"): (
        "INSERT INTO ticket_feedback (ticket_id, rating, feedback_text)"
        " VALUES (:other_resolved, 5, 'matrix')"
    ),
    ("ticket_feedback", "insert_unresolved"): (
        "INSERT INTO ticket_feedback (ticket_id, rating, feedback_text)"
        " VALUES (:ticket, 5, 'matrix')"
    ),
    ("ticket_feedback", "update"): (
        "UPDATE ticket_feedback SET rating = 1 WHERE ticket_id IN (SELECT id FROM tickets)"
    ),
    ("ticket_feedback", "delete"): (
        "DELETE FROM ticket_feedback WHERE ticket_id IN (SELECT id FROM tickets)"
    ),
    ("payments", "select"): "SELECT id FROM payments",
    ("payments", "insert"): (
        "INSERT INTO payments (client_id, amount_usd, payment_type) VALUES (:client, 1, 'x')"
    ),
    ("payments", "update"): "UPDATE payments SET status = 'completed' WHERE client_id = :client",
    ("payments", "delete"): "DELETE FROM payments WHERE client_id = :client",
    ("users", "select"): "SELECT id FROM users",
    ("users", "select_secret"): "SELECT id FROM (SELECT id, password_hash FROM users) s",
    ("users", "insert"): (
        "INSERT INTO users (email, kind, role, team_member_id, status)"
        " VALUES ('matrix-new@tests.example', 'internal', 'admin', 7, 'invited')"
    ),
    ("users", "update"): "UPDATE users SET role = 'admin' WHERE id = :victim_user",
    ("users", "update_self"): "UPDATE users SET display_name = 'me' WHERE id = :self_user",
    ("users", "delete"): "DELETE FROM users WHERE id = :victim_user",
    ("sessions", "select"): "SELECT id FROM sessions",
    ("sessions", "select_secret"): "SELECT id FROM (SELECT id, token_hash FROM sessions) s",
    ("sessions", "insert"): (
        f"INSERT INTO sessions (user_id, token_hash, expires_at)"
        f" VALUES (:self_user, {_HASH}, now() + interval '1 day')"
    ),
    ("sessions", "update"): ("UPDATE sessions SET revoked_at = now() WHERE user_id = :victim_user"),
    ("sessions", "update_self"): (
        "UPDATE sessions SET revoked_at = now() WHERE user_id = :self_user"
    ),
    ("sessions", "delete"): "DELETE FROM sessions WHERE user_id = :victim_user",
    ("auth_tokens", "select"): "SELECT id FROM auth_tokens",
    ("auth_tokens", "select_secret"): "SELECT id FROM (SELECT id, token_hash FROM auth_tokens) s",
    ("auth_tokens", "insert"): (
        f"INSERT INTO auth_tokens (user_id, purpose, token_hash, expires_at, created_by)"
        f" VALUES (:victim_user, 'reset', {_HASH}, now() + interval '1 hour', :self_user)"
    ),
    ("auth_tokens", "insert_forged"): (
        f"INSERT INTO auth_tokens (user_id, purpose, token_hash, expires_at, created_by)"
        f" VALUES (:victim_user, 'reset', {_HASH}, now() + interval '1 hour', :victim_user)"
    ),
    ("auth_tokens", "update"): "UPDATE auth_tokens SET used_at = now() WHERE used_at IS NULL",
    ("auth_tokens", "delete"): "DELETE FROM auth_tokens WHERE user_id = :victim_user",
    ("login_attempts", "select"): "SELECT id FROM login_attempts",
    ("login_attempts", "insert"): (
        "INSERT INTO login_attempts (email, ip_address, succeeded) VALUES ('m@m', '1.1.1.1', true)"
    ),
    ("login_attempts", "update"): "UPDATE login_attempts SET succeeded = true",
    ("login_attempts", "delete"): "DELETE FROM login_attempts",
    ("ticket_submissions", "select"): select_ids("ticket_submissions"),
    ("ticket_submissions", "insert"): (
        "INSERT INTO ticket_submissions (client_id, token) VALUES (:client, 'matrix-new')"
    ),
    ("ticket_submissions", "insert_other_tenant"): (
        "INSERT INTO ticket_submissions (client_id, token) VALUES (:other_client, 'matrix-new')"
    ),
    ("ticket_submissions", "update"): (
        "UPDATE ticket_submissions SET ticket_id = :ticket WHERE client_id = :client"
    ),
    # A foreign key check runs as the owner: if it decided, its error would tell whether
    # another tenant's ticket id exists.
    ("ticket_submissions", "update_other_ticket"): (
        "UPDATE ticket_submissions SET ticket_id = :other_ticket WHERE client_id = :client"
    ),
    ("ticket_submissions", "update_missing_ticket"): (
        "UPDATE ticket_submissions SET ticket_id = 2000000000 WHERE client_id = :client"
    ),
    ("ticket_submissions", "delete"): "DELETE FROM ticket_submissions",
    ("analytics_cube", "select"): select_ids("analytics_cube"),
    ("analytics_cube", "delete"): "DELETE FROM analytics_cube",
    ("analytics_resolution", "select"): select_ids("analytics_resolution"),
    ("analytics_resolution", "update"): "UPDATE analytics_resolution SET hours = 0",
    ("analytics_hours_hist", "select"): select_ids("analytics_hours_hist"),
    ("analytics_hours_hist", "delete"): "DELETE FROM analytics_hours_hist",
    ("analytics_response_cube", "select"): select_ids("analytics_response_cube"),
    ("analytics_response_cube", "delete"): "DELETE FROM analytics_response_cube",
    ("analytics_frt_hist", "select"): select_ids("analytics_frt_hist"),
    ("analytics_frt_hist", "delete"): "DELETE FROM analytics_frt_hist",
    ("analytics_frt_hist_any_priority", "select"): select_ids("analytics_frt_hist_any_priority"),
    ("analytics_frt_hist_any_priority", "delete"): "DELETE FROM analytics_frt_hist_any_priority",
    ("analytics_frt_wide", "select"): select_ids("analytics_frt_wide"),
    ("analytics_frt_wide", "delete"): "DELETE FROM analytics_frt_wide",
    ("analytics_frt_wide_any_priority", "select"): select_ids("analytics_frt_wide_any_priority"),
    ("analytics_frt_wide_any_priority", "delete"): "DELETE FROM analytics_frt_wide_any_priority",
    ("analytics_frt_counts", "select"): select_ids("analytics_frt_counts"),
    ("analytics_frt_counts", "delete"): "DELETE FROM analytics_frt_counts",
    ("analytics_frt_counts_any_priority", "select"): select_ids(
        "analytics_frt_counts_any_priority"
    ),
    ("analytics_frt_counts_any_priority", "delete"): (
        "DELETE FROM analytics_frt_counts_any_priority"
    ),
    ("analytics_sla_cube", "select"): select_ids("analytics_sla_cube"),
    ("analytics_sla_cube", "delete"): "DELETE FROM analytics_sla_cube",
    ("analytics_response_state", "select"): select_ids("analytics_response_state"),
    ("analytics_response_state", "update"): (
        "UPDATE analytics_response_state SET timezone = 'Asia/Tokyo'"
    ),
    ("analytics_rollup_state", "select"): select_ids("analytics_rollup_state"),
    ("analytics_rollup_state", "update"): "UPDATE analytics_rollup_state SET fresh = false",
    ("ticket_events", "select"): "SELECT id FROM ticket_events",
    ("ticket_events", "insert"): (
        "INSERT INTO ticket_events (ticket_id, kind) VALUES (:ticket, 'created')"
    ),
    ("ticket_events", "update"): (
        "UPDATE ticket_events SET new_value = 'x' WHERE ticket_id = :ticket"
    ),
    ("ticket_events", "delete"): "DELETE FROM ticket_events WHERE ticket_id = :ticket",
    ("ticket_response_facts", "select"): select_ids("ticket_response_facts"),
    ("ticket_response_facts", "update"): "UPDATE ticket_response_facts SET reopens = 0",
    ("ticket_events_state", "select"): select_ids("ticket_events_state"),
    ("ticket_events_state", "update"): "UPDATE ticket_events_state SET loading = true",
    # The secret NOTIFY channel name: knowing it would let a role LISTEN to every event.
    ("live_channel", "select"): select_ids("live_channel"),
    ("live_channel", "update"): "UPDATE live_channel SET name = 'sa_events_guess'",
    # Replayed events: a client may read its own tenant's only, nobody writes them.
    ("live_events", "select"): "SELECT id FROM live_events",
    ("live_events", "insert"): "INSERT INTO live_events (kind) VALUES ('bulk')",
    ("live_events", "update"): "UPDATE live_events SET op = 'forged'",
    ("live_events", "delete"): "DELETE FROM live_events",
    ("business_calendars", "select"): "SELECT id FROM business_calendars",
    ("business_calendars", "insert"): (
        "INSERT INTO business_calendars (name, timezone) VALUES ('matrix', 'UTC')"
    ),
    ("business_calendars", "update"): "UPDATE business_calendars SET timezone = 'Europe/Berlin'",
    ("business_calendars", "delete"): "DELETE FROM business_calendars",
    ("business_hours", "select"): "SELECT id FROM business_hours",
    ("business_hours", "insert"): (
        "INSERT INTO business_hours (calendar_id, weekday, start_time, end_time)"
        " VALUES (1, 6, '10:00', '12:00')"
    ),
    ("business_hours", "update"): "UPDATE business_hours SET end_time = '18:00'",
    ("business_hours", "delete"): "DELETE FROM business_hours WHERE weekday = 1",
    ("business_holidays", "select"): select_ids("business_holidays"),
    ("business_holidays", "insert"): (
        "INSERT INTO business_holidays (calendar_id, day) VALUES (1, '2030-01-01')"
    ),
    ("business_holidays", "delete"): "DELETE FROM business_holidays",
    ("business_seconds_cum", "select"): select_ids("business_seconds_cum"),
    ("business_seconds_cum", "delete"): "DELETE FROM business_seconds_cum",
    ("sla_policies", "select"): "SELECT id FROM sla_policies",
    ("sla_policies", "insert"): (
        "INSERT INTO sla_policies (priority, plan, first_response_hours, calendar_id)"
        " VALUES ('low', 'starter', 48, 1)"
    ),
    ("sla_policies", "update"): "UPDATE sla_policies SET first_response_hours = 2",
    ("sla_policies", "delete"): "DELETE FROM sla_policies WHERE priority = 'low'",
    ("ticket_sla", "select"): select_ids("ticket_sla"),
    ("ticket_sla", "update"): "UPDATE ticket_sla SET due_at = NULL",
    ("sla_dirty", "select"): select_ids("sla_dirty"),
    ("sla_dirty", "insert"): "INSERT INTO sla_dirty VALUES (99)",
    ("sla_recompute", "select"): select_ids("sla_recompute"),
    ("sla_recompute", "update"): "UPDATE sla_recompute SET status = 'done'",
    ("alert_rules", "select"): "SELECT id FROM alert_rules",
    ("alert_rules", "insert"): (
        "INSERT INTO alert_rules (owner_id, name, metric, comparator, threshold)"
        " VALUES (:self_user, 'matrix', 'open_tickets', '>', 1)"
    ),
    ("alert_rules", "insert_for_other"): (
        "INSERT INTO alert_rules (owner_id, name, metric, comparator, threshold)"
        " VALUES (:victim_user, 'matrix', 'open_tickets', '>', 1)"
    ),
    ("alert_rules", "update"): "UPDATE alert_rules SET threshold = 5",
    ("alert_rules", "delete"): "DELETE FROM alert_rules",
    ("alert_webhooks", "select"): "SELECT id FROM alert_webhooks",
    # The salt the signing secret is derived from: no request role reads it.
    ("alert_webhooks", "select_secret"): "SELECT id FROM (SELECT id, salt FROM alert_webhooks) s",
    ("alert_webhooks", "insert"): (
        "INSERT INTO alert_webhooks (name, url, salt, created_by)"
        " VALUES ('matrix', 'https://hooks.example/x', '\\x00', :self_user)"
    ),
    ("alert_webhooks", "insert_for_other"): (
        "INSERT INTO alert_webhooks (name, url, salt, created_by)"
        " VALUES ('matrix', 'https://hooks.example/x', '\\x00', :victim_user)"
    ),
    ("alert_webhooks", "delete"): "DELETE FROM alert_webhooks",
    ("alert_state", "select"): select_ids("alert_state"),
    ("alert_state", "update"): "UPDATE alert_state SET firing = NOT firing",
    ("alert_firings", "select"): "SELECT id FROM alert_firings",
    ("alert_firings", "insert"): (
        "INSERT INTO alert_firings (rule_id, kind, threshold, comparator)"
        " SELECT id, 'fired', 1, '>' FROM alert_rules"
    ),
    ("alert_deliveries", "select"): "SELECT id FROM alert_deliveries",
    ("alert_deliveries", "update"): "UPDATE alert_deliveries SET status = 'delivered'",
    ("alert_subscriptions", "select"): select_ids("alert_subscriptions"),
    ("alert_subscriptions", "insert"): (
        "INSERT INTO alert_subscriptions (rule_id, user_id)"
        " SELECT id, :self_user FROM alert_rules ON CONFLICT DO NOTHING"
    ),
    ("alert_subscriptions", "insert_for_other"): (
        "INSERT INTO alert_subscriptions (rule_id, user_id)"
        " SELECT id, :victim_user FROM alert_rules ON CONFLICT DO NOTHING"
    ),
    ("alert_subscriptions", "delete"): (
        "DELETE FROM alert_subscriptions WHERE user_id = :victim_user"
    ),
    ("alert_subscriptions", "delete_self"): (
        "DELETE FROM alert_subscriptions WHERE user_id = :self_user"
    ),
}

# What `own` means per table, evaluated as the owner with the persona's parameters.
OWN_ROWS: dict[str, str] = {
    "saved_views": "SELECT id FROM saved_views WHERE owner_id = :self_user OR shared",
    "saved_view_defaults": "SELECT user_id FROM saved_view_defaults WHERE user_id = :self_user",
    # A user's own settings and subscriptions follow the session, not the role: a forged
    # role sees and changes only the forger's own rows (no one else's, nothing more).
    "user_preferences": "SELECT user_id FROM user_preferences WHERE user_id = :self_user",
    "digest_subscriptions": "SELECT id FROM digest_subscriptions WHERE user_id = :self_user",
    "clients": "SELECT id FROM clients WHERE id = :client",
    "tickets": "SELECT id FROM tickets WHERE client_id = :client",
    "ticket_messages": (
        "SELECT m.id FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id"
        " WHERE t.client_id = :client"
    ),
    "ticket_feedback": (
        "SELECT f.id FROM ticket_feedback f JOIN tickets t ON t.id = f.ticket_id"
        " WHERE t.client_id = :client"
    ),
    "payments": "SELECT id FROM payments WHERE client_id = :client",
    "ticket_events": (
        "SELECT e.id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
        " WHERE t.client_id = :client"
    ),
    "live_events": "SELECT id FROM live_events WHERE client_id = :client",
    "users": "SELECT id FROM users WHERE id = :self_user",
    "sessions": "SELECT id FROM sessions WHERE user_id = :self_user",
    "ticket_submissions": f"{select_ids('ticket_submissions')} WHERE client_id = :client",
    "ticket_sla": f"{select_ids('ticket_sla')} WHERE client_id = :client",
    "ticket_response_facts": f"{select_ids('ticket_response_facts')} WHERE client_id = :client",
}

Expected = Literal["all", "own", "-", "ok"]
_EXPECTED: dict[str, Expected] = {"all": "all", "own": "own", "-": "-", "ok": "ok"}


@dataclass(frozen=True)
class Case:
    table: str
    op: str
    persona: MatrixPersona
    expected: Expected

    @property
    def id(self) -> str:
        return f"{self.table}-{self.op}-{self.persona}"

    @property
    def is_select(self) -> bool:
        return self.op.startswith("select")


def cases() -> list[Case]:
    rows = [line.split() for line in EXPECTATIONS.strip().splitlines()[1:]]
    result: list[Case] = []
    for table, op, *cells in rows:
        assert len(cells) == len(COLUMNS), (table, op)
        assert (table, op) in SQL, (table, op)
        for persona, cell in zip(COLUMNS, cells, strict=True):
            result.append(Case(table, op, persona, _EXPECTED[cell]))
    return result


@dataclass(frozen=True)
class World:
    """Tokens and the ids the SQL needs, per persona; built once per database."""

    tokens: Mapping[MatrixPersona, str | None]
    params: Mapping[MatrixPersona, Mapping[str, object]]
    # The pool requests use: the authenticator login (tenancy/connection.py).
    requests: Database
    reference_cache: dict[tuple[str, MatrixPersona], tuple[set[int], set[int]]] = field(
        default_factory=dict
    )


class _Rollback(Exception):
    pass


def observe(database: Database, world: World, case: Case) -> tuple[str, set[int] | int]:
    """Run one case; ('refused', 0), ('rows', ids) for selects or ('count', n) for writes."""
    base = BASE_PERSONA.get(case.persona, case.persona)
    token = world.tokens[base]
    params = dict(world.params[base])
    forged = FORGED_ROLE.get(case.persona)
    outcome: tuple[str, set[int] | int] = ("refused", 0)
    try:
        with request_transaction(world.requests, token, ttl=timedelta(hours=1)) as scope:
            if forged is not None:
                # What injected SQL can do: the login is a member of every request role.
                scope.session.execute(text(f"SET LOCAL ROLE {forged.value}"))
            result = scope.session.execute(text(SQL[(case.table, case.op)]), params)
            if case.is_select:
                outcome = ("rows", {int(row[0]) for row in result})
            elif isinstance(result, CursorResult):
                outcome = ("count", result.rowcount)
            raise _Rollback
    except _Rollback:
        return outcome
    except DBAPIError as exc:
        if isinstance(exc.orig, psycopg.errors.InsufficientPrivilege):
            return ("refused", 0)
        raise


def reference_rows(database: Database, world: World, case: Case) -> tuple[set[int], set[int]]:
    """(every id, the persona's own ids) as the owner sees them."""
    base = BASE_PERSONA.get(case.persona, case.persona)
    cached = world.reference_cache.get((case.table, base))
    if cached is not None:
        return cached
    with owner_transaction(database) as session:
        everything = {int(r[0]) for r in session.execute(text(select_ids(case.table)))}
        own_sql = OWN_ROWS.get(case.table)
        own = (
            {int(r[0]) for r in session.execute(text(own_sql), dict(world.params[base]))}
            if own_sql
            else set()
        )
    world.reference_cache[(case.table, base)] = (everything, own)
    return everything, own


def verdict(database: Database, world: World, case: Case) -> str | None:
    """None when the case behaves as the table says, else what happened instead."""
    kind, value = observe(database, world, case)
    if case.is_select:
        seen = value if isinstance(value, set) else set()
        everything, own = reference_rows(database, world, case)
        wanted = {"all": everything, "own": own, "-": set()}[case.expected]
        if case.expected != "-" and not wanted:
            return f"the world has no rows to tell {case.expected!r} apart"
        if seen != wanted:
            return f"saw {len(seen)} rows, expected {len(wanted)} ({case.expected})"
        return None
    went_through = kind == "count" and isinstance(value, int) and value > 0
    if went_through != (case.expected == "ok"):
        return f"write {'went through' if went_through else 'was refused'}"
    return None
