-- Generated from a migrated database by tests/db/test_schema_docs.py; do not edit.

-- Tables under row-level security (FORCE: the owner is bound too):
--   alert_deliveries
--   alert_firings
--   alert_rules
--   alert_state
--   alert_subscriptions
--   alert_webhooks
--   analytics_cube (FORCE)
--   analytics_frt_counts (FORCE)
--   analytics_frt_counts_any_priority (FORCE)
--   analytics_frt_hist (FORCE)
--   analytics_frt_hist_any_priority (FORCE)
--   analytics_frt_wide (FORCE)
--   analytics_frt_wide_any_priority (FORCE)
--   analytics_hours_hist (FORCE)
--   analytics_resolution (FORCE)
--   analytics_response_cube (FORCE)
--   analytics_response_state (FORCE)
--   analytics_rollup_state (FORCE)
--   analytics_sla_cube (FORCE)
--   auth_tokens (FORCE)
--   business_calendars (FORCE)
--   business_holidays (FORCE)
--   business_hours (FORCE)
--   business_seconds_cum (FORCE)
--   client_notification_sends
--   clients (FORCE)
--   digest_sends
--   digest_subscriptions (FORCE)
--   live_channel (FORCE)
--   live_events (FORCE)
--   login_attempts (FORCE)
--   mail_outbox
--   payments (FORCE)
--   saved_view_defaults (FORCE)
--   saved_views (FORCE)
--   sessions (FORCE)
--   signing_keys
--   sla_dirty (FORCE)
--   sla_policies (FORCE)
--   sla_recompute (FORCE)
--   team_members (FORCE)
--   ticket_events (FORCE)
--   ticket_events_state (FORCE)
--   ticket_feedback (FORCE)
--   ticket_messages (FORCE)
--   ticket_response_facts (FORCE)
--   ticket_sla (FORCE)
--   ticket_submissions (FORCE)
--   ticket_types (FORCE)
--   tickets (FORCE)
--   user_preferences (FORCE)
--   users (FORCE)

CREATE POLICY alert_deliveries_select ON alert_deliveries
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY alert_firings_select ON alert_firings
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY alert_rules_delete ON alert_rules
  AS PERMISSIVE FOR DELETE TO support_analytics_internal
  USING ((( SELECT sa_session_role() AS sa_session_role) = ANY (ARRAY['manager'::text, 'admin'::text])));

CREATE POLICY alert_rules_insert ON alert_rules
  AS PERMISSIVE FOR INSERT TO support_analytics_internal
  WITH CHECK (((( SELECT sa_session_role() AS sa_session_role) = ANY (ARRAY['manager'::text, 'admin'::text])) AND (owner_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY alert_rules_select ON alert_rules
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY alert_rules_update ON alert_rules
  AS PERMISSIVE FOR UPDATE TO support_analytics_internal
  USING ((( SELECT sa_session_role() AS sa_session_role) = ANY (ARRAY['manager'::text, 'admin'::text])))
  WITH CHECK ((( SELECT sa_session_role() AS sa_session_role) = ANY (ARRAY['manager'::text, 'admin'::text])));

CREATE POLICY alert_state_select ON alert_state
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY alert_subscriptions_delete ON alert_subscriptions
  AS PERMISSIVE FOR DELETE TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY alert_subscriptions_insert ON alert_subscriptions
  AS PERMISSIVE FOR INSERT TO support_analytics_internal
  WITH CHECK ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY alert_subscriptions_select ON alert_subscriptions
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY alert_webhooks_delete ON alert_webhooks
  AS PERMISSIVE FOR DELETE TO support_analytics_internal
  USING (( SELECT sa_session_is_admin() AS sa_session_is_admin));

CREATE POLICY alert_webhooks_insert ON alert_webhooks
  AS PERMISSIVE FOR INSERT TO support_analytics_internal
  WITH CHECK ((( SELECT sa_session_is_admin() AS sa_session_is_admin) AND (created_by = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY alert_webhooks_select ON alert_webhooks
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_cube_internal_select ON analytics_cube
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_frt_counts_internal_select ON analytics_frt_counts
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_frt_counts_any_priority_internal_select ON analytics_frt_counts_any_priority
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_frt_hist_internal_select ON analytics_frt_hist
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_frt_hist_any_priority_internal_select ON analytics_frt_hist_any_priority
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_frt_wide_internal_select ON analytics_frt_wide
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_frt_wide_any_priority_internal_select ON analytics_frt_wide_any_priority
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_hours_hist_internal_select ON analytics_hours_hist
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_resolution_internal_select ON analytics_resolution
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_response_cube_internal_select ON analytics_response_cube
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_response_state_internal_select ON analytics_response_state
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_rollup_state_internal_select ON analytics_rollup_state
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY analytics_sla_cube_internal_select ON analytics_sla_cube
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY auth_tokens_internal_insert ON auth_tokens
  AS PERMISSIVE FOR INSERT TO support_analytics_internal
  WITH CHECK ((( SELECT sa_session_is_admin() AS sa_session_is_admin) AND (created_by = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY auth_tokens_internal_select ON auth_tokens
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_admin() AS sa_session_is_admin));

CREATE POLICY business_calendars_admin_write ON business_calendars
  AS PERMISSIVE FOR ALL TO support_analytics_internal
  USING (( SELECT sa_session_is_admin() AS sa_session_is_admin))
  WITH CHECK (( SELECT sa_session_is_admin() AS sa_session_is_admin));

CREATE POLICY business_calendars_internal_select ON business_calendars
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY business_holidays_admin_write ON business_holidays
  AS PERMISSIVE FOR ALL TO support_analytics_internal
  USING (( SELECT sa_session_is_admin() AS sa_session_is_admin))
  WITH CHECK (( SELECT sa_session_is_admin() AS sa_session_is_admin));

CREATE POLICY business_holidays_internal_select ON business_holidays
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY business_hours_admin_write ON business_hours
  AS PERMISSIVE FOR ALL TO support_analytics_internal
  USING (( SELECT sa_session_is_admin() AS sa_session_is_admin))
  WITH CHECK (( SELECT sa_session_is_admin() AS sa_session_is_admin));

CREATE POLICY business_hours_internal_select ON business_hours
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY business_seconds_cum_internal_select ON business_seconds_cum
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY clients_client_select ON clients
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((id = ( SELECT sa_session_client_id() AS sa_session_client_id)));

CREATE POLICY clients_internal_select ON clients
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY digest_subscriptions_delete ON digest_subscriptions
  AS PERMISSIVE FOR DELETE TO support_analytics_client,support_analytics_internal
  USING ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)));

CREATE POLICY digest_subscriptions_insert ON digest_subscriptions
  AS PERMISSIVE FOR INSERT TO support_analytics_client,support_analytics_internal
  WITH CHECK ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)));

CREATE POLICY digest_subscriptions_select ON digest_subscriptions
  AS PERMISSIVE FOR SELECT TO support_analytics_client,support_analytics_internal
  USING ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)));

CREATE POLICY digest_subscriptions_update ON digest_subscriptions
  AS PERMISSIVE FOR UPDATE TO support_analytics_client,support_analytics_internal
  USING ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)))
  WITH CHECK ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)));

CREATE POLICY live_events_client_select ON live_events
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)));

CREATE POLICY live_events_internal_select ON live_events
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY payments_client_select ON payments
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)));

CREATE POLICY payments_internal_select ON payments
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY saved_view_defaults_delete ON saved_view_defaults
  AS PERMISSIVE FOR DELETE TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY saved_view_defaults_insert ON saved_view_defaults
  AS PERMISSIVE FOR INSERT TO support_analytics_internal
  WITH CHECK ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)) AND (view_id IN ( SELECT saved_views.id
   FROM saved_views))));

CREATE POLICY saved_view_defaults_select ON saved_view_defaults
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY saved_view_defaults_update ON saved_view_defaults
  AS PERMISSIVE FOR UPDATE TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id))))
  WITH CHECK ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)) AND (view_id IN ( SELECT saved_views.id
   FROM saved_views))));

CREATE POLICY saved_views_delete ON saved_views
  AS PERMISSIVE FOR DELETE TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (owner_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY saved_views_insert ON saved_views
  AS PERMISSIVE FOR INSERT TO support_analytics_internal
  WITH CHECK ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (owner_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY saved_views_select ON saved_views
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (shared OR (owner_id = ( SELECT sa_session_user_id() AS sa_session_user_id)))));

CREATE POLICY saved_views_update ON saved_views
  AS PERMISSIVE FOR UPDATE TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (owner_id = ( SELECT sa_session_user_id() AS sa_session_user_id))))
  WITH CHECK ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (owner_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY sessions_client_select ON sessions
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((( SELECT sa_session_is_client() AS sa_session_is_client) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY sessions_client_update ON sessions
  AS PERMISSIVE FOR UPDATE TO support_analytics_client
  USING ((( SELECT sa_session_is_client() AS sa_session_is_client) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id))))
  WITH CHECK ((( SELECT sa_session_is_client() AS sa_session_is_client) AND (user_id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY sessions_internal_select ON sessions
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)) OR ( SELECT sa_session_is_admin() AS sa_session_is_admin))));

CREATE POLICY sessions_internal_update ON sessions
  AS PERMISSIVE FOR UPDATE TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)) OR ( SELECT sa_session_is_admin() AS sa_session_is_admin))))
  WITH CHECK ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)) OR ( SELECT sa_session_is_admin() AS sa_session_is_admin))));

CREATE POLICY sla_policies_admin_write ON sla_policies
  AS PERMISSIVE FOR ALL TO support_analytics_internal
  USING (( SELECT sa_session_is_admin() AS sa_session_is_admin))
  WITH CHECK (( SELECT sa_session_is_admin() AS sa_session_is_admin));

CREATE POLICY sla_policies_internal_select ON sla_policies
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY sla_recompute_internal_select ON sla_recompute
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY team_members_client_select ON team_members
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING (( SELECT sa_session_is_client() AS sa_session_is_client));

CREATE POLICY team_members_internal_select ON team_members
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY ticket_events_client_select ON ticket_events
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((EXISTS ( SELECT 1
   FROM tickets t
  WHERE ((t.id = ticket_events.ticket_id) AND (t.client_id = ( SELECT sa_session_client_id() AS sa_session_client_id))))));

CREATE POLICY ticket_events_internal_select ON ticket_events
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY ticket_feedback_client_insert ON ticket_feedback
  AS PERMISSIVE FOR INSERT TO support_analytics_client
  WITH CHECK ((EXISTS ( SELECT 1
   FROM tickets t
  WHERE ((t.id = ticket_feedback.ticket_id) AND (t.client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)) AND ((t.status)::text = ANY ((ARRAY['resolved'::character varying, 'closed'::character varying])::text[]))))));

CREATE POLICY ticket_feedback_client_select ON ticket_feedback
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((EXISTS ( SELECT 1
   FROM tickets t
  WHERE ((t.id = ticket_feedback.ticket_id) AND (t.client_id = ( SELECT sa_session_client_id() AS sa_session_client_id))))));

CREATE POLICY ticket_feedback_internal_select ON ticket_feedback
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY ticket_messages_client_insert ON ticket_messages
  AS PERMISSIVE FOR INSERT TO support_analytics_client
  WITH CHECK (((from_client IS TRUE) AND (from_team_member_id IS NULL) AND (EXISTS ( SELECT 1
   FROM tickets t
  WHERE ((t.id = ticket_messages.ticket_id) AND (t.client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)))))));

CREATE POLICY ticket_messages_client_select ON ticket_messages
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((EXISTS ( SELECT 1
   FROM tickets t
  WHERE ((t.id = ticket_messages.ticket_id) AND (t.client_id = ( SELECT sa_session_client_id() AS sa_session_client_id))))));

CREATE POLICY ticket_messages_internal_insert ON ticket_messages
  AS PERMISSIVE FOR INSERT TO support_analytics_internal
  WITH CHECK ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND (from_client IS NOT TRUE) AND (from_team_member_id = ( SELECT sa_session_team_member_id() AS sa_session_team_member_id))));

CREATE POLICY ticket_messages_internal_select ON ticket_messages
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY ticket_response_facts_client_select ON ticket_response_facts
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)));

CREATE POLICY ticket_response_facts_internal_select ON ticket_response_facts
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY ticket_sla_client_select ON ticket_sla
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)));

CREATE POLICY ticket_sla_internal_select ON ticket_sla
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY ticket_submissions_client_insert ON ticket_submissions
  AS PERMISSIVE FOR INSERT TO support_analytics_client
  WITH CHECK (((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)) AND (ticket_id IS NULL)));

CREATE POLICY ticket_submissions_client_select ON ticket_submissions
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)));

CREATE POLICY ticket_submissions_client_update ON ticket_submissions
  AS PERMISSIVE FOR UPDATE TO support_analytics_client
  USING ((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)))
  WITH CHECK (((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)) AND ((ticket_id IS NULL) OR (EXISTS ( SELECT 1
   FROM tickets t
  WHERE ((t.id = ticket_submissions.ticket_id) AND (t.client_id = ( SELECT sa_session_client_id() AS sa_session_client_id))))))));

CREATE POLICY ticket_types_client_select ON ticket_types
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING (( SELECT sa_session_is_client() AS sa_session_is_client));

CREATE POLICY ticket_types_internal_select ON ticket_types
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY tickets_client_insert ON tickets
  AS PERMISSIVE FOR INSERT TO support_analytics_client
  WITH CHECK (((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)) AND ((status)::text = 'open'::text) AND (assigned_to IS NULL) AND (resolved_at IS NULL) AND (closed_at IS NULL)));

CREATE POLICY tickets_client_select ON tickets
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((client_id = ( SELECT sa_session_client_id() AS sa_session_client_id)));

CREATE POLICY tickets_internal_select ON tickets
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY tickets_internal_update ON tickets
  AS PERMISSIVE FOR UPDATE TO support_analytics_internal
  USING (( SELECT sa_session_is_internal() AS sa_session_is_internal))
  WITH CHECK (( SELECT sa_session_is_internal() AS sa_session_is_internal));

CREATE POLICY user_preferences_insert ON user_preferences
  AS PERMISSIVE FOR INSERT TO support_analytics_client,support_analytics_internal
  WITH CHECK ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)));

CREATE POLICY user_preferences_select ON user_preferences
  AS PERMISSIVE FOR SELECT TO support_analytics_client,support_analytics_internal
  USING ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)));

CREATE POLICY user_preferences_update ON user_preferences
  AS PERMISSIVE FOR UPDATE TO support_analytics_client,support_analytics_internal
  USING ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)))
  WITH CHECK ((user_id = ( SELECT sa_session_user_id() AS sa_session_user_id)));

CREATE POLICY users_client_select ON users
  AS PERMISSIVE FOR SELECT TO support_analytics_client
  USING ((( SELECT sa_session_is_client() AS sa_session_is_client) AND (id = ( SELECT sa_session_user_id() AS sa_session_user_id))));

CREATE POLICY users_internal_insert ON users
  AS PERMISSIVE FOR INSERT TO support_analytics_internal
  WITH CHECK ((( SELECT sa_session_is_admin() AS sa_session_is_admin) AND (status = 'invited'::text)));

CREATE POLICY users_internal_select ON users
  AS PERMISSIVE FOR SELECT TO support_analytics_internal
  USING ((( SELECT sa_session_is_internal() AS sa_session_is_internal) AND ((id = ( SELECT sa_session_user_id() AS sa_session_user_id)) OR ( SELECT sa_session_is_admin() AS sa_session_is_admin))));

CREATE POLICY users_internal_update ON users
  AS PERMISSIVE FOR UPDATE TO support_analytics_internal
  USING (( SELECT sa_session_is_admin() AS sa_session_is_admin))
  WITH CHECK (( SELECT sa_session_is_admin() AS sa_session_is_admin));
