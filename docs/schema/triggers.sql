-- Generated from a migrated database by tests/db/test_schema_docs.py; do not edit.

-- analytics_frt_hist
CREATE TRIGGER analytics_frt_any_priority_delete AFTER DELETE ON analytics_frt_hist REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_any_priority_delete();
CREATE TRIGGER analytics_frt_any_priority_insert AFTER INSERT ON analytics_frt_hist REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_any_priority_insert();
CREATE TRIGGER analytics_frt_any_priority_truncate AFTER TRUNCATE ON analytics_frt_hist FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_any_priority_truncate();
CREATE TRIGGER analytics_frt_any_priority_update AFTER UPDATE ON analytics_frt_hist REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_any_priority_update();
CREATE TRIGGER analytics_frt_wide_delete AFTER DELETE ON analytics_frt_hist REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_wide_delete();
CREATE TRIGGER analytics_frt_wide_insert AFTER INSERT ON analytics_frt_hist REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_wide_insert();
CREATE TRIGGER analytics_frt_wide_truncate AFTER TRUNCATE ON analytics_frt_hist FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_wide_truncate();
CREATE TRIGGER analytics_frt_wide_update AFTER UPDATE ON analytics_frt_hist REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_wide_update();

-- analytics_frt_wide
CREATE TRIGGER analytics_frt_counts_delete AFTER DELETE ON analytics_frt_wide REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_counts_delete();
CREATE TRIGGER analytics_frt_counts_insert AFTER INSERT ON analytics_frt_wide REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_counts_insert();
CREATE TRIGGER analytics_frt_counts_truncate AFTER TRUNCATE ON analytics_frt_wide FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_counts_truncate();
CREATE TRIGGER analytics_frt_counts_update AFTER UPDATE ON analytics_frt_wide REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_counts_update();
CREATE TRIGGER analytics_frt_wide_any_delete AFTER DELETE ON analytics_frt_wide REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_wide_any_delete();
CREATE TRIGGER analytics_frt_wide_any_insert AFTER INSERT ON analytics_frt_wide REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_wide_any_insert();
CREATE TRIGGER analytics_frt_wide_any_truncate AFTER TRUNCATE ON analytics_frt_wide FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_wide_any_truncate();
CREATE TRIGGER analytics_frt_wide_any_update AFTER UPDATE ON analytics_frt_wide REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_wide_any_update();

-- analytics_frt_wide_any_priority
CREATE TRIGGER analytics_frt_counts_any_delete AFTER DELETE ON analytics_frt_wide_any_priority REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_counts_any_delete();
CREATE TRIGGER analytics_frt_counts_any_insert AFTER INSERT ON analytics_frt_wide_any_priority REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_counts_any_insert();
CREATE TRIGGER analytics_frt_counts_any_truncate AFTER TRUNCATE ON analytics_frt_wide_any_priority FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_counts_any_truncate();
CREATE TRIGGER analytics_frt_counts_any_update AFTER UPDATE ON analytics_frt_wide_any_priority REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_frt_counts_any_update();

-- analytics_resolution
CREATE TRIGGER analytics_hist_delete AFTER DELETE ON analytics_resolution REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_hist_delete();
CREATE TRIGGER analytics_hist_insert AFTER INSERT ON analytics_resolution REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_hist_insert();
CREATE TRIGGER analytics_hist_truncate AFTER TRUNCATE ON analytics_resolution FOR EACH STATEMENT EXECUTE FUNCTION analytics_hist_truncate();

-- analytics_response_state
CREATE TRIGGER analytics_sla_follow_zone AFTER UPDATE ON analytics_response_state FOR EACH ROW EXECUTE FUNCTION analytics_sla_follow_zone();

-- analytics_rollup_state
CREATE TRIGGER analytics_response_follow_zone AFTER UPDATE ON analytics_rollup_state FOR EACH ROW EXECUTE FUNCTION analytics_response_follow_zone();

-- business_calendars
CREATE TRIGGER business_calendars_sla_dirty AFTER INSERT OR DELETE OR UPDATE ON business_calendars FOR EACH ROW EXECUTE FUNCTION sla_mark_calendar();

-- business_holidays
CREATE TRIGGER business_holidays_sla_dirty AFTER INSERT OR DELETE OR UPDATE ON business_holidays FOR EACH ROW EXECUTE FUNCTION sla_mark_calendar();

-- business_hours
CREATE TRIGGER business_hours_sla_dirty AFTER INSERT OR DELETE OR UPDATE ON business_hours FOR EACH ROW EXECUTE FUNCTION sla_mark_calendar();

-- clients
CREATE TRIGGER ticket_sla_clients_update AFTER UPDATE ON clients REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_sla_clients_update();

-- live_events
CREATE CONSTRAINT TRIGGER live_events_commit AFTER INSERT ON live_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION live_events_commit();

-- sla_dirty
CREATE CONSTRAINT TRIGGER sla_dirty_apply AFTER INSERT ON sla_dirty DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sla_apply_dirty();

-- sla_policies
CREATE TRIGGER sla_policies_sla_dirty AFTER INSERT OR DELETE OR UPDATE ON sla_policies FOR EACH STATEMENT EXECUTE FUNCTION sla_mark_policies();

-- ticket_events
CREATE TRIGGER client_notify_ticket_event AFTER INSERT ON ticket_events FOR EACH ROW EXECUTE FUNCTION client_notify_ticket_event();

-- ticket_feedback
CREATE TRIGGER analytics_stale_ticket_feedback AFTER TRUNCATE ON ticket_feedback FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_stale();
CREATE TRIGGER analytics_ticket_feedback_delete AFTER DELETE ON ticket_feedback REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_ticket_feedback_delete();
CREATE TRIGGER analytics_ticket_feedback_insert AFTER INSERT ON ticket_feedback REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_ticket_feedback_insert();
CREATE TRIGGER analytics_ticket_feedback_update AFTER UPDATE ON ticket_feedback REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_ticket_feedback_update();
CREATE TRIGGER live_ticket_feedback AFTER INSERT OR UPDATE ON ticket_feedback FOR EACH ROW WHEN (current_setting('support_analytics.live_sent'::text, true) IS DISTINCT FROM 'bulk'::text) EXECUTE FUNCTION live_notify_ticket_feedback();
CREATE TRIGGER ticket_events_ticket_feedback_insert AFTER INSERT ON ticket_feedback REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_ticket_feedback_insert();

-- ticket_messages
CREATE TRIGGER live_ticket_messages AFTER INSERT OR UPDATE ON ticket_messages FOR EACH ROW WHEN (current_setting('support_analytics.live_sent'::text, true) IS DISTINCT FROM 'bulk'::text) EXECUTE FUNCTION live_notify_ticket_messages();
CREATE TRIGGER ticket_events_ticket_messages_delete AFTER DELETE ON ticket_messages REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_ticket_messages_delete();
CREATE TRIGGER ticket_events_ticket_messages_insert AFTER INSERT ON ticket_messages REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_ticket_messages_insert();
CREATE TRIGGER ticket_events_ticket_messages_update AFTER UPDATE ON ticket_messages REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_ticket_messages_update();

-- ticket_response_facts
CREATE TRIGGER analytics_response_delete AFTER DELETE ON ticket_response_facts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_response_delete();
CREATE TRIGGER analytics_response_insert AFTER INSERT ON ticket_response_facts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_response_insert();
CREATE TRIGGER analytics_response_truncate AFTER TRUNCATE ON ticket_response_facts FOR EACH STATEMENT EXECUTE FUNCTION analytics_response_truncate();
CREATE TRIGGER analytics_response_update AFTER UPDATE ON ticket_response_facts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_response_update();
CREATE TRIGGER ticket_sla_facts_insert AFTER INSERT ON ticket_response_facts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_sla_facts_insert();
CREATE TRIGGER ticket_sla_facts_update AFTER UPDATE ON ticket_response_facts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_sla_facts_update();

-- ticket_sla
CREATE TRIGGER analytics_sla_delete AFTER DELETE ON ticket_sla REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_sla_delete();
CREATE TRIGGER analytics_sla_insert AFTER INSERT ON ticket_sla REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_sla_insert();
CREATE TRIGGER analytics_sla_truncate AFTER TRUNCATE ON ticket_sla FOR EACH STATEMENT EXECUTE FUNCTION analytics_sla_truncate();
CREATE TRIGGER analytics_sla_update AFTER UPDATE ON ticket_sla REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_sla_update();

-- ticket_types
CREATE TRIGGER analytics_stale_ticket_types AFTER TRUNCATE ON ticket_types FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_stale();
CREATE TRIGGER analytics_stale_types AFTER DELETE OR UPDATE ON ticket_types FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_stale();
CREATE TRIGGER ticket_sla_types_update AFTER UPDATE ON ticket_types REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_sla_types_update();

-- tickets
CREATE TRIGGER analytics_stale_tickets AFTER TRUNCATE ON tickets FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_stale();
CREATE TRIGGER analytics_tickets_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_tickets_delete();
CREATE TRIGGER analytics_tickets_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_tickets_insert();
CREATE TRIGGER analytics_tickets_update AFTER UPDATE ON tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_tickets_update();
CREATE TRIGGER live_tickets AFTER INSERT OR UPDATE ON tickets FOR EACH ROW WHEN (current_setting('support_analytics.live_sent'::text, true) IS DISTINCT FROM 'bulk'::text) EXECUTE FUNCTION live_notify_tickets();
CREATE TRIGGER ticket_events_loading AFTER TRUNCATE ON tickets FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_mark_loading();
CREATE TRIGGER ticket_events_tickets_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_tickets_insert();
CREATE TRIGGER ticket_events_tickets_update AFTER UPDATE ON tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_tickets_update();
CREATE TRIGGER ticket_sla_tickets_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_sla_tickets_insert();
CREATE TRIGGER ticket_sla_tickets_update AFTER UPDATE ON tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_sla_tickets_update();
