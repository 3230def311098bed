-- Generated from a migrated database by tests/db/test_schema_docs.py; do not edit.

-- analytics_frt_any_priority_delete()
CREATE OR REPLACE FUNCTION public.analytics_frt_any_priority_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_hist_any_priority AS a (gmask, grain, bucket, assigned_to, ticket_type_id, bin, n)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, sum(sn)
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, -n AS sn FROM old_rows WHERE gmask < 4) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, bin) DO UPDATE SET n = a.n + excluded.n
;
  RETURN NULL;
END $function$;

-- analytics_frt_any_priority_insert()
CREATE OR REPLACE FUNCTION public.analytics_frt_any_priority_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_hist_any_priority AS a (gmask, grain, bucket, assigned_to, ticket_type_id, bin, n)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, sum(sn)
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, n AS sn FROM new_rows WHERE gmask < 4) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, bin) DO UPDATE SET n = a.n + excluded.n
;
  RETURN NULL;
END $function$;

-- analytics_frt_any_priority_truncate()
CREATE OR REPLACE FUNCTION public.analytics_frt_any_priority_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  TRUNCATE analytics_frt_hist_any_priority;
  RETURN NULL;
END $function$;

-- analytics_frt_any_priority_update()
CREATE OR REPLACE FUNCTION public.analytics_frt_any_priority_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_hist_any_priority AS a (gmask, grain, bucket, assigned_to, ticket_type_id, bin, n)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, sum(sn)
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, -n AS sn FROM old_rows WHERE gmask < 4 UNION ALL SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, n AS sn FROM new_rows WHERE gmask < 4) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, bin) DO UPDATE SET n = a.n + excluded.n
;
  RETURN NULL;
END $function$;

-- analytics_frt_bin(hours double precision)
CREATE OR REPLACE FUNCTION public.analytics_frt_bin(hours double precision)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE STRICT
AS $function$
  SELECT width_bucket(hours, ARRAY[0.0, 0.016666666666666666, 0.03333333333333333, 0.05, 0.06666666666666667, 0.08333333333333333, 0.1, 0.11666666666666667, 0.13333333333333333, 0.15, 0.16666666666666666, 0.18333333333333332, 0.2, 0.21666666666666667, 0.23333333333333334, 0.25, 0.26666666666666666, 0.2833333333333333, 0.3, 0.31666666666666665, 0.3333333333333333, 0.35, 0.36666666666666664, 0.38333333333333336, 0.4, 0.4166666666666667, 0.43333333333333335, 0.45, 0.4666666666666667, 0.48333333333333334, 0.5, 0.5166666666666667, 0.5333333333333333, 0.55, 0.5666666666666667, 0.5833333333333334, 0.6, 0.6166666666666667, 0.6333333333333333, 0.65, 0.6666666666666666, 0.6833333333333333, 0.7, 0.7166666666666667, 0.7333333333333333, 0.75, 0.7666666666666667, 0.7833333333333333, 0.8, 0.8166666666666667, 0.8333333333333334, 0.85, 0.8666666666666667, 0.8833333333333333, 0.9, 0.9166666666666666, 0.9333333333333333, 0.95, 0.9666666666666667, 0.9833333333333333, 1.0, 1.0166666666666666, 1.0333333333333334, 1.05, 1.0666666666666667, 1.0833333333333333, 1.1, 1.1166666666666667, 1.1333333333333333, 1.15, 1.1666666666666667, 1.1833333333333333, 1.2, 1.2166666666666666, 1.2333333333333334, 1.25, 1.2666666666666666, 1.2833333333333334, 1.3, 1.3166666666666667, 1.3333333333333333, 1.35, 1.3666666666666667, 1.3833333333333333, 1.4, 1.4166666666666667, 1.4333333333333333, 1.45, 1.4666666666666666, 1.4833333333333334, 1.5, 1.5166666666666666, 1.5333333333333334, 1.55, 1.5666666666666667, 1.5833333333333333, 1.6, 1.6166666666666667, 1.6333333333333333, 1.65, 1.6666666666666667, 1.6833333333333333, 1.7, 1.7166666666666666, 1.7333333333333334, 1.75, 1.7666666666666666, 1.7833333333333334, 1.8, 1.8166666666666667, 1.8333333333333333, 1.85, 1.8666666666666667, 1.8833333333333333, 1.9, 1.9166666666666667, 1.9333333333333333, 1.95, 1.9666666666666666, 1.9833333333333334, 2.0, 2.0166666666666666, 2.033333333333333, 2.05, 2.066666666666667, 2.0833333333333335, 2.1, 2.1166666666666667, 2.1333333333333333, 2.15, 2.1666666666666665, 2.183333333333333, 2.2, 2.216666666666667, 2.2333333333333334, 2.25, 2.2666666666666666, 2.283333333333333, 2.3, 2.316666666666667, 2.3333333333333335, 2.35, 2.3666666666666667, 2.3833333333333333, 2.4, 2.4166666666666665, 2.433333333333333, 2.45, 2.466666666666667, 2.4833333333333334, 2.5, 2.5166666666666666, 2.533333333333333, 2.55, 2.566666666666667, 2.5833333333333335, 2.6, 2.6166666666666667, 2.6333333333333333, 2.65, 2.6666666666666665, 2.683333333333333, 2.7, 2.716666666666667, 2.7333333333333334, 2.75, 2.7666666666666666, 2.783333333333333, 2.8, 2.816666666666667, 2.8333333333333335, 2.85, 2.8666666666666667, 2.8833333333333333, 2.9, 2.9166666666666665, 2.933333333333333, 2.95, 2.966666666666667, 2.9833333333333334, 3.0, 3.0166666666666666, 3.033333333333333, 3.05, 3.066666666666667, 3.0833333333333335, 3.1, 3.1166666666666667, 3.1333333333333333, 3.15, 3.1666666666666665, 3.183333333333333, 3.2, 3.216666666666667, 3.2333333333333334, 3.25, 3.2666666666666666, 3.283333333333333, 3.3, 3.316666666666667, 3.3333333333333335, 3.35, 3.3666666666666667, 3.3833333333333333, 3.4, 3.4166666666666665, 3.433333333333333, 3.45, 3.466666666666667, 3.4833333333333334, 3.5, 3.5166666666666666, 3.533333333333333, 3.55, 3.566666666666667, 3.5833333333333335, 3.6, 3.6166666666666667, 3.6333333333333333, 3.65, 3.6666666666666665, 3.683333333333333, 3.7, 3.716666666666667, 3.7333333333333334, 3.75, 3.7666666666666666, 3.783333333333333, 3.8, 3.816666666666667, 3.8333333333333335, 3.85, 3.8666666666666667, 3.8833333333333333, 3.9, 3.9166666666666665, 3.933333333333333, 3.95, 3.966666666666667, 3.9833333333333334, 4.0, 4.016666666666667, 4.033333333333333, 4.05, 4.066666666666666, 4.083333333333333, 4.1, 4.116666666666666, 4.133333333333334, 4.15, 4.166666666666667, 4.183333333333334, 4.2, 4.216666666666667, 4.233333333333333, 4.25, 4.266666666666667, 4.283333333333333, 4.3, 4.316666666666666, 4.333333333333333, 4.35, 4.366666666666666, 4.383333333333334, 4.4, 4.416666666666667, 4.433333333333334, 4.45, 4.466666666666667, 4.483333333333333, 4.5, 4.516666666666667, 4.533333333333333, 4.55, 4.566666666666666, 4.583333333333333, 4.6, 4.616666666666666, 4.633333333333334, 4.65, 4.666666666666667, 4.683333333333334, 4.7, 4.716666666666667, 4.733333333333333, 4.75, 4.766666666666667, 4.783333333333333, 4.8, 4.816666666666666, 4.833333333333333, 4.85, 4.866666666666666, 4.883333333333334, 4.9, 4.916666666666667, 4.933333333333334, 4.95, 4.966666666666667, 4.983333333333333, 5.0, 5.016666666666667, 5.033333333333333, 5.05, 5.066666666666666, 5.083333333333333, 5.1, 5.116666666666666, 5.133333333333334, 5.15, 5.166666666666667, 5.183333333333334, 5.2, 5.216666666666667, 5.233333333333333, 5.25, 5.266666666666667, 5.283333333333333, 5.3, 5.316666666666666, 5.333333333333333, 5.35, 5.366666666666666, 5.383333333333334, 5.4, 5.416666666666667, 5.433333333333334, 5.45, 5.466666666666667, 5.483333333333333, 5.5, 5.516666666666667, 5.533333333333333, 5.55, 5.566666666666666, 5.583333333333333, 5.6, 5.616666666666666, 5.633333333333334, 5.65, 5.666666666666667, 5.683333333333334, 5.7, 5.716666666666667, 5.733333333333333, 5.75, 5.766666666666667, 5.783333333333333, 5.8, 5.816666666666666, 5.833333333333333, 5.85, 5.866666666666666, 5.883333333333334, 5.9, 5.916666666666667, 5.933333333333334, 5.95, 5.966666666666667, 5.983333333333333, 6.0, 6.016666666666667, 6.033333333333333, 6.05, 6.066666666666666, 6.083333333333333, 6.1, 6.116666666666666, 6.133333333333334, 6.15, 6.166666666666667, 6.183333333333334, 6.2, 6.216666666666667, 6.233333333333333, 6.25, 6.266666666666667, 6.283333333333333, 6.3, 6.316666666666666, 6.333333333333333, 6.35, 6.366666666666666, 6.383333333333334, 6.4, 6.416666666666667, 6.433333333333334, 6.45, 6.466666666666667, 6.483333333333333, 6.5, 6.516666666666667, 6.533333333333333, 6.55, 6.566666666666666, 6.583333333333333, 6.6, 6.616666666666666, 6.633333333333334, 6.65, 6.666666666666667, 6.683333333333334, 6.7, 6.716666666666667, 6.733333333333333, 6.75, 6.766666666666667, 6.783333333333333, 6.8, 6.816666666666666, 6.833333333333333, 6.85, 6.866666666666666, 6.883333333333334, 6.9, 6.916666666666667, 6.933333333333334, 6.95, 6.966666666666667, 6.983333333333333, 7.0, 7.016666666666667, 7.033333333333333, 7.05, 7.066666666666666, 7.083333333333333, 7.1, 7.116666666666666, 7.133333333333334, 7.15, 7.166666666666667, 7.183333333333334, 7.2, 7.216666666666667, 7.233333333333333, 7.25, 7.266666666666667, 7.283333333333333, 7.3, 7.316666666666666, 7.333333333333333, 7.35, 7.366666666666666, 7.383333333333334, 7.4, 7.416666666666667, 7.433333333333334, 7.45, 7.466666666666667, 7.483333333333333, 7.5, 7.516666666666667, 7.533333333333333, 7.55, 7.566666666666666, 7.583333333333333, 7.6, 7.616666666666666, 7.633333333333334, 7.65, 7.666666666666667, 7.683333333333334, 7.7, 7.716666666666667, 7.733333333333333, 7.75, 7.766666666666667, 7.783333333333333, 7.8, 7.816666666666666, 7.833333333333333, 7.85, 7.866666666666666, 7.883333333333334, 7.9, 7.916666666666667, 7.933333333333334, 7.95, 7.966666666666667, 7.983333333333333, 8.0, 8.083333333333334, 8.166666666666666, 8.25, 8.333333333333334, 8.416666666666666, 8.5, 8.583333333333334, 8.666666666666666, 8.75, 8.833333333333334, 8.916666666666666, 9.0, 9.083333333333334, 9.166666666666666, 9.25, 9.333333333333334, 9.416666666666666, 9.5, 9.583333333333334, 9.666666666666666, 9.75, 9.833333333333334, 9.916666666666666, 10.0, 10.083333333333334, 10.166666666666666, 10.25, 10.333333333333334, 10.416666666666666, 10.5, 10.583333333333334, 10.666666666666666, 10.75, 10.833333333333334, 10.916666666666666, 11.0, 11.083333333333334, 11.166666666666666, 11.25, 11.333333333333334, 11.416666666666666, 11.5, 11.583333333333334, 11.666666666666666, 11.75, 11.833333333333334, 11.916666666666666, 12.0, 12.083333333333334, 12.166666666666666, 12.25, 12.333333333333334, 12.416666666666666, 12.5, 12.583333333333334, 12.666666666666666, 12.75, 12.833333333333334, 12.916666666666666, 13.0, 13.083333333333334, 13.166666666666666, 13.25, 13.333333333333334, 13.416666666666666, 13.5, 13.583333333333334, 13.666666666666666, 13.75, 13.833333333333334, 13.916666666666666, 14.0, 14.083333333333334, 14.166666666666666, 14.25, 14.333333333333334, 14.416666666666666, 14.5, 14.583333333333334, 14.666666666666666, 14.75, 14.833333333333334, 14.916666666666666, 15.0, 15.083333333333334, 15.166666666666666, 15.25, 15.333333333333334, 15.416666666666666, 15.5, 15.583333333333334, 15.666666666666666, 15.75, 15.833333333333334, 15.916666666666666, 16.0, 16.083333333333332, 16.166666666666668, 16.25, 16.333333333333332, 16.416666666666668, 16.5, 16.583333333333332, 16.666666666666668, 16.75, 16.833333333333332, 16.916666666666668, 17.0, 17.083333333333332, 17.166666666666668, 17.25, 17.333333333333332, 17.416666666666668, 17.5, 17.583333333333332, 17.666666666666668, 17.75, 17.833333333333332, 17.916666666666668, 18.0, 18.083333333333332, 18.166666666666668, 18.25, 18.333333333333332, 18.416666666666668, 18.5, 18.583333333333332, 18.666666666666668, 18.75, 18.833333333333332, 18.916666666666668, 19.0, 19.083333333333332, 19.166666666666668, 19.25, 19.333333333333332, 19.416666666666668, 19.5, 19.583333333333332, 19.666666666666668, 19.75, 19.833333333333332, 19.916666666666668, 20.0, 20.083333333333332, 20.166666666666668, 20.25, 20.333333333333332, 20.416666666666668, 20.5, 20.583333333333332, 20.666666666666668, 20.75, 20.833333333333332, 20.916666666666668, 21.0, 21.083333333333332, 21.166666666666668, 21.25, 21.333333333333332, 21.416666666666668, 21.5, 21.583333333333332, 21.666666666666668, 21.75, 21.833333333333332, 21.916666666666668, 22.0, 22.083333333333332, 22.166666666666668, 22.25, 22.333333333333332, 22.416666666666668, 22.5, 22.583333333333332, 22.666666666666668, 22.75, 22.833333333333332, 22.916666666666668, 23.0, 23.083333333333332, 23.166666666666668, 23.25, 23.333333333333332, 23.416666666666668, 23.5, 23.583333333333332, 23.666666666666668, 23.75, 23.833333333333332, 23.916666666666668, 24.0, 24.083333333333332, 24.166666666666668, 24.25, 24.333333333333332, 24.416666666666668, 24.5, 24.583333333333332, 24.666666666666668, 24.75, 24.833333333333332, 24.916666666666668, 25.0, 25.083333333333332, 25.166666666666668, 25.25, 25.333333333333332, 25.416666666666668, 25.5, 25.583333333333332, 25.666666666666668, 25.75, 25.833333333333332, 25.916666666666668, 26.0, 26.083333333333332, 26.166666666666668, 26.25, 26.333333333333332, 26.416666666666668, 26.5, 26.583333333333332, 26.666666666666668, 26.75, 26.833333333333332, 26.916666666666668, 27.0, 27.083333333333332, 27.166666666666668, 27.25, 27.333333333333332, 27.416666666666668, 27.5, 27.583333333333332, 27.666666666666668, 27.75, 27.833333333333332, 27.916666666666668, 28.0, 28.083333333333332, 28.166666666666668, 28.25, 28.333333333333332, 28.416666666666668, 28.5, 28.583333333333332, 28.666666666666668, 28.75, 28.833333333333332, 28.916666666666668, 29.0, 29.083333333333332, 29.166666666666668, 29.25, 29.333333333333332, 29.416666666666668, 29.5, 29.583333333333332, 29.666666666666668, 29.75, 29.833333333333332, 29.916666666666668, 30.0, 30.083333333333332, 30.166666666666668, 30.25, 30.333333333333332, 30.416666666666668, 30.5, 30.583333333333332, 30.666666666666668, 30.75, 30.833333333333332, 30.916666666666668, 31.0, 31.083333333333332, 31.166666666666668, 31.25, 31.333333333333332, 31.416666666666668, 31.5, 31.583333333333332, 31.666666666666668, 31.75, 31.833333333333332, 31.916666666666668, 32.0, 32.083333333333336, 32.166666666666664, 32.25, 32.333333333333336, 32.416666666666664, 32.5, 32.583333333333336, 32.666666666666664, 32.75, 32.833333333333336, 32.916666666666664, 33.0, 33.083333333333336, 33.166666666666664, 33.25, 33.333333333333336, 33.416666666666664, 33.5, 33.583333333333336, 33.666666666666664, 33.75, 33.833333333333336, 33.916666666666664, 34.0, 34.083333333333336, 34.166666666666664, 34.25, 34.333333333333336, 34.416666666666664, 34.5, 34.583333333333336, 34.666666666666664, 34.75, 34.833333333333336, 34.916666666666664, 35.0, 35.083333333333336, 35.166666666666664, 35.25, 35.333333333333336, 35.416666666666664, 35.5, 35.583333333333336, 35.666666666666664, 35.75, 35.833333333333336, 35.916666666666664, 36.0, 36.083333333333336, 36.166666666666664, 36.25, 36.333333333333336, 36.416666666666664, 36.5, 36.583333333333336, 36.666666666666664, 36.75, 36.833333333333336, 36.916666666666664, 37.0, 37.083333333333336, 37.166666666666664, 37.25, 37.333333333333336, 37.416666666666664, 37.5, 37.583333333333336, 37.666666666666664, 37.75, 37.833333333333336, 37.916666666666664, 38.0, 38.083333333333336, 38.166666666666664, 38.25, 38.333333333333336, 38.416666666666664, 38.5, 38.583333333333336, 38.666666666666664, 38.75, 38.833333333333336, 38.916666666666664, 39.0, 39.083333333333336, 39.166666666666664, 39.25, 39.333333333333336, 39.416666666666664, 39.5, 39.583333333333336, 39.666666666666664, 39.75, 39.833333333333336, 39.916666666666664, 40.0, 40.083333333333336, 40.166666666666664, 40.25, 40.333333333333336, 40.416666666666664, 40.5, 40.583333333333336, 40.666666666666664, 40.75, 40.833333333333336, 40.916666666666664, 41.0, 41.083333333333336, 41.166666666666664, 41.25, 41.333333333333336, 41.416666666666664, 41.5, 41.583333333333336, 41.666666666666664, 41.75, 41.833333333333336, 41.916666666666664, 42.0, 42.083333333333336, 42.166666666666664, 42.25, 42.333333333333336, 42.416666666666664, 42.5, 42.583333333333336, 42.666666666666664, 42.75, 42.833333333333336, 42.916666666666664, 43.0, 43.083333333333336, 43.166666666666664, 43.25, 43.333333333333336, 43.416666666666664, 43.5, 43.583333333333336, 43.666666666666664, 43.75, 43.833333333333336, 43.916666666666664, 44.0, 44.083333333333336, 44.166666666666664, 44.25, 44.333333333333336, 44.416666666666664, 44.5, 44.583333333333336, 44.666666666666664, 44.75, 44.833333333333336, 44.916666666666664, 45.0, 45.083333333333336, 45.166666666666664, 45.25, 45.333333333333336, 45.416666666666664, 45.5, 45.583333333333336, 45.666666666666664, 45.75, 45.833333333333336, 45.916666666666664, 46.0, 46.083333333333336, 46.166666666666664, 46.25, 46.333333333333336, 46.416666666666664, 46.5, 46.583333333333336, 46.666666666666664, 46.75, 46.833333333333336, 46.916666666666664, 47.0, 47.083333333333336, 47.166666666666664, 47.25, 47.333333333333336, 47.416666666666664, 47.5, 47.583333333333336, 47.666666666666664, 47.75, 47.833333333333336, 47.916666666666664, 48, 54, 60, 66, 72, 78, 84, 90, 96, 102, 108, 114, 120, 126, 132, 138, 144, 150, 156, 162, 168, 174, 180, 186, 192, 198, 204, 210, 216, 222, 228, 234, 240, 246, 252, 258, 264, 270, 276, 282, 288, 294, 300, 306, 312, 318, 324, 330, 336, 342, 348, 354, 360, 366, 372, 378, 384, 390, 396, 402, 408, 414, 420, 426, 432, 438, 444, 450, 456, 462, 468, 474, 480, 486, 492, 498, 504, 510, 516, 522, 528, 534, 540, 546, 552, 558, 564, 570, 576, 582, 588, 594, 600, 606, 612, 618, 624, 630, 636, 642, 648, 654, 660, 666, 672, 678, 684, 690, 696, 702, 708, 714, 720, 744, 768, 792, 816, 840, 864, 888, 912, 936, 960, 984, 1008, 1032, 1056, 1080, 1104, 1128, 1152, 1176, 1200, 1224, 1248, 1272, 1296, 1320, 1344, 1368, 1392, 1416, 1440, 1464, 1488, 1512, 1536, 1560, 1584, 1608, 1632, 1656, 1680, 1704, 1728, 1752, 1776, 1800, 1824, 1848, 1872, 1896, 1920, 1944, 1968, 1992, 2016, 2040, 2064, 2088, 2112, 2136, 2160, 2184, 2208, 2232, 2256, 2280, 2304, 2328, 2352, 2376, 2400, 2424, 2448, 2472, 2496, 2520, 2544, 2568, 2592, 2616, 2640, 2664, 2688, 2712, 2736, 2760, 2784, 2808, 2832, 2856, 2880, 2904, 2928, 2952, 2976, 3000, 3024, 3048, 3072, 3096, 3120, 3144, 3168, 3192, 3216, 3240, 3264, 3288, 3312, 3336, 3360, 3384, 3408, 3432, 3456, 3480, 3504, 3528, 3552, 3576, 3600, 3624, 3648, 3672, 3696, 3720, 3744, 3768, 3792, 3816, 3840, 3864, 3888, 3912, 3936, 3960, 3984, 4008, 4032, 4056, 4080, 4104, 4128, 4152, 4176, 4200, 4224, 4248, 4272, 4296, 4320, 4344, 4368, 4392, 4416, 4440, 4464, 4488, 4512, 4536, 4560, 4584, 4608, 4632, 4656, 4680, 4704, 4728, 4752, 4776, 4800, 4824, 4848, 4872, 4896, 4920, 4944, 4968, 4992, 5016, 5040, 5064, 5088, 5112, 5136, 5160, 5184, 5208, 5232, 5256, 5280, 5304, 5328, 5352, 5376, 5400, 5424, 5448, 5472, 5496, 5520, 5544, 5568, 5592, 5616, 5640, 5664, 5688, 5712, 5736, 5760, 5784, 5808, 5832, 5856, 5880, 5904, 5928, 5952, 5976, 6000, 6024, 6048, 6072, 6096, 6120, 6144, 6168, 6192, 6216, 6240, 6264, 6288, 6312, 6336, 6360, 6384, 6408, 6432, 6456, 6480, 6504, 6528, 6552, 6576, 6600, 6624, 6648, 6672, 6696, 6720, 6744, 6768, 6792, 6816, 6840, 6864, 6888, 6912, 6936, 6960, 6984, 7008, 7032, 7056, 7080, 7104, 7128, 7152, 7176, 7200, 7224, 7248, 7272, 7296, 7320, 7344, 7368, 7392, 7416, 7440, 7464, 7488, 7512, 7536, 7560, 7584, 7608, 7632, 7656, 7680, 7704, 7728, 7752, 7776, 7800, 7824, 7848, 7872, 7896, 7920, 7944, 7968, 7992, 8016, 8040, 8064, 8088, 8112, 8136, 8160, 8184, 8208, 8232, 8256, 8280, 8304, 8328, 8352, 8376, 8400, 8424, 8448, 8472, 8496, 8520, 8544, 8568, 8592, 8616, 8640, 8664, 8688, 8712, 8736, 8760]::float8[])
$function$;

-- analytics_frt_counts_any_delete()
CREATE OR REPLACE FUNCTION public.analytics_frt_counts_any_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_counts_any_priority AS a (gmask, grain, bucket, assigned_to, ticket_type_id, wide)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, ARRAY[coalesce(sum(sn) FILTER (WHERE bin = 0), 0), coalesce(sum(sn) FILTER (WHERE bin = 1), 0), coalesce(sum(sn) FILTER (WHERE bin = 2), 0), coalesce(sum(sn) FILTER (WHERE bin = 3), 0), coalesce(sum(sn) FILTER (WHERE bin = 4), 0), coalesce(sum(sn) FILTER (WHERE bin = 5), 0), coalesce(sum(sn) FILTER (WHERE bin = 6), 0), coalesce(sum(sn) FILTER (WHERE bin = 7), 0), coalesce(sum(sn) FILTER (WHERE bin = 8), 0), coalesce(sum(sn) FILTER (WHERE bin = 9), 0), coalesce(sum(sn) FILTER (WHERE bin = 10), 0), coalesce(sum(sn) FILTER (WHERE bin = 11), 0), coalesce(sum(sn) FILTER (WHERE bin = 12), 0), coalesce(sum(sn) FILTER (WHERE bin = 13), 0), coalesce(sum(sn) FILTER (WHERE bin = 14), 0), coalesce(sum(sn) FILTER (WHERE bin = 15), 0), coalesce(sum(sn) FILTER (WHERE bin = 16), 0), coalesce(sum(sn) FILTER (WHERE bin = 17), 0), coalesce(sum(sn) FILTER (WHERE bin = 18), 0), coalesce(sum(sn) FILTER (WHERE bin = 19), 0), coalesce(sum(sn) FILTER (WHERE bin = 20), 0), coalesce(sum(sn) FILTER (WHERE bin = 21), 0), coalesce(sum(sn) FILTER (WHERE bin = 22), 0), coalesce(sum(sn) FILTER (WHERE bin = 23), 0), coalesce(sum(sn) FILTER (WHERE bin = 24), 0), coalesce(sum(sn) FILTER (WHERE bin = 25), 0), coalesce(sum(sn) FILTER (WHERE bin = 26), 0), coalesce(sum(sn) FILTER (WHERE bin = 27), 0), coalesce(sum(sn) FILTER (WHERE bin = 28), 0), coalesce(sum(sn) FILTER (WHERE bin = 29), 0), coalesce(sum(sn) FILTER (WHERE bin = 30), 0), coalesce(sum(sn) FILTER (WHERE bin = 31), 0), coalesce(sum(sn) FILTER (WHERE bin = 32), 0), coalesce(sum(sn) FILTER (WHERE bin = 33), 0), coalesce(sum(sn) FILTER (WHERE bin = 34), 0), coalesce(sum(sn) FILTER (WHERE bin = 35), 0), coalesce(sum(sn) FILTER (WHERE bin = 36), 0), coalesce(sum(sn) FILTER (WHERE bin = 37), 0), coalesce(sum(sn) FILTER (WHERE bin = 38), 0), coalesce(sum(sn) FILTER (WHERE bin = 39), 0), coalesce(sum(sn) FILTER (WHERE bin = 40), 0), coalesce(sum(sn) FILTER (WHERE bin = 41), 0), coalesce(sum(sn) FILTER (WHERE bin = 42), 0), coalesce(sum(sn) FILTER (WHERE bin = 43), 0), coalesce(sum(sn) FILTER (WHERE bin = 44), 0), coalesce(sum(sn) FILTER (WHERE bin = 45), 0), coalesce(sum(sn) FILTER (WHERE bin = 46), 0), coalesce(sum(sn) FILTER (WHERE bin = 47), 0), coalesce(sum(sn) FILTER (WHERE bin = 48), 0), coalesce(sum(sn) FILTER (WHERE bin = 49), 0), coalesce(sum(sn) FILTER (WHERE bin = 50), 0), coalesce(sum(sn) FILTER (WHERE bin = 51), 0), coalesce(sum(sn) FILTER (WHERE bin = 52), 0), coalesce(sum(sn) FILTER (WHERE bin = 53), 0), coalesce(sum(sn) FILTER (WHERE bin = 54), 0), coalesce(sum(sn) FILTER (WHERE bin = 55), 0), coalesce(sum(sn) FILTER (WHERE bin = 56), 0), coalesce(sum(sn) FILTER (WHERE bin = 57), 0), coalesce(sum(sn) FILTER (WHERE bin = 58), 0), coalesce(sum(sn) FILTER (WHERE bin = 59), 0), coalesce(sum(sn) FILTER (WHERE bin = 60), 0), coalesce(sum(sn) FILTER (WHERE bin = 61), 0), coalesce(sum(sn) FILTER (WHERE bin = 62), 0), coalesce(sum(sn) FILTER (WHERE bin = 63), 0), coalesce(sum(sn) FILTER (WHERE bin = 64), 0), coalesce(sum(sn) FILTER (WHERE bin = 65), 0), coalesce(sum(sn) FILTER (WHERE bin = 66), 0), coalesce(sum(sn) FILTER (WHERE bin = 67), 0), coalesce(sum(sn) FILTER (WHERE bin = 68), 0), coalesce(sum(sn) FILTER (WHERE bin = 69), 0), coalesce(sum(sn) FILTER (WHERE bin = 70), 0), coalesce(sum(sn) FILTER (WHERE bin = 71), 0), coalesce(sum(sn) FILTER (WHERE bin = 72), 0), coalesce(sum(sn) FILTER (WHERE bin = 73), 0), coalesce(sum(sn) FILTER (WHERE bin = 74), 0), coalesce(sum(sn) FILTER (WHERE bin = 75), 0), coalesce(sum(sn) FILTER (WHERE bin = 76), 0), coalesce(sum(sn) FILTER (WHERE bin = 77), 0), coalesce(sum(sn) FILTER (WHERE bin = 78), 0), coalesce(sum(sn) FILTER (WHERE bin = 79), 0), coalesce(sum(sn) FILTER (WHERE bin = 80), 0), coalesce(sum(sn) FILTER (WHERE bin = 81), 0), coalesce(sum(sn) FILTER (WHERE bin = 82), 0), coalesce(sum(sn) FILTER (WHERE bin = 83), 0), coalesce(sum(sn) FILTER (WHERE bin = 84), 0), coalesce(sum(sn) FILTER (WHERE bin = 85), 0), coalesce(sum(sn) FILTER (WHERE bin = 86), 0), coalesce(sum(sn) FILTER (WHERE bin = 87), 0), coalesce(sum(sn) FILTER (WHERE bin = 88), 0)]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, -1 * n AS sn FROM old_rows) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id) DO UPDATE SET wide = ARRAY[a.wide[1] + excluded.wide[1], a.wide[2] + excluded.wide[2], a.wide[3] + excluded.wide[3], a.wide[4] + excluded.wide[4], a.wide[5] + excluded.wide[5], a.wide[6] + excluded.wide[6], a.wide[7] + excluded.wide[7], a.wide[8] + excluded.wide[8], a.wide[9] + excluded.wide[9], a.wide[10] + excluded.wide[10], a.wide[11] + excluded.wide[11], a.wide[12] + excluded.wide[12], a.wide[13] + excluded.wide[13], a.wide[14] + excluded.wide[14], a.wide[15] + excluded.wide[15], a.wide[16] + excluded.wide[16], a.wide[17] + excluded.wide[17], a.wide[18] + excluded.wide[18], a.wide[19] + excluded.wide[19], a.wide[20] + excluded.wide[20], a.wide[21] + excluded.wide[21], a.wide[22] + excluded.wide[22], a.wide[23] + excluded.wide[23], a.wide[24] + excluded.wide[24], a.wide[25] + excluded.wide[25], a.wide[26] + excluded.wide[26], a.wide[27] + excluded.wide[27], a.wide[28] + excluded.wide[28], a.wide[29] + excluded.wide[29], a.wide[30] + excluded.wide[30], a.wide[31] + excluded.wide[31], a.wide[32] + excluded.wide[32], a.wide[33] + excluded.wide[33], a.wide[34] + excluded.wide[34], a.wide[35] + excluded.wide[35], a.wide[36] + excluded.wide[36], a.wide[37] + excluded.wide[37], a.wide[38] + excluded.wide[38], a.wide[39] + excluded.wide[39], a.wide[40] + excluded.wide[40], a.wide[41] + excluded.wide[41], a.wide[42] + excluded.wide[42], a.wide[43] + excluded.wide[43], a.wide[44] + excluded.wide[44], a.wide[45] + excluded.wide[45], a.wide[46] + excluded.wide[46], a.wide[47] + excluded.wide[47], a.wide[48] + excluded.wide[48], a.wide[49] + excluded.wide[49], a.wide[50] + excluded.wide[50], a.wide[51] + excluded.wide[51], a.wide[52] + excluded.wide[52], a.wide[53] + excluded.wide[53], a.wide[54] + excluded.wide[54], a.wide[55] + excluded.wide[55], a.wide[56] + excluded.wide[56], a.wide[57] + excluded.wide[57], a.wide[58] + excluded.wide[58], a.wide[59] + excluded.wide[59], a.wide[60] + excluded.wide[60], a.wide[61] + excluded.wide[61], a.wide[62] + excluded.wide[62], a.wide[63] + excluded.wide[63], a.wide[64] + excluded.wide[64], a.wide[65] + excluded.wide[65], a.wide[66] + excluded.wide[66], a.wide[67] + excluded.wide[67], a.wide[68] + excluded.wide[68], a.wide[69] + excluded.wide[69], a.wide[70] + excluded.wide[70], a.wide[71] + excluded.wide[71], a.wide[72] + excluded.wide[72], a.wide[73] + excluded.wide[73], a.wide[74] + excluded.wide[74], a.wide[75] + excluded.wide[75], a.wide[76] + excluded.wide[76], a.wide[77] + excluded.wide[77], a.wide[78] + excluded.wide[78], a.wide[79] + excluded.wide[79], a.wide[80] + excluded.wide[80], a.wide[81] + excluded.wide[81], a.wide[82] + excluded.wide[82], a.wide[83] + excluded.wide[83], a.wide[84] + excluded.wide[84], a.wide[85] + excluded.wide[85], a.wide[86] + excluded.wide[86], a.wide[87] + excluded.wide[87], a.wide[88] + excluded.wide[88], a.wide[89] + excluded.wide[89]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_counts_any_insert()
CREATE OR REPLACE FUNCTION public.analytics_frt_counts_any_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_counts_any_priority AS a (gmask, grain, bucket, assigned_to, ticket_type_id, wide)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, ARRAY[coalesce(sum(sn) FILTER (WHERE bin = 0), 0), coalesce(sum(sn) FILTER (WHERE bin = 1), 0), coalesce(sum(sn) FILTER (WHERE bin = 2), 0), coalesce(sum(sn) FILTER (WHERE bin = 3), 0), coalesce(sum(sn) FILTER (WHERE bin = 4), 0), coalesce(sum(sn) FILTER (WHERE bin = 5), 0), coalesce(sum(sn) FILTER (WHERE bin = 6), 0), coalesce(sum(sn) FILTER (WHERE bin = 7), 0), coalesce(sum(sn) FILTER (WHERE bin = 8), 0), coalesce(sum(sn) FILTER (WHERE bin = 9), 0), coalesce(sum(sn) FILTER (WHERE bin = 10), 0), coalesce(sum(sn) FILTER (WHERE bin = 11), 0), coalesce(sum(sn) FILTER (WHERE bin = 12), 0), coalesce(sum(sn) FILTER (WHERE bin = 13), 0), coalesce(sum(sn) FILTER (WHERE bin = 14), 0), coalesce(sum(sn) FILTER (WHERE bin = 15), 0), coalesce(sum(sn) FILTER (WHERE bin = 16), 0), coalesce(sum(sn) FILTER (WHERE bin = 17), 0), coalesce(sum(sn) FILTER (WHERE bin = 18), 0), coalesce(sum(sn) FILTER (WHERE bin = 19), 0), coalesce(sum(sn) FILTER (WHERE bin = 20), 0), coalesce(sum(sn) FILTER (WHERE bin = 21), 0), coalesce(sum(sn) FILTER (WHERE bin = 22), 0), coalesce(sum(sn) FILTER (WHERE bin = 23), 0), coalesce(sum(sn) FILTER (WHERE bin = 24), 0), coalesce(sum(sn) FILTER (WHERE bin = 25), 0), coalesce(sum(sn) FILTER (WHERE bin = 26), 0), coalesce(sum(sn) FILTER (WHERE bin = 27), 0), coalesce(sum(sn) FILTER (WHERE bin = 28), 0), coalesce(sum(sn) FILTER (WHERE bin = 29), 0), coalesce(sum(sn) FILTER (WHERE bin = 30), 0), coalesce(sum(sn) FILTER (WHERE bin = 31), 0), coalesce(sum(sn) FILTER (WHERE bin = 32), 0), coalesce(sum(sn) FILTER (WHERE bin = 33), 0), coalesce(sum(sn) FILTER (WHERE bin = 34), 0), coalesce(sum(sn) FILTER (WHERE bin = 35), 0), coalesce(sum(sn) FILTER (WHERE bin = 36), 0), coalesce(sum(sn) FILTER (WHERE bin = 37), 0), coalesce(sum(sn) FILTER (WHERE bin = 38), 0), coalesce(sum(sn) FILTER (WHERE bin = 39), 0), coalesce(sum(sn) FILTER (WHERE bin = 40), 0), coalesce(sum(sn) FILTER (WHERE bin = 41), 0), coalesce(sum(sn) FILTER (WHERE bin = 42), 0), coalesce(sum(sn) FILTER (WHERE bin = 43), 0), coalesce(sum(sn) FILTER (WHERE bin = 44), 0), coalesce(sum(sn) FILTER (WHERE bin = 45), 0), coalesce(sum(sn) FILTER (WHERE bin = 46), 0), coalesce(sum(sn) FILTER (WHERE bin = 47), 0), coalesce(sum(sn) FILTER (WHERE bin = 48), 0), coalesce(sum(sn) FILTER (WHERE bin = 49), 0), coalesce(sum(sn) FILTER (WHERE bin = 50), 0), coalesce(sum(sn) FILTER (WHERE bin = 51), 0), coalesce(sum(sn) FILTER (WHERE bin = 52), 0), coalesce(sum(sn) FILTER (WHERE bin = 53), 0), coalesce(sum(sn) FILTER (WHERE bin = 54), 0), coalesce(sum(sn) FILTER (WHERE bin = 55), 0), coalesce(sum(sn) FILTER (WHERE bin = 56), 0), coalesce(sum(sn) FILTER (WHERE bin = 57), 0), coalesce(sum(sn) FILTER (WHERE bin = 58), 0), coalesce(sum(sn) FILTER (WHERE bin = 59), 0), coalesce(sum(sn) FILTER (WHERE bin = 60), 0), coalesce(sum(sn) FILTER (WHERE bin = 61), 0), coalesce(sum(sn) FILTER (WHERE bin = 62), 0), coalesce(sum(sn) FILTER (WHERE bin = 63), 0), coalesce(sum(sn) FILTER (WHERE bin = 64), 0), coalesce(sum(sn) FILTER (WHERE bin = 65), 0), coalesce(sum(sn) FILTER (WHERE bin = 66), 0), coalesce(sum(sn) FILTER (WHERE bin = 67), 0), coalesce(sum(sn) FILTER (WHERE bin = 68), 0), coalesce(sum(sn) FILTER (WHERE bin = 69), 0), coalesce(sum(sn) FILTER (WHERE bin = 70), 0), coalesce(sum(sn) FILTER (WHERE bin = 71), 0), coalesce(sum(sn) FILTER (WHERE bin = 72), 0), coalesce(sum(sn) FILTER (WHERE bin = 73), 0), coalesce(sum(sn) FILTER (WHERE bin = 74), 0), coalesce(sum(sn) FILTER (WHERE bin = 75), 0), coalesce(sum(sn) FILTER (WHERE bin = 76), 0), coalesce(sum(sn) FILTER (WHERE bin = 77), 0), coalesce(sum(sn) FILTER (WHERE bin = 78), 0), coalesce(sum(sn) FILTER (WHERE bin = 79), 0), coalesce(sum(sn) FILTER (WHERE bin = 80), 0), coalesce(sum(sn) FILTER (WHERE bin = 81), 0), coalesce(sum(sn) FILTER (WHERE bin = 82), 0), coalesce(sum(sn) FILTER (WHERE bin = 83), 0), coalesce(sum(sn) FILTER (WHERE bin = 84), 0), coalesce(sum(sn) FILTER (WHERE bin = 85), 0), coalesce(sum(sn) FILTER (WHERE bin = 86), 0), coalesce(sum(sn) FILTER (WHERE bin = 87), 0), coalesce(sum(sn) FILTER (WHERE bin = 88), 0)]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, 1 * n AS sn FROM new_rows) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id) DO UPDATE SET wide = ARRAY[a.wide[1] + excluded.wide[1], a.wide[2] + excluded.wide[2], a.wide[3] + excluded.wide[3], a.wide[4] + excluded.wide[4], a.wide[5] + excluded.wide[5], a.wide[6] + excluded.wide[6], a.wide[7] + excluded.wide[7], a.wide[8] + excluded.wide[8], a.wide[9] + excluded.wide[9], a.wide[10] + excluded.wide[10], a.wide[11] + excluded.wide[11], a.wide[12] + excluded.wide[12], a.wide[13] + excluded.wide[13], a.wide[14] + excluded.wide[14], a.wide[15] + excluded.wide[15], a.wide[16] + excluded.wide[16], a.wide[17] + excluded.wide[17], a.wide[18] + excluded.wide[18], a.wide[19] + excluded.wide[19], a.wide[20] + excluded.wide[20], a.wide[21] + excluded.wide[21], a.wide[22] + excluded.wide[22], a.wide[23] + excluded.wide[23], a.wide[24] + excluded.wide[24], a.wide[25] + excluded.wide[25], a.wide[26] + excluded.wide[26], a.wide[27] + excluded.wide[27], a.wide[28] + excluded.wide[28], a.wide[29] + excluded.wide[29], a.wide[30] + excluded.wide[30], a.wide[31] + excluded.wide[31], a.wide[32] + excluded.wide[32], a.wide[33] + excluded.wide[33], a.wide[34] + excluded.wide[34], a.wide[35] + excluded.wide[35], a.wide[36] + excluded.wide[36], a.wide[37] + excluded.wide[37], a.wide[38] + excluded.wide[38], a.wide[39] + excluded.wide[39], a.wide[40] + excluded.wide[40], a.wide[41] + excluded.wide[41], a.wide[42] + excluded.wide[42], a.wide[43] + excluded.wide[43], a.wide[44] + excluded.wide[44], a.wide[45] + excluded.wide[45], a.wide[46] + excluded.wide[46], a.wide[47] + excluded.wide[47], a.wide[48] + excluded.wide[48], a.wide[49] + excluded.wide[49], a.wide[50] + excluded.wide[50], a.wide[51] + excluded.wide[51], a.wide[52] + excluded.wide[52], a.wide[53] + excluded.wide[53], a.wide[54] + excluded.wide[54], a.wide[55] + excluded.wide[55], a.wide[56] + excluded.wide[56], a.wide[57] + excluded.wide[57], a.wide[58] + excluded.wide[58], a.wide[59] + excluded.wide[59], a.wide[60] + excluded.wide[60], a.wide[61] + excluded.wide[61], a.wide[62] + excluded.wide[62], a.wide[63] + excluded.wide[63], a.wide[64] + excluded.wide[64], a.wide[65] + excluded.wide[65], a.wide[66] + excluded.wide[66], a.wide[67] + excluded.wide[67], a.wide[68] + excluded.wide[68], a.wide[69] + excluded.wide[69], a.wide[70] + excluded.wide[70], a.wide[71] + excluded.wide[71], a.wide[72] + excluded.wide[72], a.wide[73] + excluded.wide[73], a.wide[74] + excluded.wide[74], a.wide[75] + excluded.wide[75], a.wide[76] + excluded.wide[76], a.wide[77] + excluded.wide[77], a.wide[78] + excluded.wide[78], a.wide[79] + excluded.wide[79], a.wide[80] + excluded.wide[80], a.wide[81] + excluded.wide[81], a.wide[82] + excluded.wide[82], a.wide[83] + excluded.wide[83], a.wide[84] + excluded.wide[84], a.wide[85] + excluded.wide[85], a.wide[86] + excluded.wide[86], a.wide[87] + excluded.wide[87], a.wide[88] + excluded.wide[88], a.wide[89] + excluded.wide[89]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_counts_any_truncate()
CREATE OR REPLACE FUNCTION public.analytics_frt_counts_any_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  TRUNCATE analytics_frt_counts_any_priority;
  RETURN NULL;
END $function$;

-- analytics_frt_counts_any_update()
CREATE OR REPLACE FUNCTION public.analytics_frt_counts_any_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_counts_any_priority AS a (gmask, grain, bucket, assigned_to, ticket_type_id, wide)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, ARRAY[coalesce(sum(sn) FILTER (WHERE bin = 0), 0), coalesce(sum(sn) FILTER (WHERE bin = 1), 0), coalesce(sum(sn) FILTER (WHERE bin = 2), 0), coalesce(sum(sn) FILTER (WHERE bin = 3), 0), coalesce(sum(sn) FILTER (WHERE bin = 4), 0), coalesce(sum(sn) FILTER (WHERE bin = 5), 0), coalesce(sum(sn) FILTER (WHERE bin = 6), 0), coalesce(sum(sn) FILTER (WHERE bin = 7), 0), coalesce(sum(sn) FILTER (WHERE bin = 8), 0), coalesce(sum(sn) FILTER (WHERE bin = 9), 0), coalesce(sum(sn) FILTER (WHERE bin = 10), 0), coalesce(sum(sn) FILTER (WHERE bin = 11), 0), coalesce(sum(sn) FILTER (WHERE bin = 12), 0), coalesce(sum(sn) FILTER (WHERE bin = 13), 0), coalesce(sum(sn) FILTER (WHERE bin = 14), 0), coalesce(sum(sn) FILTER (WHERE bin = 15), 0), coalesce(sum(sn) FILTER (WHERE bin = 16), 0), coalesce(sum(sn) FILTER (WHERE bin = 17), 0), coalesce(sum(sn) FILTER (WHERE bin = 18), 0), coalesce(sum(sn) FILTER (WHERE bin = 19), 0), coalesce(sum(sn) FILTER (WHERE bin = 20), 0), coalesce(sum(sn) FILTER (WHERE bin = 21), 0), coalesce(sum(sn) FILTER (WHERE bin = 22), 0), coalesce(sum(sn) FILTER (WHERE bin = 23), 0), coalesce(sum(sn) FILTER (WHERE bin = 24), 0), coalesce(sum(sn) FILTER (WHERE bin = 25), 0), coalesce(sum(sn) FILTER (WHERE bin = 26), 0), coalesce(sum(sn) FILTER (WHERE bin = 27), 0), coalesce(sum(sn) FILTER (WHERE bin = 28), 0), coalesce(sum(sn) FILTER (WHERE bin = 29), 0), coalesce(sum(sn) FILTER (WHERE bin = 30), 0), coalesce(sum(sn) FILTER (WHERE bin = 31), 0), coalesce(sum(sn) FILTER (WHERE bin = 32), 0), coalesce(sum(sn) FILTER (WHERE bin = 33), 0), coalesce(sum(sn) FILTER (WHERE bin = 34), 0), coalesce(sum(sn) FILTER (WHERE bin = 35), 0), coalesce(sum(sn) FILTER (WHERE bin = 36), 0), coalesce(sum(sn) FILTER (WHERE bin = 37), 0), coalesce(sum(sn) FILTER (WHERE bin = 38), 0), coalesce(sum(sn) FILTER (WHERE bin = 39), 0), coalesce(sum(sn) FILTER (WHERE bin = 40), 0), coalesce(sum(sn) FILTER (WHERE bin = 41), 0), coalesce(sum(sn) FILTER (WHERE bin = 42), 0), coalesce(sum(sn) FILTER (WHERE bin = 43), 0), coalesce(sum(sn) FILTER (WHERE bin = 44), 0), coalesce(sum(sn) FILTER (WHERE bin = 45), 0), coalesce(sum(sn) FILTER (WHERE bin = 46), 0), coalesce(sum(sn) FILTER (WHERE bin = 47), 0), coalesce(sum(sn) FILTER (WHERE bin = 48), 0), coalesce(sum(sn) FILTER (WHERE bin = 49), 0), coalesce(sum(sn) FILTER (WHERE bin = 50), 0), coalesce(sum(sn) FILTER (WHERE bin = 51), 0), coalesce(sum(sn) FILTER (WHERE bin = 52), 0), coalesce(sum(sn) FILTER (WHERE bin = 53), 0), coalesce(sum(sn) FILTER (WHERE bin = 54), 0), coalesce(sum(sn) FILTER (WHERE bin = 55), 0), coalesce(sum(sn) FILTER (WHERE bin = 56), 0), coalesce(sum(sn) FILTER (WHERE bin = 57), 0), coalesce(sum(sn) FILTER (WHERE bin = 58), 0), coalesce(sum(sn) FILTER (WHERE bin = 59), 0), coalesce(sum(sn) FILTER (WHERE bin = 60), 0), coalesce(sum(sn) FILTER (WHERE bin = 61), 0), coalesce(sum(sn) FILTER (WHERE bin = 62), 0), coalesce(sum(sn) FILTER (WHERE bin = 63), 0), coalesce(sum(sn) FILTER (WHERE bin = 64), 0), coalesce(sum(sn) FILTER (WHERE bin = 65), 0), coalesce(sum(sn) FILTER (WHERE bin = 66), 0), coalesce(sum(sn) FILTER (WHERE bin = 67), 0), coalesce(sum(sn) FILTER (WHERE bin = 68), 0), coalesce(sum(sn) FILTER (WHERE bin = 69), 0), coalesce(sum(sn) FILTER (WHERE bin = 70), 0), coalesce(sum(sn) FILTER (WHERE bin = 71), 0), coalesce(sum(sn) FILTER (WHERE bin = 72), 0), coalesce(sum(sn) FILTER (WHERE bin = 73), 0), coalesce(sum(sn) FILTER (WHERE bin = 74), 0), coalesce(sum(sn) FILTER (WHERE bin = 75), 0), coalesce(sum(sn) FILTER (WHERE bin = 76), 0), coalesce(sum(sn) FILTER (WHERE bin = 77), 0), coalesce(sum(sn) FILTER (WHERE bin = 78), 0), coalesce(sum(sn) FILTER (WHERE bin = 79), 0), coalesce(sum(sn) FILTER (WHERE bin = 80), 0), coalesce(sum(sn) FILTER (WHERE bin = 81), 0), coalesce(sum(sn) FILTER (WHERE bin = 82), 0), coalesce(sum(sn) FILTER (WHERE bin = 83), 0), coalesce(sum(sn) FILTER (WHERE bin = 84), 0), coalesce(sum(sn) FILTER (WHERE bin = 85), 0), coalesce(sum(sn) FILTER (WHERE bin = 86), 0), coalesce(sum(sn) FILTER (WHERE bin = 87), 0), coalesce(sum(sn) FILTER (WHERE bin = 88), 0)]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, -1 * n AS sn FROM old_rows UNION ALL SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, 1 * n AS sn FROM new_rows) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id) DO UPDATE SET wide = ARRAY[a.wide[1] + excluded.wide[1], a.wide[2] + excluded.wide[2], a.wide[3] + excluded.wide[3], a.wide[4] + excluded.wide[4], a.wide[5] + excluded.wide[5], a.wide[6] + excluded.wide[6], a.wide[7] + excluded.wide[7], a.wide[8] + excluded.wide[8], a.wide[9] + excluded.wide[9], a.wide[10] + excluded.wide[10], a.wide[11] + excluded.wide[11], a.wide[12] + excluded.wide[12], a.wide[13] + excluded.wide[13], a.wide[14] + excluded.wide[14], a.wide[15] + excluded.wide[15], a.wide[16] + excluded.wide[16], a.wide[17] + excluded.wide[17], a.wide[18] + excluded.wide[18], a.wide[19] + excluded.wide[19], a.wide[20] + excluded.wide[20], a.wide[21] + excluded.wide[21], a.wide[22] + excluded.wide[22], a.wide[23] + excluded.wide[23], a.wide[24] + excluded.wide[24], a.wide[25] + excluded.wide[25], a.wide[26] + excluded.wide[26], a.wide[27] + excluded.wide[27], a.wide[28] + excluded.wide[28], a.wide[29] + excluded.wide[29], a.wide[30] + excluded.wide[30], a.wide[31] + excluded.wide[31], a.wide[32] + excluded.wide[32], a.wide[33] + excluded.wide[33], a.wide[34] + excluded.wide[34], a.wide[35] + excluded.wide[35], a.wide[36] + excluded.wide[36], a.wide[37] + excluded.wide[37], a.wide[38] + excluded.wide[38], a.wide[39] + excluded.wide[39], a.wide[40] + excluded.wide[40], a.wide[41] + excluded.wide[41], a.wide[42] + excluded.wide[42], a.wide[43] + excluded.wide[43], a.wide[44] + excluded.wide[44], a.wide[45] + excluded.wide[45], a.wide[46] + excluded.wide[46], a.wide[47] + excluded.wide[47], a.wide[48] + excluded.wide[48], a.wide[49] + excluded.wide[49], a.wide[50] + excluded.wide[50], a.wide[51] + excluded.wide[51], a.wide[52] + excluded.wide[52], a.wide[53] + excluded.wide[53], a.wide[54] + excluded.wide[54], a.wide[55] + excluded.wide[55], a.wide[56] + excluded.wide[56], a.wide[57] + excluded.wide[57], a.wide[58] + excluded.wide[58], a.wide[59] + excluded.wide[59], a.wide[60] + excluded.wide[60], a.wide[61] + excluded.wide[61], a.wide[62] + excluded.wide[62], a.wide[63] + excluded.wide[63], a.wide[64] + excluded.wide[64], a.wide[65] + excluded.wide[65], a.wide[66] + excluded.wide[66], a.wide[67] + excluded.wide[67], a.wide[68] + excluded.wide[68], a.wide[69] + excluded.wide[69], a.wide[70] + excluded.wide[70], a.wide[71] + excluded.wide[71], a.wide[72] + excluded.wide[72], a.wide[73] + excluded.wide[73], a.wide[74] + excluded.wide[74], a.wide[75] + excluded.wide[75], a.wide[76] + excluded.wide[76], a.wide[77] + excluded.wide[77], a.wide[78] + excluded.wide[78], a.wide[79] + excluded.wide[79], a.wide[80] + excluded.wide[80], a.wide[81] + excluded.wide[81], a.wide[82] + excluded.wide[82], a.wide[83] + excluded.wide[83], a.wide[84] + excluded.wide[84], a.wide[85] + excluded.wide[85], a.wide[86] + excluded.wide[86], a.wide[87] + excluded.wide[87], a.wide[88] + excluded.wide[88], a.wide[89] + excluded.wide[89]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_counts_delete()
CREATE OR REPLACE FUNCTION public.analytics_frt_counts_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_counts AS a (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, wide)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, ARRAY[coalesce(sum(sn) FILTER (WHERE bin = 0), 0), coalesce(sum(sn) FILTER (WHERE bin = 1), 0), coalesce(sum(sn) FILTER (WHERE bin = 2), 0), coalesce(sum(sn) FILTER (WHERE bin = 3), 0), coalesce(sum(sn) FILTER (WHERE bin = 4), 0), coalesce(sum(sn) FILTER (WHERE bin = 5), 0), coalesce(sum(sn) FILTER (WHERE bin = 6), 0), coalesce(sum(sn) FILTER (WHERE bin = 7), 0), coalesce(sum(sn) FILTER (WHERE bin = 8), 0), coalesce(sum(sn) FILTER (WHERE bin = 9), 0), coalesce(sum(sn) FILTER (WHERE bin = 10), 0), coalesce(sum(sn) FILTER (WHERE bin = 11), 0), coalesce(sum(sn) FILTER (WHERE bin = 12), 0), coalesce(sum(sn) FILTER (WHERE bin = 13), 0), coalesce(sum(sn) FILTER (WHERE bin = 14), 0), coalesce(sum(sn) FILTER (WHERE bin = 15), 0), coalesce(sum(sn) FILTER (WHERE bin = 16), 0), coalesce(sum(sn) FILTER (WHERE bin = 17), 0), coalesce(sum(sn) FILTER (WHERE bin = 18), 0), coalesce(sum(sn) FILTER (WHERE bin = 19), 0), coalesce(sum(sn) FILTER (WHERE bin = 20), 0), coalesce(sum(sn) FILTER (WHERE bin = 21), 0), coalesce(sum(sn) FILTER (WHERE bin = 22), 0), coalesce(sum(sn) FILTER (WHERE bin = 23), 0), coalesce(sum(sn) FILTER (WHERE bin = 24), 0), coalesce(sum(sn) FILTER (WHERE bin = 25), 0), coalesce(sum(sn) FILTER (WHERE bin = 26), 0), coalesce(sum(sn) FILTER (WHERE bin = 27), 0), coalesce(sum(sn) FILTER (WHERE bin = 28), 0), coalesce(sum(sn) FILTER (WHERE bin = 29), 0), coalesce(sum(sn) FILTER (WHERE bin = 30), 0), coalesce(sum(sn) FILTER (WHERE bin = 31), 0), coalesce(sum(sn) FILTER (WHERE bin = 32), 0), coalesce(sum(sn) FILTER (WHERE bin = 33), 0), coalesce(sum(sn) FILTER (WHERE bin = 34), 0), coalesce(sum(sn) FILTER (WHERE bin = 35), 0), coalesce(sum(sn) FILTER (WHERE bin = 36), 0), coalesce(sum(sn) FILTER (WHERE bin = 37), 0), coalesce(sum(sn) FILTER (WHERE bin = 38), 0), coalesce(sum(sn) FILTER (WHERE bin = 39), 0), coalesce(sum(sn) FILTER (WHERE bin = 40), 0), coalesce(sum(sn) FILTER (WHERE bin = 41), 0), coalesce(sum(sn) FILTER (WHERE bin = 42), 0), coalesce(sum(sn) FILTER (WHERE bin = 43), 0), coalesce(sum(sn) FILTER (WHERE bin = 44), 0), coalesce(sum(sn) FILTER (WHERE bin = 45), 0), coalesce(sum(sn) FILTER (WHERE bin = 46), 0), coalesce(sum(sn) FILTER (WHERE bin = 47), 0), coalesce(sum(sn) FILTER (WHERE bin = 48), 0), coalesce(sum(sn) FILTER (WHERE bin = 49), 0), coalesce(sum(sn) FILTER (WHERE bin = 50), 0), coalesce(sum(sn) FILTER (WHERE bin = 51), 0), coalesce(sum(sn) FILTER (WHERE bin = 52), 0), coalesce(sum(sn) FILTER (WHERE bin = 53), 0), coalesce(sum(sn) FILTER (WHERE bin = 54), 0), coalesce(sum(sn) FILTER (WHERE bin = 55), 0), coalesce(sum(sn) FILTER (WHERE bin = 56), 0), coalesce(sum(sn) FILTER (WHERE bin = 57), 0), coalesce(sum(sn) FILTER (WHERE bin = 58), 0), coalesce(sum(sn) FILTER (WHERE bin = 59), 0), coalesce(sum(sn) FILTER (WHERE bin = 60), 0), coalesce(sum(sn) FILTER (WHERE bin = 61), 0), coalesce(sum(sn) FILTER (WHERE bin = 62), 0), coalesce(sum(sn) FILTER (WHERE bin = 63), 0), coalesce(sum(sn) FILTER (WHERE bin = 64), 0), coalesce(sum(sn) FILTER (WHERE bin = 65), 0), coalesce(sum(sn) FILTER (WHERE bin = 66), 0), coalesce(sum(sn) FILTER (WHERE bin = 67), 0), coalesce(sum(sn) FILTER (WHERE bin = 68), 0), coalesce(sum(sn) FILTER (WHERE bin = 69), 0), coalesce(sum(sn) FILTER (WHERE bin = 70), 0), coalesce(sum(sn) FILTER (WHERE bin = 71), 0), coalesce(sum(sn) FILTER (WHERE bin = 72), 0), coalesce(sum(sn) FILTER (WHERE bin = 73), 0), coalesce(sum(sn) FILTER (WHERE bin = 74), 0), coalesce(sum(sn) FILTER (WHERE bin = 75), 0), coalesce(sum(sn) FILTER (WHERE bin = 76), 0), coalesce(sum(sn) FILTER (WHERE bin = 77), 0), coalesce(sum(sn) FILTER (WHERE bin = 78), 0), coalesce(sum(sn) FILTER (WHERE bin = 79), 0), coalesce(sum(sn) FILTER (WHERE bin = 80), 0), coalesce(sum(sn) FILTER (WHERE bin = 81), 0), coalesce(sum(sn) FILTER (WHERE bin = 82), 0), coalesce(sum(sn) FILTER (WHERE bin = 83), 0), coalesce(sum(sn) FILTER (WHERE bin = 84), 0), coalesce(sum(sn) FILTER (WHERE bin = 85), 0), coalesce(sum(sn) FILTER (WHERE bin = 86), 0), coalesce(sum(sn) FILTER (WHERE bin = 87), 0), coalesce(sum(sn) FILTER (WHERE bin = 88), 0)]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, -1 * n AS sn FROM old_rows) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id) DO UPDATE SET wide = ARRAY[a.wide[1] + excluded.wide[1], a.wide[2] + excluded.wide[2], a.wide[3] + excluded.wide[3], a.wide[4] + excluded.wide[4], a.wide[5] + excluded.wide[5], a.wide[6] + excluded.wide[6], a.wide[7] + excluded.wide[7], a.wide[8] + excluded.wide[8], a.wide[9] + excluded.wide[9], a.wide[10] + excluded.wide[10], a.wide[11] + excluded.wide[11], a.wide[12] + excluded.wide[12], a.wide[13] + excluded.wide[13], a.wide[14] + excluded.wide[14], a.wide[15] + excluded.wide[15], a.wide[16] + excluded.wide[16], a.wide[17] + excluded.wide[17], a.wide[18] + excluded.wide[18], a.wide[19] + excluded.wide[19], a.wide[20] + excluded.wide[20], a.wide[21] + excluded.wide[21], a.wide[22] + excluded.wide[22], a.wide[23] + excluded.wide[23], a.wide[24] + excluded.wide[24], a.wide[25] + excluded.wide[25], a.wide[26] + excluded.wide[26], a.wide[27] + excluded.wide[27], a.wide[28] + excluded.wide[28], a.wide[29] + excluded.wide[29], a.wide[30] + excluded.wide[30], a.wide[31] + excluded.wide[31], a.wide[32] + excluded.wide[32], a.wide[33] + excluded.wide[33], a.wide[34] + excluded.wide[34], a.wide[35] + excluded.wide[35], a.wide[36] + excluded.wide[36], a.wide[37] + excluded.wide[37], a.wide[38] + excluded.wide[38], a.wide[39] + excluded.wide[39], a.wide[40] + excluded.wide[40], a.wide[41] + excluded.wide[41], a.wide[42] + excluded.wide[42], a.wide[43] + excluded.wide[43], a.wide[44] + excluded.wide[44], a.wide[45] + excluded.wide[45], a.wide[46] + excluded.wide[46], a.wide[47] + excluded.wide[47], a.wide[48] + excluded.wide[48], a.wide[49] + excluded.wide[49], a.wide[50] + excluded.wide[50], a.wide[51] + excluded.wide[51], a.wide[52] + excluded.wide[52], a.wide[53] + excluded.wide[53], a.wide[54] + excluded.wide[54], a.wide[55] + excluded.wide[55], a.wide[56] + excluded.wide[56], a.wide[57] + excluded.wide[57], a.wide[58] + excluded.wide[58], a.wide[59] + excluded.wide[59], a.wide[60] + excluded.wide[60], a.wide[61] + excluded.wide[61], a.wide[62] + excluded.wide[62], a.wide[63] + excluded.wide[63], a.wide[64] + excluded.wide[64], a.wide[65] + excluded.wide[65], a.wide[66] + excluded.wide[66], a.wide[67] + excluded.wide[67], a.wide[68] + excluded.wide[68], a.wide[69] + excluded.wide[69], a.wide[70] + excluded.wide[70], a.wide[71] + excluded.wide[71], a.wide[72] + excluded.wide[72], a.wide[73] + excluded.wide[73], a.wide[74] + excluded.wide[74], a.wide[75] + excluded.wide[75], a.wide[76] + excluded.wide[76], a.wide[77] + excluded.wide[77], a.wide[78] + excluded.wide[78], a.wide[79] + excluded.wide[79], a.wide[80] + excluded.wide[80], a.wide[81] + excluded.wide[81], a.wide[82] + excluded.wide[82], a.wide[83] + excluded.wide[83], a.wide[84] + excluded.wide[84], a.wide[85] + excluded.wide[85], a.wide[86] + excluded.wide[86], a.wide[87] + excluded.wide[87], a.wide[88] + excluded.wide[88], a.wide[89] + excluded.wide[89]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_counts_insert()
CREATE OR REPLACE FUNCTION public.analytics_frt_counts_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_counts AS a (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, wide)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, ARRAY[coalesce(sum(sn) FILTER (WHERE bin = 0), 0), coalesce(sum(sn) FILTER (WHERE bin = 1), 0), coalesce(sum(sn) FILTER (WHERE bin = 2), 0), coalesce(sum(sn) FILTER (WHERE bin = 3), 0), coalesce(sum(sn) FILTER (WHERE bin = 4), 0), coalesce(sum(sn) FILTER (WHERE bin = 5), 0), coalesce(sum(sn) FILTER (WHERE bin = 6), 0), coalesce(sum(sn) FILTER (WHERE bin = 7), 0), coalesce(sum(sn) FILTER (WHERE bin = 8), 0), coalesce(sum(sn) FILTER (WHERE bin = 9), 0), coalesce(sum(sn) FILTER (WHERE bin = 10), 0), coalesce(sum(sn) FILTER (WHERE bin = 11), 0), coalesce(sum(sn) FILTER (WHERE bin = 12), 0), coalesce(sum(sn) FILTER (WHERE bin = 13), 0), coalesce(sum(sn) FILTER (WHERE bin = 14), 0), coalesce(sum(sn) FILTER (WHERE bin = 15), 0), coalesce(sum(sn) FILTER (WHERE bin = 16), 0), coalesce(sum(sn) FILTER (WHERE bin = 17), 0), coalesce(sum(sn) FILTER (WHERE bin = 18), 0), coalesce(sum(sn) FILTER (WHERE bin = 19), 0), coalesce(sum(sn) FILTER (WHERE bin = 20), 0), coalesce(sum(sn) FILTER (WHERE bin = 21), 0), coalesce(sum(sn) FILTER (WHERE bin = 22), 0), coalesce(sum(sn) FILTER (WHERE bin = 23), 0), coalesce(sum(sn) FILTER (WHERE bin = 24), 0), coalesce(sum(sn) FILTER (WHERE bin = 25), 0), coalesce(sum(sn) FILTER (WHERE bin = 26), 0), coalesce(sum(sn) FILTER (WHERE bin = 27), 0), coalesce(sum(sn) FILTER (WHERE bin = 28), 0), coalesce(sum(sn) FILTER (WHERE bin = 29), 0), coalesce(sum(sn) FILTER (WHERE bin = 30), 0), coalesce(sum(sn) FILTER (WHERE bin = 31), 0), coalesce(sum(sn) FILTER (WHERE bin = 32), 0), coalesce(sum(sn) FILTER (WHERE bin = 33), 0), coalesce(sum(sn) FILTER (WHERE bin = 34), 0), coalesce(sum(sn) FILTER (WHERE bin = 35), 0), coalesce(sum(sn) FILTER (WHERE bin = 36), 0), coalesce(sum(sn) FILTER (WHERE bin = 37), 0), coalesce(sum(sn) FILTER (WHERE bin = 38), 0), coalesce(sum(sn) FILTER (WHERE bin = 39), 0), coalesce(sum(sn) FILTER (WHERE bin = 40), 0), coalesce(sum(sn) FILTER (WHERE bin = 41), 0), coalesce(sum(sn) FILTER (WHERE bin = 42), 0), coalesce(sum(sn) FILTER (WHERE bin = 43), 0), coalesce(sum(sn) FILTER (WHERE bin = 44), 0), coalesce(sum(sn) FILTER (WHERE bin = 45), 0), coalesce(sum(sn) FILTER (WHERE bin = 46), 0), coalesce(sum(sn) FILTER (WHERE bin = 47), 0), coalesce(sum(sn) FILTER (WHERE bin = 48), 0), coalesce(sum(sn) FILTER (WHERE bin = 49), 0), coalesce(sum(sn) FILTER (WHERE bin = 50), 0), coalesce(sum(sn) FILTER (WHERE bin = 51), 0), coalesce(sum(sn) FILTER (WHERE bin = 52), 0), coalesce(sum(sn) FILTER (WHERE bin = 53), 0), coalesce(sum(sn) FILTER (WHERE bin = 54), 0), coalesce(sum(sn) FILTER (WHERE bin = 55), 0), coalesce(sum(sn) FILTER (WHERE bin = 56), 0), coalesce(sum(sn) FILTER (WHERE bin = 57), 0), coalesce(sum(sn) FILTER (WHERE bin = 58), 0), coalesce(sum(sn) FILTER (WHERE bin = 59), 0), coalesce(sum(sn) FILTER (WHERE bin = 60), 0), coalesce(sum(sn) FILTER (WHERE bin = 61), 0), coalesce(sum(sn) FILTER (WHERE bin = 62), 0), coalesce(sum(sn) FILTER (WHERE bin = 63), 0), coalesce(sum(sn) FILTER (WHERE bin = 64), 0), coalesce(sum(sn) FILTER (WHERE bin = 65), 0), coalesce(sum(sn) FILTER (WHERE bin = 66), 0), coalesce(sum(sn) FILTER (WHERE bin = 67), 0), coalesce(sum(sn) FILTER (WHERE bin = 68), 0), coalesce(sum(sn) FILTER (WHERE bin = 69), 0), coalesce(sum(sn) FILTER (WHERE bin = 70), 0), coalesce(sum(sn) FILTER (WHERE bin = 71), 0), coalesce(sum(sn) FILTER (WHERE bin = 72), 0), coalesce(sum(sn) FILTER (WHERE bin = 73), 0), coalesce(sum(sn) FILTER (WHERE bin = 74), 0), coalesce(sum(sn) FILTER (WHERE bin = 75), 0), coalesce(sum(sn) FILTER (WHERE bin = 76), 0), coalesce(sum(sn) FILTER (WHERE bin = 77), 0), coalesce(sum(sn) FILTER (WHERE bin = 78), 0), coalesce(sum(sn) FILTER (WHERE bin = 79), 0), coalesce(sum(sn) FILTER (WHERE bin = 80), 0), coalesce(sum(sn) FILTER (WHERE bin = 81), 0), coalesce(sum(sn) FILTER (WHERE bin = 82), 0), coalesce(sum(sn) FILTER (WHERE bin = 83), 0), coalesce(sum(sn) FILTER (WHERE bin = 84), 0), coalesce(sum(sn) FILTER (WHERE bin = 85), 0), coalesce(sum(sn) FILTER (WHERE bin = 86), 0), coalesce(sum(sn) FILTER (WHERE bin = 87), 0), coalesce(sum(sn) FILTER (WHERE bin = 88), 0)]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, 1 * n AS sn FROM new_rows) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id) DO UPDATE SET wide = ARRAY[a.wide[1] + excluded.wide[1], a.wide[2] + excluded.wide[2], a.wide[3] + excluded.wide[3], a.wide[4] + excluded.wide[4], a.wide[5] + excluded.wide[5], a.wide[6] + excluded.wide[6], a.wide[7] + excluded.wide[7], a.wide[8] + excluded.wide[8], a.wide[9] + excluded.wide[9], a.wide[10] + excluded.wide[10], a.wide[11] + excluded.wide[11], a.wide[12] + excluded.wide[12], a.wide[13] + excluded.wide[13], a.wide[14] + excluded.wide[14], a.wide[15] + excluded.wide[15], a.wide[16] + excluded.wide[16], a.wide[17] + excluded.wide[17], a.wide[18] + excluded.wide[18], a.wide[19] + excluded.wide[19], a.wide[20] + excluded.wide[20], a.wide[21] + excluded.wide[21], a.wide[22] + excluded.wide[22], a.wide[23] + excluded.wide[23], a.wide[24] + excluded.wide[24], a.wide[25] + excluded.wide[25], a.wide[26] + excluded.wide[26], a.wide[27] + excluded.wide[27], a.wide[28] + excluded.wide[28], a.wide[29] + excluded.wide[29], a.wide[30] + excluded.wide[30], a.wide[31] + excluded.wide[31], a.wide[32] + excluded.wide[32], a.wide[33] + excluded.wide[33], a.wide[34] + excluded.wide[34], a.wide[35] + excluded.wide[35], a.wide[36] + excluded.wide[36], a.wide[37] + excluded.wide[37], a.wide[38] + excluded.wide[38], a.wide[39] + excluded.wide[39], a.wide[40] + excluded.wide[40], a.wide[41] + excluded.wide[41], a.wide[42] + excluded.wide[42], a.wide[43] + excluded.wide[43], a.wide[44] + excluded.wide[44], a.wide[45] + excluded.wide[45], a.wide[46] + excluded.wide[46], a.wide[47] + excluded.wide[47], a.wide[48] + excluded.wide[48], a.wide[49] + excluded.wide[49], a.wide[50] + excluded.wide[50], a.wide[51] + excluded.wide[51], a.wide[52] + excluded.wide[52], a.wide[53] + excluded.wide[53], a.wide[54] + excluded.wide[54], a.wide[55] + excluded.wide[55], a.wide[56] + excluded.wide[56], a.wide[57] + excluded.wide[57], a.wide[58] + excluded.wide[58], a.wide[59] + excluded.wide[59], a.wide[60] + excluded.wide[60], a.wide[61] + excluded.wide[61], a.wide[62] + excluded.wide[62], a.wide[63] + excluded.wide[63], a.wide[64] + excluded.wide[64], a.wide[65] + excluded.wide[65], a.wide[66] + excluded.wide[66], a.wide[67] + excluded.wide[67], a.wide[68] + excluded.wide[68], a.wide[69] + excluded.wide[69], a.wide[70] + excluded.wide[70], a.wide[71] + excluded.wide[71], a.wide[72] + excluded.wide[72], a.wide[73] + excluded.wide[73], a.wide[74] + excluded.wide[74], a.wide[75] + excluded.wide[75], a.wide[76] + excluded.wide[76], a.wide[77] + excluded.wide[77], a.wide[78] + excluded.wide[78], a.wide[79] + excluded.wide[79], a.wide[80] + excluded.wide[80], a.wide[81] + excluded.wide[81], a.wide[82] + excluded.wide[82], a.wide[83] + excluded.wide[83], a.wide[84] + excluded.wide[84], a.wide[85] + excluded.wide[85], a.wide[86] + excluded.wide[86], a.wide[87] + excluded.wide[87], a.wide[88] + excluded.wide[88], a.wide[89] + excluded.wide[89]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_counts_truncate()
CREATE OR REPLACE FUNCTION public.analytics_frt_counts_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  TRUNCATE analytics_frt_counts;
  RETURN NULL;
END $function$;

-- analytics_frt_counts_update()
CREATE OR REPLACE FUNCTION public.analytics_frt_counts_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_counts AS a (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, wide)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, ARRAY[coalesce(sum(sn) FILTER (WHERE bin = 0), 0), coalesce(sum(sn) FILTER (WHERE bin = 1), 0), coalesce(sum(sn) FILTER (WHERE bin = 2), 0), coalesce(sum(sn) FILTER (WHERE bin = 3), 0), coalesce(sum(sn) FILTER (WHERE bin = 4), 0), coalesce(sum(sn) FILTER (WHERE bin = 5), 0), coalesce(sum(sn) FILTER (WHERE bin = 6), 0), coalesce(sum(sn) FILTER (WHERE bin = 7), 0), coalesce(sum(sn) FILTER (WHERE bin = 8), 0), coalesce(sum(sn) FILTER (WHERE bin = 9), 0), coalesce(sum(sn) FILTER (WHERE bin = 10), 0), coalesce(sum(sn) FILTER (WHERE bin = 11), 0), coalesce(sum(sn) FILTER (WHERE bin = 12), 0), coalesce(sum(sn) FILTER (WHERE bin = 13), 0), coalesce(sum(sn) FILTER (WHERE bin = 14), 0), coalesce(sum(sn) FILTER (WHERE bin = 15), 0), coalesce(sum(sn) FILTER (WHERE bin = 16), 0), coalesce(sum(sn) FILTER (WHERE bin = 17), 0), coalesce(sum(sn) FILTER (WHERE bin = 18), 0), coalesce(sum(sn) FILTER (WHERE bin = 19), 0), coalesce(sum(sn) FILTER (WHERE bin = 20), 0), coalesce(sum(sn) FILTER (WHERE bin = 21), 0), coalesce(sum(sn) FILTER (WHERE bin = 22), 0), coalesce(sum(sn) FILTER (WHERE bin = 23), 0), coalesce(sum(sn) FILTER (WHERE bin = 24), 0), coalesce(sum(sn) FILTER (WHERE bin = 25), 0), coalesce(sum(sn) FILTER (WHERE bin = 26), 0), coalesce(sum(sn) FILTER (WHERE bin = 27), 0), coalesce(sum(sn) FILTER (WHERE bin = 28), 0), coalesce(sum(sn) FILTER (WHERE bin = 29), 0), coalesce(sum(sn) FILTER (WHERE bin = 30), 0), coalesce(sum(sn) FILTER (WHERE bin = 31), 0), coalesce(sum(sn) FILTER (WHERE bin = 32), 0), coalesce(sum(sn) FILTER (WHERE bin = 33), 0), coalesce(sum(sn) FILTER (WHERE bin = 34), 0), coalesce(sum(sn) FILTER (WHERE bin = 35), 0), coalesce(sum(sn) FILTER (WHERE bin = 36), 0), coalesce(sum(sn) FILTER (WHERE bin = 37), 0), coalesce(sum(sn) FILTER (WHERE bin = 38), 0), coalesce(sum(sn) FILTER (WHERE bin = 39), 0), coalesce(sum(sn) FILTER (WHERE bin = 40), 0), coalesce(sum(sn) FILTER (WHERE bin = 41), 0), coalesce(sum(sn) FILTER (WHERE bin = 42), 0), coalesce(sum(sn) FILTER (WHERE bin = 43), 0), coalesce(sum(sn) FILTER (WHERE bin = 44), 0), coalesce(sum(sn) FILTER (WHERE bin = 45), 0), coalesce(sum(sn) FILTER (WHERE bin = 46), 0), coalesce(sum(sn) FILTER (WHERE bin = 47), 0), coalesce(sum(sn) FILTER (WHERE bin = 48), 0), coalesce(sum(sn) FILTER (WHERE bin = 49), 0), coalesce(sum(sn) FILTER (WHERE bin = 50), 0), coalesce(sum(sn) FILTER (WHERE bin = 51), 0), coalesce(sum(sn) FILTER (WHERE bin = 52), 0), coalesce(sum(sn) FILTER (WHERE bin = 53), 0), coalesce(sum(sn) FILTER (WHERE bin = 54), 0), coalesce(sum(sn) FILTER (WHERE bin = 55), 0), coalesce(sum(sn) FILTER (WHERE bin = 56), 0), coalesce(sum(sn) FILTER (WHERE bin = 57), 0), coalesce(sum(sn) FILTER (WHERE bin = 58), 0), coalesce(sum(sn) FILTER (WHERE bin = 59), 0), coalesce(sum(sn) FILTER (WHERE bin = 60), 0), coalesce(sum(sn) FILTER (WHERE bin = 61), 0), coalesce(sum(sn) FILTER (WHERE bin = 62), 0), coalesce(sum(sn) FILTER (WHERE bin = 63), 0), coalesce(sum(sn) FILTER (WHERE bin = 64), 0), coalesce(sum(sn) FILTER (WHERE bin = 65), 0), coalesce(sum(sn) FILTER (WHERE bin = 66), 0), coalesce(sum(sn) FILTER (WHERE bin = 67), 0), coalesce(sum(sn) FILTER (WHERE bin = 68), 0), coalesce(sum(sn) FILTER (WHERE bin = 69), 0), coalesce(sum(sn) FILTER (WHERE bin = 70), 0), coalesce(sum(sn) FILTER (WHERE bin = 71), 0), coalesce(sum(sn) FILTER (WHERE bin = 72), 0), coalesce(sum(sn) FILTER (WHERE bin = 73), 0), coalesce(sum(sn) FILTER (WHERE bin = 74), 0), coalesce(sum(sn) FILTER (WHERE bin = 75), 0), coalesce(sum(sn) FILTER (WHERE bin = 76), 0), coalesce(sum(sn) FILTER (WHERE bin = 77), 0), coalesce(sum(sn) FILTER (WHERE bin = 78), 0), coalesce(sum(sn) FILTER (WHERE bin = 79), 0), coalesce(sum(sn) FILTER (WHERE bin = 80), 0), coalesce(sum(sn) FILTER (WHERE bin = 81), 0), coalesce(sum(sn) FILTER (WHERE bin = 82), 0), coalesce(sum(sn) FILTER (WHERE bin = 83), 0), coalesce(sum(sn) FILTER (WHERE bin = 84), 0), coalesce(sum(sn) FILTER (WHERE bin = 85), 0), coalesce(sum(sn) FILTER (WHERE bin = 86), 0), coalesce(sum(sn) FILTER (WHERE bin = 87), 0), coalesce(sum(sn) FILTER (WHERE bin = 88), 0)]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, -1 * n AS sn FROM old_rows UNION ALL SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, 1 * n AS sn FROM new_rows) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id) DO UPDATE SET wide = ARRAY[a.wide[1] + excluded.wide[1], a.wide[2] + excluded.wide[2], a.wide[3] + excluded.wide[3], a.wide[4] + excluded.wide[4], a.wide[5] + excluded.wide[5], a.wide[6] + excluded.wide[6], a.wide[7] + excluded.wide[7], a.wide[8] + excluded.wide[8], a.wide[9] + excluded.wide[9], a.wide[10] + excluded.wide[10], a.wide[11] + excluded.wide[11], a.wide[12] + excluded.wide[12], a.wide[13] + excluded.wide[13], a.wide[14] + excluded.wide[14], a.wide[15] + excluded.wide[15], a.wide[16] + excluded.wide[16], a.wide[17] + excluded.wide[17], a.wide[18] + excluded.wide[18], a.wide[19] + excluded.wide[19], a.wide[20] + excluded.wide[20], a.wide[21] + excluded.wide[21], a.wide[22] + excluded.wide[22], a.wide[23] + excluded.wide[23], a.wide[24] + excluded.wide[24], a.wide[25] + excluded.wide[25], a.wide[26] + excluded.wide[26], a.wide[27] + excluded.wide[27], a.wide[28] + excluded.wide[28], a.wide[29] + excluded.wide[29], a.wide[30] + excluded.wide[30], a.wide[31] + excluded.wide[31], a.wide[32] + excluded.wide[32], a.wide[33] + excluded.wide[33], a.wide[34] + excluded.wide[34], a.wide[35] + excluded.wide[35], a.wide[36] + excluded.wide[36], a.wide[37] + excluded.wide[37], a.wide[38] + excluded.wide[38], a.wide[39] + excluded.wide[39], a.wide[40] + excluded.wide[40], a.wide[41] + excluded.wide[41], a.wide[42] + excluded.wide[42], a.wide[43] + excluded.wide[43], a.wide[44] + excluded.wide[44], a.wide[45] + excluded.wide[45], a.wide[46] + excluded.wide[46], a.wide[47] + excluded.wide[47], a.wide[48] + excluded.wide[48], a.wide[49] + excluded.wide[49], a.wide[50] + excluded.wide[50], a.wide[51] + excluded.wide[51], a.wide[52] + excluded.wide[52], a.wide[53] + excluded.wide[53], a.wide[54] + excluded.wide[54], a.wide[55] + excluded.wide[55], a.wide[56] + excluded.wide[56], a.wide[57] + excluded.wide[57], a.wide[58] + excluded.wide[58], a.wide[59] + excluded.wide[59], a.wide[60] + excluded.wide[60], a.wide[61] + excluded.wide[61], a.wide[62] + excluded.wide[62], a.wide[63] + excluded.wide[63], a.wide[64] + excluded.wide[64], a.wide[65] + excluded.wide[65], a.wide[66] + excluded.wide[66], a.wide[67] + excluded.wide[67], a.wide[68] + excluded.wide[68], a.wide[69] + excluded.wide[69], a.wide[70] + excluded.wide[70], a.wide[71] + excluded.wide[71], a.wide[72] + excluded.wide[72], a.wide[73] + excluded.wide[73], a.wide[74] + excluded.wide[74], a.wide[75] + excluded.wide[75], a.wide[76] + excluded.wide[76], a.wide[77] + excluded.wide[77], a.wide[78] + excluded.wide[78], a.wide[79] + excluded.wide[79], a.wide[80] + excluded.wide[80], a.wide[81] + excluded.wide[81], a.wide[82] + excluded.wide[82], a.wide[83] + excluded.wide[83], a.wide[84] + excluded.wide[84], a.wide[85] + excluded.wide[85], a.wide[86] + excluded.wide[86], a.wide[87] + excluded.wide[87], a.wide[88] + excluded.wide[88], a.wide[89] + excluded.wide[89]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_wide_any_delete()
CREATE OR REPLACE FUNCTION public.analytics_frt_wide_any_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_wide_any_priority AS a (gmask, grain, bucket, assigned_to, ticket_type_id, bin, n, fine)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, sum(sn), ARRAY[sum(sg * fine[1]), sum(sg * fine[2]), sum(sg * fine[3]), sum(sg * fine[4]), sum(sg * fine[5]), sum(sg * fine[6]), sum(sg * fine[7]), sum(sg * fine[8]), sum(sg * fine[9]), sum(sg * fine[10]), sum(sg * fine[11]), sum(sg * fine[12]), sum(sg * fine[13]), sum(sg * fine[14]), sum(sg * fine[15]), sum(sg * fine[16])]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, -1 AS sg, -1 * n AS sn, fine FROM old_rows WHERE gmask < 4) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, bin) DO UPDATE SET n = a.n + excluded.n, fine = ARRAY[a.fine[1] + excluded.fine[1], a.fine[2] + excluded.fine[2], a.fine[3] + excluded.fine[3], a.fine[4] + excluded.fine[4], a.fine[5] + excluded.fine[5], a.fine[6] + excluded.fine[6], a.fine[7] + excluded.fine[7], a.fine[8] + excluded.fine[8], a.fine[9] + excluded.fine[9], a.fine[10] + excluded.fine[10], a.fine[11] + excluded.fine[11], a.fine[12] + excluded.fine[12], a.fine[13] + excluded.fine[13], a.fine[14] + excluded.fine[14], a.fine[15] + excluded.fine[15], a.fine[16] + excluded.fine[16]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_wide_any_insert()
CREATE OR REPLACE FUNCTION public.analytics_frt_wide_any_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_wide_any_priority AS a (gmask, grain, bucket, assigned_to, ticket_type_id, bin, n, fine)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, sum(sn), ARRAY[sum(sg * fine[1]), sum(sg * fine[2]), sum(sg * fine[3]), sum(sg * fine[4]), sum(sg * fine[5]), sum(sg * fine[6]), sum(sg * fine[7]), sum(sg * fine[8]), sum(sg * fine[9]), sum(sg * fine[10]), sum(sg * fine[11]), sum(sg * fine[12]), sum(sg * fine[13]), sum(sg * fine[14]), sum(sg * fine[15]), sum(sg * fine[16])]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, 1 AS sg, 1 * n AS sn, fine FROM new_rows WHERE gmask < 4) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, bin) DO UPDATE SET n = a.n + excluded.n, fine = ARRAY[a.fine[1] + excluded.fine[1], a.fine[2] + excluded.fine[2], a.fine[3] + excluded.fine[3], a.fine[4] + excluded.fine[4], a.fine[5] + excluded.fine[5], a.fine[6] + excluded.fine[6], a.fine[7] + excluded.fine[7], a.fine[8] + excluded.fine[8], a.fine[9] + excluded.fine[9], a.fine[10] + excluded.fine[10], a.fine[11] + excluded.fine[11], a.fine[12] + excluded.fine[12], a.fine[13] + excluded.fine[13], a.fine[14] + excluded.fine[14], a.fine[15] + excluded.fine[15], a.fine[16] + excluded.fine[16]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_wide_any_truncate()
CREATE OR REPLACE FUNCTION public.analytics_frt_wide_any_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  TRUNCATE analytics_frt_wide_any_priority;
  RETURN NULL;
END $function$;

-- analytics_frt_wide_any_update()
CREATE OR REPLACE FUNCTION public.analytics_frt_wide_any_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_wide_any_priority AS a (gmask, grain, bucket, assigned_to, ticket_type_id, bin, n, fine)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, sum(sn), ARRAY[sum(sg * fine[1]), sum(sg * fine[2]), sum(sg * fine[3]), sum(sg * fine[4]), sum(sg * fine[5]), sum(sg * fine[6]), sum(sg * fine[7]), sum(sg * fine[8]), sum(sg * fine[9]), sum(sg * fine[10]), sum(sg * fine[11]), sum(sg * fine[12]), sum(sg * fine[13]), sum(sg * fine[14]), sum(sg * fine[15]), sum(sg * fine[16])]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, -1 AS sg, -1 * n AS sn, fine FROM old_rows WHERE gmask < 4 UNION ALL SELECT gmask, grain, bucket, assigned_to, ticket_type_id, bin, 1 AS sg, 1 * n AS sn, fine FROM new_rows WHERE gmask < 4) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, bin
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, bin) DO UPDATE SET n = a.n + excluded.n, fine = ARRAY[a.fine[1] + excluded.fine[1], a.fine[2] + excluded.fine[2], a.fine[3] + excluded.fine[3], a.fine[4] + excluded.fine[4], a.fine[5] + excluded.fine[5], a.fine[6] + excluded.fine[6], a.fine[7] + excluded.fine[7], a.fine[8] + excluded.fine[8], a.fine[9] + excluded.fine[9], a.fine[10] + excluded.fine[10], a.fine[11] + excluded.fine[11], a.fine[12] + excluded.fine[12], a.fine[13] + excluded.fine[13], a.fine[14] + excluded.fine[14], a.fine[15] + excluded.fine[15], a.fine[16] + excluded.fine[16]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_wide_delete()
CREATE OR REPLACE FUNCTION public.analytics_frt_wide_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_wide AS a (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, n, fine)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, sum(sn), ARRAY[coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 0), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 1), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 2), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 3), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 4), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 5), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 6), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 7), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 8), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 9), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 10), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 11), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 12), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 13), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 14), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 15), 0)]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin / 16 AS bin, bin AS fine_bin, -1 * n AS sn FROM old_rows) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin) DO UPDATE SET n = a.n + excluded.n, fine = ARRAY[a.fine[1] + excluded.fine[1], a.fine[2] + excluded.fine[2], a.fine[3] + excluded.fine[3], a.fine[4] + excluded.fine[4], a.fine[5] + excluded.fine[5], a.fine[6] + excluded.fine[6], a.fine[7] + excluded.fine[7], a.fine[8] + excluded.fine[8], a.fine[9] + excluded.fine[9], a.fine[10] + excluded.fine[10], a.fine[11] + excluded.fine[11], a.fine[12] + excluded.fine[12], a.fine[13] + excluded.fine[13], a.fine[14] + excluded.fine[14], a.fine[15] + excluded.fine[15], a.fine[16] + excluded.fine[16]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_wide_insert()
CREATE OR REPLACE FUNCTION public.analytics_frt_wide_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_wide AS a (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, n, fine)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, sum(sn), ARRAY[coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 0), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 1), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 2), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 3), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 4), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 5), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 6), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 7), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 8), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 9), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 10), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 11), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 12), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 13), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 14), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 15), 0)]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin / 16 AS bin, bin AS fine_bin, 1 * n AS sn FROM new_rows) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin) DO UPDATE SET n = a.n + excluded.n, fine = ARRAY[a.fine[1] + excluded.fine[1], a.fine[2] + excluded.fine[2], a.fine[3] + excluded.fine[3], a.fine[4] + excluded.fine[4], a.fine[5] + excluded.fine[5], a.fine[6] + excluded.fine[6], a.fine[7] + excluded.fine[7], a.fine[8] + excluded.fine[8], a.fine[9] + excluded.fine[9], a.fine[10] + excluded.fine[10], a.fine[11] + excluded.fine[11], a.fine[12] + excluded.fine[12], a.fine[13] + excluded.fine[13], a.fine[14] + excluded.fine[14], a.fine[15] + excluded.fine[15], a.fine[16] + excluded.fine[16]]
;
  RETURN NULL;
END $function$;

-- analytics_frt_wide_truncate()
CREATE OR REPLACE FUNCTION public.analytics_frt_wide_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  TRUNCATE analytics_frt_wide;
  RETURN NULL;
END $function$;

-- analytics_frt_wide_update()
CREATE OR REPLACE FUNCTION public.analytics_frt_wide_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_frt_wide AS a (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, n, fine)
SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin, sum(sn), ARRAY[coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 0), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 1), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 2), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 3), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 4), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 5), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 6), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 7), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 8), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 9), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 10), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 11), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 12), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 13), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 14), 0), coalesce(sum(sn) FILTER (WHERE fine_bin % 16 = 15), 0)]::integer[]
FROM (SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin / 16 AS bin, bin AS fine_bin, -1 * n AS sn FROM old_rows UNION ALL SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin / 16 AS bin, bin AS fine_bin, 1 * n AS sn FROM new_rows) r
GROUP BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin
ORDER BY gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id, bin) DO UPDATE SET n = a.n + excluded.n, fine = ARRAY[a.fine[1] + excluded.fine[1], a.fine[2] + excluded.fine[2], a.fine[3] + excluded.fine[3], a.fine[4] + excluded.fine[4], a.fine[5] + excluded.fine[5], a.fine[6] + excluded.fine[6], a.fine[7] + excluded.fine[7], a.fine[8] + excluded.fine[8], a.fine[9] + excluded.fine[9], a.fine[10] + excluded.fine[10], a.fine[11] + excluded.fine[11], a.fine[12] + excluded.fine[12], a.fine[13] + excluded.fine[13], a.fine[14] + excluded.fine[14], a.fine[15] + excluded.fine[15], a.fine[16] + excluded.fine[16]]
;
  RETURN NULL;
END $function$;

-- analytics_hist_delete()
CREATE OR REPLACE FUNCTION public.analytics_hist_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  
INSERT INTO analytics_hours_hist AS h (gmask, grain, bucket, assigned_to, ticket_type_id, priority, bin, n)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' ELSE 'm' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday ELSE cmonth END,
       assigned_to, ticket_type_id, priority, bin, -1 * count(*)
FROM (SELECT r.*, date_trunc('month', r.cday)::date AS cmonth FROM old_rows r) rows
GROUP BY priority, bin, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, priority, bin) DO UPDATE SET n = h.n + excluded.n
;
  RETURN NULL;
END $function$;

-- analytics_hist_insert()
CREATE OR REPLACE FUNCTION public.analytics_hist_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  
INSERT INTO analytics_hours_hist AS h (gmask, grain, bucket, assigned_to, ticket_type_id, priority, bin, n)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' ELSE 'm' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday ELSE cmonth END,
       assigned_to, ticket_type_id, priority, bin, 1 * count(*)
FROM (SELECT r.*, date_trunc('month', r.cday)::date AS cmonth FROM new_rows r) rows
GROUP BY priority, bin, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (gmask, grain, bucket, assigned_to, ticket_type_id, priority, bin) DO UPDATE SET n = h.n + excluded.n
;
  RETURN NULL;
END $function$;

-- analytics_hist_truncate()
CREATE OR REPLACE FUNCTION public.analytics_hist_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  TRUNCATE analytics_hours_hist;
  RETURN NULL;
END $function$;

-- analytics_hours_bin(hours double precision)
CREATE OR REPLACE FUNCTION public.analytics_hours_bin(hours double precision)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE STRICT
AS $function$
          SELECT CASE WHEN hours < 0 THEN -1
                      ELSE floor(log(2.0, (hours + 1)::numeric) * 16)::int END
        $function$;

-- analytics_mark_stale()
CREATE OR REPLACE FUNCTION public.analytics_mark_stale()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  IF TG_OP = 'TRUNCATE' OR TG_TABLE_NAME = 'ticket_types' THEN
    UPDATE analytics_rollup_state SET fresh = false WHERE fresh;
  END IF;
  RETURN NULL;
END $function$;

-- analytics_rebuild(p_timezone text)
CREATE OR REPLACE FUNCTION public.analytics_rebuild(p_timezone text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  PERFORM now() AT TIME ZONE p_timezone;  -- rejects an unknown zone before any change
  UPDATE analytics_rollup_state SET timezone = p_timezone, fresh = false;
  TRUNCATE analytics_cube, analytics_resolution;
  INSERT INTO analytics_cube (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed) 
SELECT 'c'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4 + (1 - GROUPING(client_id)) * 8)::smallint AS gmask,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek ELSE cmonth END AS bucket,
       client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint,
       sum(s * tw * is_open::int)::bigint,
       sum(s * tw * is_closed::int)::bigint,
       sum(s * tw * (hours IS NOT NULL)::int)::bigint,
       coalesce(sum(s * tw * hours), 0)::float8,
       sum(s * (rating IS NOT NULL)::int)::bigint,
       sum(s * coalesce(rating, 0))::bigint,
       sum(s * coalesce(rating >= 4, false)::int)::bigint,
       sum(s * tw * coalesce((NOT is_open AND has_created AND hours > expected), false)::int)::bigint,
       sum(s * tw * coalesce((is_open AND has_created AND expected IS NOT NULL), false)::int)::bigint
FROM (
SELECT 1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM tickets t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
GROUP BY GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, priority), (cday, client_id), (cday, assigned_to, ticket_type_id), (cday, assigned_to, priority), (cday, assigned_to, client_id), (cday, ticket_type_id, priority), (cday, ticket_type_id, client_id), (cday, priority, client_id), (cday, assigned_to, ticket_type_id, priority), (cday, assigned_to, ticket_type_id, client_id), (cday, assigned_to, priority, client_id), (cday, ticket_type_id, priority, client_id), (cday, assigned_to, ticket_type_id, priority, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, priority), (cweek, client_id), (cweek, assigned_to, ticket_type_id), (cweek, assigned_to, priority), (cweek, assigned_to, client_id), (cweek, ticket_type_id, priority), (cweek, ticket_type_id, client_id), (cweek, priority, client_id), (cweek, assigned_to, ticket_type_id, priority), (cweek, assigned_to, ticket_type_id, client_id), (cweek, assigned_to, priority, client_id), (cweek, ticket_type_id, priority, client_id), (cweek, assigned_to, ticket_type_id, priority, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, priority), (cmonth, client_id), (cmonth, assigned_to, ticket_type_id), (cmonth, assigned_to, priority), (cmonth, assigned_to, client_id), (cmonth, ticket_type_id, priority), (cmonth, ticket_type_id, client_id), (cmonth, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority), (cmonth, assigned_to, ticket_type_id, client_id), (cmonth, assigned_to, priority, client_id), (cmonth, ticket_type_id, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority, client_id))
;
  INSERT INTO analytics_cube (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed) 
SELECT 'r'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4)::smallint AS gmask,
       CASE WHEN GROUPING(rday) = 0 THEN 'd' WHEN GROUPING(rweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(rday) = 0 THEN rday WHEN GROUPING(rweek) = 0 THEN rweek ELSE rmonth END AS bucket,
       NULL::int AS client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM (
SELECT 1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM tickets t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
WHERE has_resolved
GROUP BY GROUPING SETS ((rday), (rday, assigned_to), (rday, ticket_type_id), (rday, priority), (rday, assigned_to, ticket_type_id), (rday, assigned_to, priority), (rday, ticket_type_id, priority), (rday, assigned_to, ticket_type_id, priority), (rweek), (rweek, assigned_to), (rweek, ticket_type_id), (rweek, priority), (rweek, assigned_to, ticket_type_id), (rweek, assigned_to, priority), (rweek, ticket_type_id, priority), (rweek, assigned_to, ticket_type_id, priority), (rmonth), (rmonth, assigned_to), (rmonth, ticket_type_id), (rmonth, priority), (rmonth, assigned_to, ticket_type_id), (rmonth, assigned_to, priority), (rmonth, ticket_type_id, priority), (rmonth, assigned_to, ticket_type_id, priority))
;
  
INSERT INTO analytics_resolution (ticket_id, priority, cday, assigned_to, ticket_type_id, hours)
SELECT t.id, t.priority, (t.created_at AT TIME ZONE z.tz)::date, t.assigned_to,
       t.ticket_type_id, (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8
FROM tickets t CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
WHERE t.resolved_at IS NOT NULL AND t.created_at IS NOT NULL
;
  UPDATE analytics_rollup_state SET fresh = true, built_at = clock_timestamp();
  ANALYZE analytics_cube;
  ANALYZE analytics_resolution;
END $function$;

-- analytics_response_delete()
CREATE OR REPLACE FUNCTION public.analytics_response_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_response_cube AS c (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n_frt, frt_sum, n_awaiting, n_done,
    n_one_touch)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority,
       coalesce(sum(sg) FILTER (WHERE frt_hours IS NOT NULL), 0),
       coalesce(sum(sg * frt_hours), 0),
       coalesce(sum(sg) FILTER (WHERE replies = 0 AND status IN ('open', 'in_progress')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed') AND replies = 1), 0)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, -1 AS sg FROM old_rows) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
GROUP BY priority, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET
  n_frt = c.n_frt + excluded.n_frt, frt_sum = c.frt_sum + excluded.frt_sum,
  n_awaiting = c.n_awaiting + excluded.n_awaiting, n_done = c.n_done + excluded.n_done,
  n_one_touch = c.n_one_touch + excluded.n_one_touch;
INSERT INTO analytics_frt_hist AS h (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, bin, n)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority, frt_bin, sum(sg)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, -1 AS sg FROM old_rows) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
WHERE frt_hours IS NOT NULL
GROUP BY priority, frt_bin, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, bin) DO UPDATE SET n = h.n + excluded.n
;
  RETURN NULL;
END $function$;

-- analytics_response_follow_zone()
CREATE OR REPLACE FUNCTION public.analytics_response_follow_zone()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  IF NEW.timezone IS DISTINCT FROM (SELECT timezone FROM analytics_response_state) THEN
    PERFORM analytics_response_rebuild(NEW.timezone);
  END IF;
  RETURN NULL;
END $function$;

-- analytics_response_insert()
CREATE OR REPLACE FUNCTION public.analytics_response_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_response_cube AS c (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n_frt, frt_sum, n_awaiting, n_done,
    n_one_touch)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority,
       coalesce(sum(sg) FILTER (WHERE frt_hours IS NOT NULL), 0),
       coalesce(sum(sg * frt_hours), 0),
       coalesce(sum(sg) FILTER (WHERE replies = 0 AND status IN ('open', 'in_progress')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed') AND replies = 1), 0)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, 1 AS sg FROM new_rows) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
GROUP BY priority, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET
  n_frt = c.n_frt + excluded.n_frt, frt_sum = c.frt_sum + excluded.frt_sum,
  n_awaiting = c.n_awaiting + excluded.n_awaiting, n_done = c.n_done + excluded.n_done,
  n_one_touch = c.n_one_touch + excluded.n_one_touch;
INSERT INTO analytics_frt_hist AS h (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, bin, n)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority, frt_bin, sum(sg)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, 1 AS sg FROM new_rows) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
WHERE frt_hours IS NOT NULL
GROUP BY priority, frt_bin, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, bin) DO UPDATE SET n = h.n + excluded.n
;
  RETURN NULL;
END $function$;

-- analytics_response_rebuild(p_timezone text)
CREATE OR REPLACE FUNCTION public.analytics_response_rebuild(p_timezone text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  PERFORM now() AT TIME ZONE p_timezone;
  UPDATE analytics_response_state SET timezone = p_timezone;
  TRUNCATE analytics_response_cube, analytics_frt_hist;
  
INSERT INTO analytics_response_cube AS c (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n_frt, frt_sum, n_awaiting, n_done,
    n_one_touch)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority,
       coalesce(sum(sg) FILTER (WHERE frt_hours IS NOT NULL), 0),
       coalesce(sum(sg * frt_hours), 0),
       coalesce(sum(sg) FILTER (WHERE replies = 0 AND status IN ('open', 'in_progress')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed') AND replies = 1), 0)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, 1 AS sg FROM ticket_response_facts) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
GROUP BY priority, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET
  n_frt = c.n_frt + excluded.n_frt, frt_sum = c.frt_sum + excluded.frt_sum,
  n_awaiting = c.n_awaiting + excluded.n_awaiting, n_done = c.n_done + excluded.n_done,
  n_one_touch = c.n_one_touch + excluded.n_one_touch;
INSERT INTO analytics_frt_hist AS h (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, bin, n)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority, frt_bin, sum(sg)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, 1 AS sg FROM ticket_response_facts) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
WHERE frt_hours IS NOT NULL
GROUP BY priority, frt_bin, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, bin) DO UPDATE SET n = h.n + excluded.n
;
  ANALYZE analytics_response_cube;
  ANALYZE analytics_frt_hist;
END $function$;

-- analytics_response_truncate()
CREATE OR REPLACE FUNCTION public.analytics_response_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  TRUNCATE analytics_response_cube, analytics_frt_hist;
  RETURN NULL;
END $function$;

-- analytics_response_update()
CREATE OR REPLACE FUNCTION public.analytics_response_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_response_cube AS c (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n_frt, frt_sum, n_awaiting, n_done,
    n_one_touch)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority,
       coalesce(sum(sg) FILTER (WHERE frt_hours IS NOT NULL), 0),
       coalesce(sum(sg * frt_hours), 0),
       coalesce(sum(sg) FILTER (WHERE replies = 0 AND status IN ('open', 'in_progress')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed') AND replies = 1), 0)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, -1 AS sg FROM old_rows UNION ALL SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, 1 AS sg FROM new_rows) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
GROUP BY priority, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET
  n_frt = c.n_frt + excluded.n_frt, frt_sum = c.frt_sum + excluded.frt_sum,
  n_awaiting = c.n_awaiting + excluded.n_awaiting, n_done = c.n_done + excluded.n_done,
  n_one_touch = c.n_one_touch + excluded.n_one_touch;
INSERT INTO analytics_frt_hist AS h (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, bin, n)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority, frt_bin, sum(sg)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, -1 AS sg FROM old_rows UNION ALL SELECT created_at, client_id, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies, 1 AS sg FROM new_rows) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
WHERE frt_hours IS NOT NULL
GROUP BY priority, frt_bin, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, bin) DO UPDATE SET n = h.n + excluded.n
;
  RETURN NULL;
END $function$;

-- analytics_sla_delete()
CREATE OR REPLACE FUNCTION public.analytics_sla_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_sla_cube AS c (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target, n, n_met, n_late, n_running_due)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority, target,
       sum(sg),
       coalesce(sum(sg) FILTER (WHERE done_at IS NOT NULL
                                  AND (due_at IS NULL OR done_at <= due_at)), 0),
       coalesce(sum(sg) FILTER (WHERE done_at > due_at), 0),
       coalesce(sum(sg) FILTER (WHERE done_at IS NULL AND running AND due_at IS NOT NULL), 0)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, target, due_at, done_at, running, -1 AS sg FROM old_rows) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
GROUP BY priority, target, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id), (cweek, client_id, assigned_to), (cweek, client_id, ticket_type_id), (cmonth, client_id, assigned_to), (cmonth, client_id, ticket_type_id), (client_id, assigned_to), (client_id, ticket_type_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target) DO UPDATE SET
  n = c.n + excluded.n, n_met = c.n_met + excluded.n_met, n_late = c.n_late + excluded.n_late,
  n_running_due = c.n_running_due + excluded.n_running_due
;
  RETURN NULL;
END $function$;

-- analytics_sla_follow_zone()
CREATE OR REPLACE FUNCTION public.analytics_sla_follow_zone()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  PERFORM analytics_sla_rebuild();
  RETURN NULL;
END $function$;

-- analytics_sla_insert()
CREATE OR REPLACE FUNCTION public.analytics_sla_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  
INSERT INTO analytics_sla_cube AS c (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target, n, n_met, n_late, n_running_due)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority, target,
       sum(sg),
       coalesce(sum(sg) FILTER (WHERE done_at IS NOT NULL
                                  AND (due_at IS NULL OR done_at <= due_at)), 0),
       coalesce(sum(sg) FILTER (WHERE done_at > due_at), 0),
       coalesce(sum(sg) FILTER (WHERE done_at IS NULL AND running AND due_at IS NOT NULL), 0)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, target, due_at, done_at, running, 1 AS sg FROM new_rows) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
GROUP BY priority, target, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id), (cweek, client_id, assigned_to), (cweek, client_id, ticket_type_id), (cmonth, client_id, assigned_to), (cmonth, client_id, ticket_type_id), (client_id, assigned_to), (client_id, ticket_type_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target) DO UPDATE SET
  n = c.n + excluded.n, n_met = c.n_met + excluded.n_met, n_late = c.n_late + excluded.n_late,
  n_running_due = c.n_running_due + excluded.n_running_due
;
  RETURN NULL;
END $function$;

-- analytics_sla_rebuild()
CREATE OR REPLACE FUNCTION public.analytics_sla_rebuild()
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  TRUNCATE analytics_sla_cube;
  
INSERT INTO analytics_sla_cube AS c (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target, n, n_met, n_late, n_running_due)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority, target,
       sum(sg),
       coalesce(sum(sg) FILTER (WHERE done_at IS NOT NULL
                                  AND (due_at IS NULL OR done_at <= due_at)), 0),
       coalesce(sum(sg) FILTER (WHERE done_at > due_at), 0),
       coalesce(sum(sg) FILTER (WHERE done_at IS NULL AND running AND due_at IS NOT NULL), 0)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT created_at, client_id, assigned_to, ticket_type_id, priority, target, due_at, done_at, running, 1 AS sg FROM ticket_sla) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
GROUP BY priority, target, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id), (cweek, client_id, assigned_to), (cweek, client_id, ticket_type_id), (cmonth, client_id, assigned_to), (cmonth, client_id, ticket_type_id), (client_id, assigned_to), (client_id, ticket_type_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target) DO UPDATE SET
  n = c.n + excluded.n, n_met = c.n_met + excluded.n_met, n_late = c.n_late + excluded.n_late,
  n_running_due = c.n_running_due + excluded.n_running_due
;
  ANALYZE analytics_sla_cube;
END $function$;

-- analytics_sla_truncate()
CREATE OR REPLACE FUNCTION public.analytics_sla_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  TRUNCATE analytics_sla_cube;
  RETURN NULL;
END $function$;

-- analytics_sla_update()
CREATE OR REPLACE FUNCTION public.analytics_sla_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
 SET enable_nestloop TO 'off'
AS $function$
BEGIN
  
INSERT INTO analytics_sla_cube AS c (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target, n, n_met, n_late, n_running_due)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)) + 4 * (1 - GROUPING(client_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority, target,
       sum(sg),
       coalesce(sum(sg) FILTER (WHERE done_at IS NOT NULL
                                  AND (due_at IS NULL OR done_at <= due_at)), 0),
       coalesce(sum(sg) FILTER (WHERE done_at > due_at), 0),
       coalesce(sum(sg) FILTER (WHERE done_at IS NULL AND running AND due_at IS NOT NULL), 0)
FROM (
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM (SELECT a.created_at, a.client_id, a.assigned_to, a.ticket_type_id, a.priority, a.target, a.due_at, a.done_at, a.running, -1 AS sg FROM old_rows a WHERE NOT EXISTS (SELECT 1 FROM new_rows b WHERE a.ticket_id = b.ticket_id AND a.target = b.target AND (a.created_at, a.client_id, a.assigned_to, a.ticket_type_id, a.priority, a.due_at, a.done_at, a.running) IS NOT DISTINCT FROM (b.created_at, b.client_id, b.assigned_to, b.ticket_type_id, b.priority, b.due_at, b.done_at, b.running)) UNION ALL SELECT a.created_at, a.client_id, a.assigned_to, a.ticket_type_id, a.priority, a.target, a.due_at, a.done_at, a.running, 1 AS sg FROM new_rows a WHERE NOT EXISTS (SELECT 1 FROM old_rows b WHERE a.ticket_id = b.ticket_id AND a.target = b.target AND (a.created_at, a.client_id, a.assigned_to, a.ticket_type_id, a.priority, a.due_at, a.done_at, a.running) IS NOT DISTINCT FROM (b.created_at, b.client_id, b.assigned_to, b.ticket_type_id, b.priority, b.due_at, b.done_at, b.running))) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
) r
GROUP BY priority, target, GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, assigned_to, ticket_type_id), (cday, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, assigned_to, ticket_type_id), (cweek, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, assigned_to, ticket_type_id), (cmonth, client_id), (), (assigned_to), (ticket_type_id), (assigned_to, ticket_type_id), (client_id), (cweek, client_id, assigned_to), (cweek, client_id, ticket_type_id), (cmonth, client_id, assigned_to), (cmonth, client_id, ticket_type_id), (client_id, assigned_to), (client_id, ticket_type_id))
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target) DO UPDATE SET
  n = c.n + excluded.n, n_met = c.n_met + excluded.n_met, n_late = c.n_late + excluded.n_late,
  n_running_due = c.n_running_due + excluded.n_running_due
;
  RETURN NULL;
END $function$;

-- analytics_ticket_feedback_delete()
CREATE OR REPLACE FUNCTION public.analytics_ticket_feedback_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  IF NOT (SELECT fresh FROM analytics_rollup_state) THEN RETURN NULL; END IF;
  
INSERT INTO analytics_cube AS c (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed)
SELECT * FROM (
SELECT 'c'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4 + (1 - GROUPING(client_id)) * 8)::smallint AS gmask,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek ELSE cmonth END AS bucket,
       client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint,
       sum(s * tw * is_open::int)::bigint,
       sum(s * tw * is_closed::int)::bigint,
       sum(s * tw * (hours IS NOT NULL)::int)::bigint,
       coalesce(sum(s * tw * hours), 0)::float8,
       sum(s * (rating IS NOT NULL)::int)::bigint,
       sum(s * coalesce(rating, 0))::bigint,
       sum(s * coalesce(rating >= 4, false)::int)::bigint,
       sum(s * tw * coalesce((NOT is_open AND has_created AND hours > expected), false)::int)::bigint,
       sum(s * tw * coalesce((is_open AND has_created AND expected IS NOT NULL), false)::int)::bigint
FROM (
SELECT -1::int AS s, 0::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM old_rows f JOIN tickets t ON t.id = f.ticket_id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
GROUP BY GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, priority), (cday, client_id), (cday, assigned_to, ticket_type_id), (cday, assigned_to, priority), (cday, assigned_to, client_id), (cday, ticket_type_id, priority), (cday, ticket_type_id, client_id), (cday, priority, client_id), (cday, assigned_to, ticket_type_id, priority), (cday, assigned_to, ticket_type_id, client_id), (cday, assigned_to, priority, client_id), (cday, ticket_type_id, priority, client_id), (cday, assigned_to, ticket_type_id, priority, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, priority), (cweek, client_id), (cweek, assigned_to, ticket_type_id), (cweek, assigned_to, priority), (cweek, assigned_to, client_id), (cweek, ticket_type_id, priority), (cweek, ticket_type_id, client_id), (cweek, priority, client_id), (cweek, assigned_to, ticket_type_id, priority), (cweek, assigned_to, ticket_type_id, client_id), (cweek, assigned_to, priority, client_id), (cweek, ticket_type_id, priority, client_id), (cweek, assigned_to, ticket_type_id, priority, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, priority), (cmonth, client_id), (cmonth, assigned_to, ticket_type_id), (cmonth, assigned_to, priority), (cmonth, assigned_to, client_id), (cmonth, ticket_type_id, priority), (cmonth, ticket_type_id, client_id), (cmonth, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority), (cmonth, assigned_to, ticket_type_id, client_id), (cmonth, assigned_to, priority, client_id), (cmonth, ticket_type_id, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority, client_id))
) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET n = c.n + excluded.n, n_open = c.n_open + excluded.n_open, n_closed = c.n_closed + excluded.n_closed, n_resolved = c.n_resolved + excluded.n_resolved, res_hours = c.res_hours + excluded.res_hours, n_rating = c.n_rating + excluded.n_rating, rating_sum = c.rating_sum + excluded.rating_sum, n_sat = c.n_sat + excluded.n_sat, n_late_done = c.n_late_done + excluded.n_late_done, n_open_typed = c.n_open_typed + excluded.n_open_typed
;
  RETURN NULL;
END $function$;

-- analytics_ticket_feedback_insert()
CREATE OR REPLACE FUNCTION public.analytics_ticket_feedback_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  IF NOT (SELECT fresh FROM analytics_rollup_state) THEN RETURN NULL; END IF;
  
INSERT INTO analytics_cube AS c (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed)
SELECT * FROM (
SELECT 'c'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4 + (1 - GROUPING(client_id)) * 8)::smallint AS gmask,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek ELSE cmonth END AS bucket,
       client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint,
       sum(s * tw * is_open::int)::bigint,
       sum(s * tw * is_closed::int)::bigint,
       sum(s * tw * (hours IS NOT NULL)::int)::bigint,
       coalesce(sum(s * tw * hours), 0)::float8,
       sum(s * (rating IS NOT NULL)::int)::bigint,
       sum(s * coalesce(rating, 0))::bigint,
       sum(s * coalesce(rating >= 4, false)::int)::bigint,
       sum(s * tw * coalesce((NOT is_open AND has_created AND hours > expected), false)::int)::bigint,
       sum(s * tw * coalesce((is_open AND has_created AND expected IS NOT NULL), false)::int)::bigint
FROM (
SELECT 1::int AS s, 0::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM new_rows f JOIN tickets t ON t.id = f.ticket_id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
GROUP BY GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, priority), (cday, client_id), (cday, assigned_to, ticket_type_id), (cday, assigned_to, priority), (cday, assigned_to, client_id), (cday, ticket_type_id, priority), (cday, ticket_type_id, client_id), (cday, priority, client_id), (cday, assigned_to, ticket_type_id, priority), (cday, assigned_to, ticket_type_id, client_id), (cday, assigned_to, priority, client_id), (cday, ticket_type_id, priority, client_id), (cday, assigned_to, ticket_type_id, priority, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, priority), (cweek, client_id), (cweek, assigned_to, ticket_type_id), (cweek, assigned_to, priority), (cweek, assigned_to, client_id), (cweek, ticket_type_id, priority), (cweek, ticket_type_id, client_id), (cweek, priority, client_id), (cweek, assigned_to, ticket_type_id, priority), (cweek, assigned_to, ticket_type_id, client_id), (cweek, assigned_to, priority, client_id), (cweek, ticket_type_id, priority, client_id), (cweek, assigned_to, ticket_type_id, priority, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, priority), (cmonth, client_id), (cmonth, assigned_to, ticket_type_id), (cmonth, assigned_to, priority), (cmonth, assigned_to, client_id), (cmonth, ticket_type_id, priority), (cmonth, ticket_type_id, client_id), (cmonth, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority), (cmonth, assigned_to, ticket_type_id, client_id), (cmonth, assigned_to, priority, client_id), (cmonth, ticket_type_id, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority, client_id))
) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET n = c.n + excluded.n, n_open = c.n_open + excluded.n_open, n_closed = c.n_closed + excluded.n_closed, n_resolved = c.n_resolved + excluded.n_resolved, res_hours = c.res_hours + excluded.res_hours, n_rating = c.n_rating + excluded.n_rating, rating_sum = c.rating_sum + excluded.rating_sum, n_sat = c.n_sat + excluded.n_sat, n_late_done = c.n_late_done + excluded.n_late_done, n_open_typed = c.n_open_typed + excluded.n_open_typed
;
  RETURN NULL;
END $function$;

-- analytics_ticket_feedback_update()
CREATE OR REPLACE FUNCTION public.analytics_ticket_feedback_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  IF NOT (SELECT fresh FROM analytics_rollup_state) THEN RETURN NULL; END IF;
  
INSERT INTO analytics_cube AS c (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed)
SELECT * FROM (
SELECT 'c'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4 + (1 - GROUPING(client_id)) * 8)::smallint AS gmask,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek ELSE cmonth END AS bucket,
       client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint,
       sum(s * tw * is_open::int)::bigint,
       sum(s * tw * is_closed::int)::bigint,
       sum(s * tw * (hours IS NOT NULL)::int)::bigint,
       coalesce(sum(s * tw * hours), 0)::float8,
       sum(s * (rating IS NOT NULL)::int)::bigint,
       sum(s * coalesce(rating, 0))::bigint,
       sum(s * coalesce(rating >= 4, false)::int)::bigint,
       sum(s * tw * coalesce((NOT is_open AND has_created AND hours > expected), false)::int)::bigint,
       sum(s * tw * coalesce((is_open AND has_created AND expected IS NOT NULL), false)::int)::bigint
FROM (
SELECT -1::int AS s, 0::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM old_rows f JOIN tickets t ON t.id = f.ticket_id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
 UNION ALL 
SELECT 1::int AS s, 0::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM new_rows f JOIN tickets t ON t.id = f.ticket_id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
GROUP BY GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, priority), (cday, client_id), (cday, assigned_to, ticket_type_id), (cday, assigned_to, priority), (cday, assigned_to, client_id), (cday, ticket_type_id, priority), (cday, ticket_type_id, client_id), (cday, priority, client_id), (cday, assigned_to, ticket_type_id, priority), (cday, assigned_to, ticket_type_id, client_id), (cday, assigned_to, priority, client_id), (cday, ticket_type_id, priority, client_id), (cday, assigned_to, ticket_type_id, priority, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, priority), (cweek, client_id), (cweek, assigned_to, ticket_type_id), (cweek, assigned_to, priority), (cweek, assigned_to, client_id), (cweek, ticket_type_id, priority), (cweek, ticket_type_id, client_id), (cweek, priority, client_id), (cweek, assigned_to, ticket_type_id, priority), (cweek, assigned_to, ticket_type_id, client_id), (cweek, assigned_to, priority, client_id), (cweek, ticket_type_id, priority, client_id), (cweek, assigned_to, ticket_type_id, priority, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, priority), (cmonth, client_id), (cmonth, assigned_to, ticket_type_id), (cmonth, assigned_to, priority), (cmonth, assigned_to, client_id), (cmonth, ticket_type_id, priority), (cmonth, ticket_type_id, client_id), (cmonth, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority), (cmonth, assigned_to, ticket_type_id, client_id), (cmonth, assigned_to, priority, client_id), (cmonth, ticket_type_id, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority, client_id))
) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET n = c.n + excluded.n, n_open = c.n_open + excluded.n_open, n_closed = c.n_closed + excluded.n_closed, n_resolved = c.n_resolved + excluded.n_resolved, res_hours = c.res_hours + excluded.res_hours, n_rating = c.n_rating + excluded.n_rating, rating_sum = c.rating_sum + excluded.rating_sum, n_sat = c.n_sat + excluded.n_sat, n_late_done = c.n_late_done + excluded.n_late_done, n_open_typed = c.n_open_typed + excluded.n_open_typed
;
  RETURN NULL;
END $function$;

-- analytics_tickets_delete()
CREATE OR REPLACE FUNCTION public.analytics_tickets_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  IF NOT (SELECT fresh FROM analytics_rollup_state) THEN RETURN NULL; END IF;
  
INSERT INTO analytics_cube AS c (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed)
SELECT * FROM (
SELECT 'c'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4 + (1 - GROUPING(client_id)) * 8)::smallint AS gmask,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek ELSE cmonth END AS bucket,
       client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint,
       sum(s * tw * is_open::int)::bigint,
       sum(s * tw * is_closed::int)::bigint,
       sum(s * tw * (hours IS NOT NULL)::int)::bigint,
       coalesce(sum(s * tw * hours), 0)::float8,
       sum(s * (rating IS NOT NULL)::int)::bigint,
       sum(s * coalesce(rating, 0))::bigint,
       sum(s * coalesce(rating >= 4, false)::int)::bigint,
       sum(s * tw * coalesce((NOT is_open AND has_created AND hours > expected), false)::int)::bigint,
       sum(s * tw * coalesce((is_open AND has_created AND expected IS NOT NULL), false)::int)::bigint
FROM (
SELECT -1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM old_rows t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
GROUP BY GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, priority), (cday, client_id), (cday, assigned_to, ticket_type_id), (cday, assigned_to, priority), (cday, assigned_to, client_id), (cday, ticket_type_id, priority), (cday, ticket_type_id, client_id), (cday, priority, client_id), (cday, assigned_to, ticket_type_id, priority), (cday, assigned_to, ticket_type_id, client_id), (cday, assigned_to, priority, client_id), (cday, ticket_type_id, priority, client_id), (cday, assigned_to, ticket_type_id, priority, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, priority), (cweek, client_id), (cweek, assigned_to, ticket_type_id), (cweek, assigned_to, priority), (cweek, assigned_to, client_id), (cweek, ticket_type_id, priority), (cweek, ticket_type_id, client_id), (cweek, priority, client_id), (cweek, assigned_to, ticket_type_id, priority), (cweek, assigned_to, ticket_type_id, client_id), (cweek, assigned_to, priority, client_id), (cweek, ticket_type_id, priority, client_id), (cweek, assigned_to, ticket_type_id, priority, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, priority), (cmonth, client_id), (cmonth, assigned_to, ticket_type_id), (cmonth, assigned_to, priority), (cmonth, assigned_to, client_id), (cmonth, ticket_type_id, priority), (cmonth, ticket_type_id, client_id), (cmonth, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority), (cmonth, assigned_to, ticket_type_id, client_id), (cmonth, assigned_to, priority, client_id), (cmonth, ticket_type_id, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority, client_id))
) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET n = c.n + excluded.n, n_open = c.n_open + excluded.n_open, n_closed = c.n_closed + excluded.n_closed, n_resolved = c.n_resolved + excluded.n_resolved, res_hours = c.res_hours + excluded.res_hours, n_rating = c.n_rating + excluded.n_rating, rating_sum = c.rating_sum + excluded.rating_sum, n_sat = c.n_sat + excluded.n_sat, n_late_done = c.n_late_done + excluded.n_late_done, n_open_typed = c.n_open_typed + excluded.n_open_typed
;

INSERT INTO analytics_cube AS c (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed)
SELECT * FROM (
SELECT 'r'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4)::smallint AS gmask,
       CASE WHEN GROUPING(rday) = 0 THEN 'd' WHEN GROUPING(rweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(rday) = 0 THEN rday WHEN GROUPING(rweek) = 0 THEN rweek ELSE rmonth END AS bucket,
       NULL::int AS client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM (
SELECT -1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM old_rows t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
WHERE has_resolved
GROUP BY GROUPING SETS ((rday), (rday, assigned_to), (rday, ticket_type_id), (rday, priority), (rday, assigned_to, ticket_type_id), (rday, assigned_to, priority), (rday, ticket_type_id, priority), (rday, assigned_to, ticket_type_id, priority), (rweek), (rweek, assigned_to), (rweek, ticket_type_id), (rweek, priority), (rweek, assigned_to, ticket_type_id), (rweek, assigned_to, priority), (rweek, ticket_type_id, priority), (rweek, assigned_to, ticket_type_id, priority), (rmonth), (rmonth, assigned_to), (rmonth, ticket_type_id), (rmonth, priority), (rmonth, assigned_to, ticket_type_id), (rmonth, assigned_to, priority), (rmonth, ticket_type_id, priority), (rmonth, assigned_to, ticket_type_id, priority))
) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET n = c.n + excluded.n, n_open = c.n_open + excluded.n_open, n_closed = c.n_closed + excluded.n_closed, n_resolved = c.n_resolved + excluded.n_resolved, res_hours = c.res_hours + excluded.res_hours, n_rating = c.n_rating + excluded.n_rating, rating_sum = c.rating_sum + excluded.rating_sum, n_sat = c.n_sat + excluded.n_sat, n_late_done = c.n_late_done + excluded.n_late_done, n_open_typed = c.n_open_typed + excluded.n_open_typed
;
DELETE FROM analytics_resolution r USING old_rows o WHERE r.ticket_id = o.id;
  RETURN NULL;
END $function$;

-- analytics_tickets_insert()
CREATE OR REPLACE FUNCTION public.analytics_tickets_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  IF NOT (SELECT fresh FROM analytics_rollup_state) THEN RETURN NULL; END IF;
  
INSERT INTO analytics_cube AS c (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed)
SELECT * FROM (
SELECT 'c'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4 + (1 - GROUPING(client_id)) * 8)::smallint AS gmask,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek ELSE cmonth END AS bucket,
       client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint,
       sum(s * tw * is_open::int)::bigint,
       sum(s * tw * is_closed::int)::bigint,
       sum(s * tw * (hours IS NOT NULL)::int)::bigint,
       coalesce(sum(s * tw * hours), 0)::float8,
       sum(s * (rating IS NOT NULL)::int)::bigint,
       sum(s * coalesce(rating, 0))::bigint,
       sum(s * coalesce(rating >= 4, false)::int)::bigint,
       sum(s * tw * coalesce((NOT is_open AND has_created AND hours > expected), false)::int)::bigint,
       sum(s * tw * coalesce((is_open AND has_created AND expected IS NOT NULL), false)::int)::bigint
FROM (
SELECT 1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM new_rows t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
GROUP BY GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, priority), (cday, client_id), (cday, assigned_to, ticket_type_id), (cday, assigned_to, priority), (cday, assigned_to, client_id), (cday, ticket_type_id, priority), (cday, ticket_type_id, client_id), (cday, priority, client_id), (cday, assigned_to, ticket_type_id, priority), (cday, assigned_to, ticket_type_id, client_id), (cday, assigned_to, priority, client_id), (cday, ticket_type_id, priority, client_id), (cday, assigned_to, ticket_type_id, priority, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, priority), (cweek, client_id), (cweek, assigned_to, ticket_type_id), (cweek, assigned_to, priority), (cweek, assigned_to, client_id), (cweek, ticket_type_id, priority), (cweek, ticket_type_id, client_id), (cweek, priority, client_id), (cweek, assigned_to, ticket_type_id, priority), (cweek, assigned_to, ticket_type_id, client_id), (cweek, assigned_to, priority, client_id), (cweek, ticket_type_id, priority, client_id), (cweek, assigned_to, ticket_type_id, priority, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, priority), (cmonth, client_id), (cmonth, assigned_to, ticket_type_id), (cmonth, assigned_to, priority), (cmonth, assigned_to, client_id), (cmonth, ticket_type_id, priority), (cmonth, ticket_type_id, client_id), (cmonth, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority), (cmonth, assigned_to, ticket_type_id, client_id), (cmonth, assigned_to, priority, client_id), (cmonth, ticket_type_id, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority, client_id))
) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET n = c.n + excluded.n, n_open = c.n_open + excluded.n_open, n_closed = c.n_closed + excluded.n_closed, n_resolved = c.n_resolved + excluded.n_resolved, res_hours = c.res_hours + excluded.res_hours, n_rating = c.n_rating + excluded.n_rating, rating_sum = c.rating_sum + excluded.rating_sum, n_sat = c.n_sat + excluded.n_sat, n_late_done = c.n_late_done + excluded.n_late_done, n_open_typed = c.n_open_typed + excluded.n_open_typed
;

INSERT INTO analytics_cube AS c (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed)
SELECT * FROM (
SELECT 'r'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4)::smallint AS gmask,
       CASE WHEN GROUPING(rday) = 0 THEN 'd' WHEN GROUPING(rweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(rday) = 0 THEN rday WHEN GROUPING(rweek) = 0 THEN rweek ELSE rmonth END AS bucket,
       NULL::int AS client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM (
SELECT 1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM new_rows t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
WHERE has_resolved
GROUP BY GROUPING SETS ((rday), (rday, assigned_to), (rday, ticket_type_id), (rday, priority), (rday, assigned_to, ticket_type_id), (rday, assigned_to, priority), (rday, ticket_type_id, priority), (rday, assigned_to, ticket_type_id, priority), (rweek), (rweek, assigned_to), (rweek, ticket_type_id), (rweek, priority), (rweek, assigned_to, ticket_type_id), (rweek, assigned_to, priority), (rweek, ticket_type_id, priority), (rweek, assigned_to, ticket_type_id, priority), (rmonth), (rmonth, assigned_to), (rmonth, ticket_type_id), (rmonth, priority), (rmonth, assigned_to, ticket_type_id), (rmonth, assigned_to, priority), (rmonth, ticket_type_id, priority), (rmonth, assigned_to, ticket_type_id, priority))
) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET n = c.n + excluded.n, n_open = c.n_open + excluded.n_open, n_closed = c.n_closed + excluded.n_closed, n_resolved = c.n_resolved + excluded.n_resolved, res_hours = c.res_hours + excluded.res_hours, n_rating = c.n_rating + excluded.n_rating, rating_sum = c.rating_sum + excluded.rating_sum, n_sat = c.n_sat + excluded.n_sat, n_late_done = c.n_late_done + excluded.n_late_done, n_open_typed = c.n_open_typed + excluded.n_open_typed
;

INSERT INTO analytics_resolution (ticket_id, priority, cday, assigned_to, ticket_type_id, hours)
SELECT t.id, t.priority, (t.created_at AT TIME ZONE z.tz)::date, t.assigned_to,
       t.ticket_type_id, (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8
FROM new_rows t CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
WHERE t.resolved_at IS NOT NULL AND t.created_at IS NOT NULL
;
  RETURN NULL;
END $function$;

-- analytics_tickets_update()
CREATE OR REPLACE FUNCTION public.analytics_tickets_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  IF NOT (SELECT fresh FROM analytics_rollup_state) THEN RETURN NULL; END IF;
  
INSERT INTO analytics_cube AS c (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed)
SELECT * FROM (
SELECT 'c'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4 + (1 - GROUPING(client_id)) * 8)::smallint AS gmask,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek ELSE cmonth END AS bucket,
       client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint,
       sum(s * tw * is_open::int)::bigint,
       sum(s * tw * is_closed::int)::bigint,
       sum(s * tw * (hours IS NOT NULL)::int)::bigint,
       coalesce(sum(s * tw * hours), 0)::float8,
       sum(s * (rating IS NOT NULL)::int)::bigint,
       sum(s * coalesce(rating, 0))::bigint,
       sum(s * coalesce(rating >= 4, false)::int)::bigint,
       sum(s * tw * coalesce((NOT is_open AND has_created AND hours > expected), false)::int)::bigint,
       sum(s * tw * coalesce((is_open AND has_created AND expected IS NOT NULL), false)::int)::bigint
FROM (
SELECT -1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM old_rows t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
 UNION ALL 
SELECT 1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM new_rows t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
GROUP BY GROUPING SETS ((cday), (cday, assigned_to), (cday, ticket_type_id), (cday, priority), (cday, client_id), (cday, assigned_to, ticket_type_id), (cday, assigned_to, priority), (cday, assigned_to, client_id), (cday, ticket_type_id, priority), (cday, ticket_type_id, client_id), (cday, priority, client_id), (cday, assigned_to, ticket_type_id, priority), (cday, assigned_to, ticket_type_id, client_id), (cday, assigned_to, priority, client_id), (cday, ticket_type_id, priority, client_id), (cday, assigned_to, ticket_type_id, priority, client_id), (cweek), (cweek, assigned_to), (cweek, ticket_type_id), (cweek, priority), (cweek, client_id), (cweek, assigned_to, ticket_type_id), (cweek, assigned_to, priority), (cweek, assigned_to, client_id), (cweek, ticket_type_id, priority), (cweek, ticket_type_id, client_id), (cweek, priority, client_id), (cweek, assigned_to, ticket_type_id, priority), (cweek, assigned_to, ticket_type_id, client_id), (cweek, assigned_to, priority, client_id), (cweek, ticket_type_id, priority, client_id), (cweek, assigned_to, ticket_type_id, priority, client_id), (cmonth), (cmonth, assigned_to), (cmonth, ticket_type_id), (cmonth, priority), (cmonth, client_id), (cmonth, assigned_to, ticket_type_id), (cmonth, assigned_to, priority), (cmonth, assigned_to, client_id), (cmonth, ticket_type_id, priority), (cmonth, ticket_type_id, client_id), (cmonth, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority), (cmonth, assigned_to, ticket_type_id, client_id), (cmonth, assigned_to, priority, client_id), (cmonth, ticket_type_id, priority, client_id), (cmonth, assigned_to, ticket_type_id, priority, client_id))
) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET n = c.n + excluded.n, n_open = c.n_open + excluded.n_open, n_closed = c.n_closed + excluded.n_closed, n_resolved = c.n_resolved + excluded.n_resolved, res_hours = c.res_hours + excluded.res_hours, n_rating = c.n_rating + excluded.n_rating, rating_sum = c.rating_sum + excluded.rating_sum, n_sat = c.n_sat + excluded.n_sat, n_late_done = c.n_late_done + excluded.n_late_done, n_open_typed = c.n_open_typed + excluded.n_open_typed
;

INSERT INTO analytics_cube AS c (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, n, n_open, n_closed, n_resolved, res_hours, n_rating, rating_sum, n_sat, n_late_done, n_open_typed)
SELECT * FROM (
SELECT 'r'::text AS basis, ((1 - GROUPING(assigned_to)) * 1 + (1 - GROUPING(ticket_type_id)) * 2 + (1 - GROUPING(priority)) * 4)::smallint AS gmask,
       CASE WHEN GROUPING(rday) = 0 THEN 'd' WHEN GROUPING(rweek) = 0 THEN 'w' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(rday) = 0 THEN rday WHEN GROUPING(rweek) = 0 THEN rweek ELSE rmonth END AS bucket,
       NULL::int AS client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM (
SELECT -1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM old_rows t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
 UNION ALL 
SELECT 1::int AS s, 1::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', t.created_at AT TIME ZONE z.tz), date_trunc('month', t.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       greatest(date_trunc('week', t.resolved_at AT TIME ZONE z.tz), date_trunc('month', t.resolved_at AT TIME ZONE z.tz))::date AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM new_rows t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
) facts
WHERE has_resolved
GROUP BY GROUPING SETS ((rday), (rday, assigned_to), (rday, ticket_type_id), (rday, priority), (rday, assigned_to, ticket_type_id), (rday, assigned_to, priority), (rday, ticket_type_id, priority), (rday, assigned_to, ticket_type_id, priority), (rweek), (rweek, assigned_to), (rweek, ticket_type_id), (rweek, priority), (rweek, assigned_to, ticket_type_id), (rweek, assigned_to, priority), (rweek, ticket_type_id, priority), (rweek, assigned_to, ticket_type_id, priority), (rmonth), (rmonth, assigned_to), (rmonth, ticket_type_id), (rmonth, priority), (rmonth, assigned_to, ticket_type_id), (rmonth, assigned_to, priority), (rmonth, ticket_type_id, priority), (rmonth, assigned_to, ticket_type_id, priority))
) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority) DO UPDATE SET n = c.n + excluded.n, n_open = c.n_open + excluded.n_open, n_closed = c.n_closed + excluded.n_closed, n_resolved = c.n_resolved + excluded.n_resolved, res_hours = c.res_hours + excluded.res_hours, n_rating = c.n_rating + excluded.n_rating, rating_sum = c.rating_sum + excluded.rating_sum, n_sat = c.n_sat + excluded.n_sat, n_late_done = c.n_late_done + excluded.n_late_done, n_open_typed = c.n_open_typed + excluded.n_open_typed
;
DELETE FROM analytics_resolution r USING old_rows o WHERE r.ticket_id = o.id;

INSERT INTO analytics_resolution (ticket_id, priority, cday, assigned_to, ticket_type_id, hours)
SELECT t.id, t.priority, (t.created_at AT TIME ZONE z.tz)::date, t.assigned_to,
       t.ticket_type_id, (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8
FROM new_rows t CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
WHERE t.resolved_at IS NOT NULL AND t.created_at IS NOT NULL
;
  RETURN NULL;
END $function$;

-- business_calendar_rebuild(p_calendar integer, p_first date, p_end date)
CREATE OR REPLACE FUNCTION public.business_calendar_rebuild(p_calendar integer, p_first date DEFAULT '2000-01-01'::date, p_end date DEFAULT '2061-01-01'::date)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  tz text;
  lo timestamptz;
  hi timestamptz;
  n integer;
BEGIN
  SELECT timezone INTO tz FROM business_calendars WHERE id = p_calendar;
  DELETE FROM business_seconds_cum WHERE calendar_id = p_calendar;
  IF tz IS NULL THEN
    RETURN 0;
  END IF;
  -- A day and a half of margin either side covers every UTC offset.
  lo := (p_first - 2)::timestamp AT TIME ZONE 'UTC';
  hi := (p_end + 2)::timestamp AT TIME ZONE 'UTC';
  INSERT INTO business_seconds_cum (calendar_id, at, cum, opens)
  WITH daily AS (
    SELECT d, ((d AT TIME ZONE tz) - (d AT TIME ZONE 'UTC')) AS off FROM generate_series(lo, hi, interval '1 day') d
  ),
  changes AS (
    SELECT prev_d, d, off
    FROM (SELECT d, off, lag(d) OVER w AS prev_d, lag(off) OVER w AS prev_off
          FROM daily WINDOW w AS (ORDER BY d)) x
    WHERE off <> prev_off
  ),
  transitions AS (
    -- Narrowed from the day to the hour, the minute and the second that has the new offset
    -- (one transition a day at most, as in every zone since 2000).
    SELECT c.off, sec.at
    FROM changes c
    CROSS JOIN LATERAL (
      SELECT min(h) AS h
      FROM generate_series(c.prev_d + interval '1 hour', c.d, interval '1 hour') h
      WHERE ((h AT TIME ZONE tz) - (h AT TIME ZONE 'UTC')) = c.off) hr
    CROSS JOIN LATERAL (
      SELECT min(m) AS m
      FROM generate_series(hr.h - interval '59 minutes', hr.h, interval '1 minute') m
      WHERE ((m AT TIME ZONE tz) - (m AT TIME ZONE 'UTC')) = c.off) mi
    CROSS JOIN LATERAL (
      SELECT min(s) AS at
      FROM generate_series(mi.m - interval '59 seconds', mi.m, interval '1 second') s
      WHERE ((s AT TIME ZONE tz) - (s AT TIME ZONE 'UTC')) = c.off) sec
  ),
  starts AS (
    SELECT lo AS at, ((lo AT TIME ZONE tz) - (lo AT TIME ZONE 'UTC')) AS off
    UNION ALL
    SELECT at, off FROM transitions
  ),
  pieces AS (
    SELECT at AT TIME ZONE 'UTC' AS p_from,
           lead(at, 1, hi) OVER (ORDER BY at) AT TIME ZONE 'UTC' AS p_to,
           off
    FROM starts
  ),
  spans AS (
    -- Each piece with the local days it touches (so no join of every day with every piece).
    SELECT p.p_from, p.p_to, p.off, d::date + bh.start_time AS l_from,
           d::date + bh.end_time AS l_to
    FROM pieces p
    CROSS JOIN LATERAL generate_series(
        greatest((p.p_from + p.off)::date - 1, p_first)::timestamp,
        least((p.p_to + p.off)::date + 1, p_end - 1)::timestamp,
        interval '1 day') d
    JOIN business_hours bh
      ON bh.calendar_id = p_calendar AND bh.weekday = extract(isodow FROM d)
    WHERE NOT EXISTS (SELECT 1 FROM business_holidays hd
                      WHERE hd.calendar_id = p_calendar AND hd.day = d::date)
  ),
  utc AS (
    -- Naive UTC: local - offset, cut to the piece where that offset holds.
    SELECT greatest(p_from, l_from - off) AS u_from, least(p_to, l_to - off) AS u_to
    FROM spans
  ),
  marked AS (
    SELECT u_from, u_to,
           CASE WHEN u_from <= max(u_to) OVER (ORDER BY u_from, u_to
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                THEN 0 ELSE 1 END AS starts_island
    FROM utc WHERE u_to > u_from
  ),
  islands AS (
    SELECT u_from, u_to, sum(starts_island) OVER (ORDER BY u_from, u_to) AS island
    FROM marked
  ),
  merged AS (
    SELECT min(u_from) AS a, max(u_to) AS b FROM islands GROUP BY island
  ),
  cumulated AS (
    SELECT a, b,
           coalesce(sum(extract(epoch FROM b - a)) OVER (ORDER BY a
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::bigint AS before
    FROM merged
  )
  SELECT p_calendar, a AT TIME ZONE 'UTC', before, true FROM cumulated
  UNION ALL
  SELECT p_calendar, b AT TIME ZONE 'UTC', before + extract(epoch FROM b - a)::bigint, false
  FROM cumulated;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $function$;

-- business_cum(p_calendar integer, p_at timestamp with time zone)
CREATE OR REPLACE FUNCTION public.business_cum(p_calendar integer, p_at timestamp with time zone)
 RETURNS double precision
 LANGUAGE sql
 STABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'public'
AS $function$
    SELECT coalesce((
        SELECT CASE WHEN c.opens THEN c.cum + extract(epoch FROM p_at - c.at)::float8
                    ELSE c.cum::float8 END
        FROM business_seconds_cum c
        WHERE c.calendar_id = p_calendar AND c.at <= p_at
        ORDER BY c.at DESC
        LIMIT 1), 0)
$function$;

-- business_due(p_calendar integer, p_start timestamp with time zone, p_seconds double precision)
CREATE OR REPLACE FUNCTION public.business_due(p_calendar integer, p_start timestamp with time zone, p_seconds double precision)
 RETURNS timestamp with time zone
 LANGUAGE sql
 STABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'public'
AS $function$
    SELECT CASE WHEN p_seconds <= 0 THEN p_start ELSE (
        SELECT c.at - make_interval(secs => c.cum - t.goal)
        FROM business_seconds_cum c
        -- cum is whole seconds: comparing with the ceiling keeps the partial index usable.
        WHERE c.calendar_id = p_calendar AND NOT c.opens AND c.cum >= ceil(t.goal)::bigint
        ORDER BY c.cum
        LIMIT 1) END
    FROM (SELECT business_cum(p_calendar, p_start) + p_seconds AS goal) t
$function$;

-- business_seconds(p_calendar integer, p_from timestamp with time zone, p_to timestamp with time zone)
CREATE OR REPLACE FUNCTION public.business_seconds(p_calendar integer, p_from timestamp with time zone, p_to timestamp with time zone)
 RETURNS double precision
 LANGUAGE sql
 STABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'public'
AS $function$
    SELECT business_cum(p_calendar, p_to) - business_cum(p_calendar, p_from)
$function$;

-- client_notify_ticket_event()
CREATE OR REPLACE FUNCTION public.client_notify_ticket_event()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
    IF NEW.actor_user_id IS NOT NULL AND NEW.actor_kind = 'internal'
       AND (NEW.kind = 'reply' OR (NEW.kind = 'status' AND NEW.new_value = 'resolved')) THEN
        PERFORM public.procrastinate_defer_jobs_v1(ARRAY[ROW(
            'mail', 'notify.ticket_event', 0, NULL, NULL,
            jsonb_build_object('event_id', NEW.id), NULL
        )::public.procrastinate_job_to_defer_v1]);
    END IF;
    RETURN NULL;
END $function$;

-- live_emit(payload jsonb)
CREATE OR REPLACE FUNCTION public.live_emit(payload jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  state text := coalesce(nullif(current_setting('support_analytics.live_sent', true), ''), '0');
  sent integer;
BEGIN
  IF state = 'bulk' THEN
    RETURN;
  END IF;
  sent := state::integer;
  IF sent >= 100 THEN
    -- From here on the triggers' WHEN clause skips every row of this transaction.
    PERFORM set_config('support_analytics.live_sent', 'bulk', true);
    INSERT INTO public.live_events (kind, op) VALUES ('bulk', 'bulk');
    RETURN;
  END IF;
  PERFORM set_config('support_analytics.live_sent', (sent + 1)::text, true);
  INSERT INTO public.live_events (kind, op, row_id, ticket_id, client_id)
  VALUES (payload->>'kind', coalesce(payload->>'op', ''), (payload->>'id')::bigint,
          (payload->>'ticket_id')::integer, (payload->>'client_id')::integer);
END $function$;

-- live_events_commit()
CREATE OR REPLACE FUNCTION public.live_events_commit()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  n bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(21313, 16);
  n := nextval('public.live_events_seq');
  UPDATE public.live_events SET seq = n WHERE id = NEW.id;
  PERFORM pg_notify(
    (SELECT name FROM public.live_channel),
    jsonb_build_object('kind', NEW.kind, 'op', NEW.op, 'id', NEW.row_id,
                       'ticket_id', NEW.ticket_id, 'client_id', NEW.client_id, 'seq', n)::text);
  RETURN NULL;
END $function$;

-- live_notify_ticket_feedback()
CREATE OR REPLACE FUNCTION public.live_notify_ticket_feedback()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  PERFORM live_emit(jsonb_build_object('kind', 'feedback', 'op', lower(TG_OP), 'id', NEW.id, 'ticket_id', NEW.ticket_id, 'client_id', (SELECT t.client_id FROM public.tickets t WHERE t.id = NEW.ticket_id)));
  RETURN NULL;
END $function$;

-- live_notify_ticket_messages()
CREATE OR REPLACE FUNCTION public.live_notify_ticket_messages()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  PERFORM live_emit(jsonb_build_object('kind', 'message', 'op', lower(TG_OP), 'id', NEW.id, 'ticket_id', NEW.ticket_id, 'client_id', (SELECT t.client_id FROM public.tickets t WHERE t.id = NEW.ticket_id)));
  RETURN NULL;
END $function$;

-- live_notify_tickets()
CREATE OR REPLACE FUNCTION public.live_notify_tickets()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  PERFORM live_emit(jsonb_build_object('kind', 'ticket', 'op', lower(TG_OP), 'id', NEW.id, 'ticket_id', NEW.id, 'client_id', NEW.client_id));
  RETURN NULL;
END $function$;

-- sa_queue_link_mail(p_token_hash bytea, p_subject text, p_text text, p_html text)
CREATE OR REPLACE FUNCTION public.sa_queue_link_mail(p_token_hash bytea, p_subject text, p_text text, p_html text)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
    v_recipient text;
    v_mail_id bigint;
BEGIN
    -- created_at defaults to now(), the transaction's start: only a link this transaction
    -- minted matches, so no caller can mail someone else's (or an old) link.
    SELECT u.email INTO v_recipient
      FROM public.auth_tokens t JOIN public.users u ON u.id = t.user_id
     WHERE t.token_hash = p_token_hash AND t.used_at IS NULL AND t.created_at = now();
    IF v_recipient IS NULL THEN
        RAISE EXCEPTION 'no link was created in this transaction for that token'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.mail_outbox (recipient, subject, body_text, body_html)
    VALUES (v_recipient, p_subject, p_text, p_html) RETURNING id INTO v_mail_id;
    PERFORM public.procrastinate_defer_jobs_v1(ARRAY[ROW(
        'mail', 'mail.send', 0, NULL, NULL, jsonb_build_object('mail_id', v_mail_id), NULL
    )::public.procrastinate_job_to_defer_v1]);
    RETURN v_mail_id;
END $function$;

-- sa_resolve_session(p_ttl interval)
CREATE OR REPLACE FUNCTION public.sa_resolve_session(p_ttl interval)
 RETURNS TABLE(user_id integer, email text, kind text, role text, client_id integer, team_member_id integer, display_name text, timezone text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
    v_hash bytea := sha256(convert_to(
        coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'));
BEGIN
    -- p_ttl is ignored (kept for the callers' signature): the idle lifetime is the one the
    -- server stored at sign-in, so whoever calls this cannot stretch a session.
    UPDATE public.sessions s
       SET last_seen_at = now(), expires_at = greatest(s.expires_at, now() + s.idle_ttl)
     WHERE s.token_hash = v_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND s.last_seen_at < now() - interval '1 minute';
    RETURN QUERY
    SELECT u.id, u.email, u.kind, u.role, u.client_id, u.team_member_id, u.display_name, p.timezone
      FROM public.sessions s JOIN public.users u ON u.id = s.user_id
      LEFT JOIN public.user_preferences p ON p.user_id = u.id
     WHERE s.token_hash = v_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.status = 'active';
END
$function$;

-- sa_session_client_id()
CREATE OR REPLACE FUNCTION public.sa_session_client_id()
 RETURNS integer
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$ SELECT u.client_id 
    FROM public.sessions s
    JOIN public.users u ON u.id = s.user_id
    WHERE s.token_hash = sha256(convert_to(
            coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'))
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND u.status = 'active'
 $function$;

-- sa_session_is_admin()
CREATE OR REPLACE FUNCTION public.sa_session_is_admin()
 RETURNS boolean
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$ SELECT coalesce(bool_or(u.role = 'admin'), false) 
    FROM public.sessions s
    JOIN public.users u ON u.id = s.user_id
    WHERE s.token_hash = sha256(convert_to(
            coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'))
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND u.status = 'active'
 $function$;

-- sa_session_is_client()
CREATE OR REPLACE FUNCTION public.sa_session_is_client()
 RETURNS boolean
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$ SELECT coalesce(bool_or(u.kind = 'client'), false) 
    FROM public.sessions s
    JOIN public.users u ON u.id = s.user_id
    WHERE s.token_hash = sha256(convert_to(
            coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'))
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND u.status = 'active'
 $function$;

-- sa_session_is_internal()
CREATE OR REPLACE FUNCTION public.sa_session_is_internal()
 RETURNS boolean
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$ SELECT coalesce(bool_or(u.kind = 'internal'), false) 
    FROM public.sessions s
    JOIN public.users u ON u.id = s.user_id
    WHERE s.token_hash = sha256(convert_to(
            coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'))
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND u.status = 'active'
 $function$;

-- sa_session_kind()
CREATE OR REPLACE FUNCTION public.sa_session_kind()
 RETURNS text
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$ SELECT u.kind 
    FROM public.sessions s
    JOIN public.users u ON u.id = s.user_id
    WHERE s.token_hash = sha256(convert_to(
            coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'))
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND u.status = 'active'
 $function$;

-- sa_session_role()
CREATE OR REPLACE FUNCTION public.sa_session_role()
 RETURNS text
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$ SELECT u.role 
    FROM public.sessions s
    JOIN public.users u ON u.id = s.user_id
    WHERE s.token_hash = sha256(convert_to(
            coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'))
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND u.status = 'active'
 $function$;

-- sa_session_team_member_id()
CREATE OR REPLACE FUNCTION public.sa_session_team_member_id()
 RETURNS integer
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$ SELECT u.team_member_id 
    FROM public.sessions s
    JOIN public.users u ON u.id = s.user_id
    WHERE s.token_hash = sha256(convert_to(
            coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'))
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND u.status = 'active'
 $function$;

-- sa_session_user_id()
CREATE OR REPLACE FUNCTION public.sa_session_user_id()
 RETURNS integer
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$ SELECT u.id 
    FROM public.sessions s
    JOIN public.users u ON u.id = s.user_id
    WHERE s.token_hash = sha256(convert_to(
            coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'))
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND u.status = 'active'
 $function$;

-- sla_apply_dirty()
CREATE OR REPLACE FUNCTION public.sla_apply_dirty()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  request bigint;
BEGIN
  -- Once per transaction: the first deferred event does the work, later ones find nothing.
  IF NOT EXISTS (SELECT 1 FROM sla_dirty) THEN
    RETURN NULL;
  END IF;
  PERFORM business_calendar_rebuild(d.calendar_id) FROM sla_dirty d WHERE d.calendar_id > 0;
  DELETE FROM sla_dirty;
  UPDATE sla_recompute SET status = 'superseded', finished_at = clock_timestamp()
  WHERE status IN ('queued', 'running');
  INSERT INTO sla_recompute DEFAULT VALUES RETURNING id INTO request;
  -- One job at a time (lock); a superseded one stops at its next batch.
  PERFORM procrastinate_defer_jobs_v1(ARRAY[ROW(
    'sla', 'sla.recompute', 0, 'sla.recompute', NULL,
    jsonb_build_object('request_id', request), NULL)::procrastinate_job_to_defer_v1]);
  RETURN NULL;
END $function$;

-- sla_mark_calendar()
CREATE OR REPLACE FUNCTION public.sla_mark_calendar()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  row_data jsonb;
BEGIN
  row_data := to_jsonb(coalesce(NEW, OLD));
  INSERT INTO sla_dirty
  VALUES (CASE WHEN TG_TABLE_NAME = 'business_calendars' THEN (row_data ->> 'id')::int
               ELSE (row_data ->> 'calendar_id')::int END)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $function$;

-- sla_mark_policies()
CREATE OR REPLACE FUNCTION public.sla_mark_policies()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  INSERT INTO sla_dirty VALUES (0) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $function$;

-- sla_recompute_batch(p_request bigint, p_size integer)
CREATE OR REPLACE FUNCTION public.sla_recompute_batch(p_request bigint, p_size integer)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  r sla_recompute;
  ids integer[];
BEGIN
  SELECT * INTO r FROM sla_recompute WHERE id = p_request FOR UPDATE;
  IF NOT FOUND OR r.status NOT IN ('queued', 'running') THEN
    RETURN 'stopped';
  END IF;
  IF r.status = 'queued' THEN
    UPDATE sla_recompute
    SET status = 'running', started_at = clock_timestamp(), total = (SELECT count(*) FROM tickets)
    WHERE id = p_request;
  END IF;
  ids := ARRAY(SELECT id FROM tickets WHERE id > r.last_ticket_id ORDER BY id LIMIT p_size
               FOR SHARE);
  PERFORM 1 FROM ticket_response_facts WHERE ticket_id = ANY(ids) FOR SHARE;
  PERFORM 1 FROM clients
  WHERE id IN (SELECT client_id FROM tickets WHERE id = ANY(ids)) FOR SHARE;
  PERFORM 1 FROM ticket_types FOR SHARE;
  -- A new statement, so a new snapshot: every write the locks waited for is visible.
  PERFORM ticket_sla_refresh(ids);
  IF cardinality(ids) < p_size THEN
    UPDATE sla_recompute
    SET status = 'done', finished_at = clock_timestamp(), done = done + cardinality(ids),
        total = greatest(total, done + cardinality(ids)),
        last_ticket_id = coalesce(ids[cardinality(ids)], last_ticket_id)
    WHERE id = p_request;
    RETURN 'done';
  END IF;
  UPDATE sla_recompute
  SET done = done + cardinality(ids), last_ticket_id = ids[cardinality(ids)]
  WHERE id = p_request;
  RETURN 'more';
END $function$;

-- ticket_event_actor(OUT user_id integer, OUT kind text, OUT team_member_id integer, OUT name text)
CREATE OR REPLACE FUNCTION public.ticket_event_actor(OUT user_id integer, OUT kind text, OUT team_member_id integer, OUT name text)
 RETURNS record
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
 SET enable_nestloop TO 'on'
AS $function$
    SELECT u.id, u.kind, u.team_member_id,
           CASE WHEN u.kind = 'internal' THEN tm.username
                WHEN u.display_name = '' OR u.display_name LIKE '%@%' THEN 'Customer'
                ELSE u.display_name END
    FROM public.sessions s
    JOIN public.users u ON u.id = s.user_id
    LEFT JOIN public.team_members tm ON tm.id = u.team_member_id
    WHERE s.token_hash = sha256(convert_to(
            coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'))
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND u.status = 'active'
$function$;

-- ticket_events_backfill()
CREATE OR REPLACE FUNCTION public.ticket_events_backfill()
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  -- The row lock makes concurrent callers (several workers starting) queue; the later ones
  -- then read loading = false and return.
  IF NOT (SELECT loading FROM ticket_events_state FOR UPDATE) THEN
    RETURN false;
  END IF;
  -- Whatever was logged since the TRUNCATE belongs to loaded rows without history.
  TRUNCATE ticket_events, ticket_response_facts;
  INSERT INTO ticket_events (ticket_id, kind, new_value, created_at)
  SELECT id, 'created', NULL, coalesce(created_at, now()) FROM tickets
  UNION ALL
  SELECT id, 'status', 'resolved', resolved_at FROM tickets WHERE resolved_at IS NOT NULL
  ORDER BY 1, 4;
  
INSERT INTO ticket_response_facts AS f (
    ticket_id, created_at, client_id, assigned_to, ticket_type_id, priority, status,
    first_reply_at, frt_hours, replies, client_messages, last_message_at, last_from_client,
    reopens)
SELECT t.id, t.created_at, t.client_id, t.assigned_to, t.ticket_type_id, t.priority, t.status,
       m.first_reply_at,
       greatest(0, extract(epoch FROM m.first_reply_at - t.created_at) / 3600)::float8,
       coalesce(m.replies, 0), coalesce(m.client_messages, 0), m.last_at, m.last_from_client,
       coalesce(e.reopens, 0)
FROM tickets t
LEFT JOIN (
    SELECT ticket_id,
           min(created_at) FILTER (WHERE from_client IS FALSE) AS first_reply_at,
           count(*) FILTER (WHERE from_client IS FALSE)::int AS replies,
           count(*) FILTER (WHERE from_client IS TRUE)::int AS client_messages,
           max(created_at) AS last_at,
           (array_agg(from_client ORDER BY created_at DESC NULLS LAST, id DESC))[1]
               AS last_from_client
    FROM ticket_messages
    WHERE true
    GROUP BY ticket_id
) m ON m.ticket_id = t.id
LEFT JOIN (
    SELECT ticket_id, count(*)::int AS reopens
    FROM ticket_events
    WHERE kind = 'status' AND old_value IN ('resolved', 'closed')
      AND new_value IN ('open', 'in_progress') AND true
    GROUP BY ticket_id
) e ON e.ticket_id = t.id
WHERE true
ON CONFLICT (ticket_id) DO UPDATE SET
    created_at = excluded.created_at, client_id = excluded.client_id,
    assigned_to = excluded.assigned_to, ticket_type_id = excluded.ticket_type_id,
    priority = excluded.priority, status = excluded.status,
    first_reply_at = excluded.first_reply_at, frt_hours = excluded.frt_hours,
    replies = excluded.replies, client_messages = excluded.client_messages,
    last_message_at = excluded.last_message_at, last_from_client = excluded.last_from_client,
    reopens = excluded.reopens
;
  UPDATE ticket_events_state SET loading = false;
  ANALYZE ticket_events;
  ANALYZE ticket_response_facts;
  RETURN true;
END $function$;

-- ticket_events_mark_loading()
CREATE OR REPLACE FUNCTION public.ticket_events_mark_loading()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  UPDATE ticket_events_state SET loading = true WHERE NOT loading;
  RETURN NULL;
END $function$;

-- ticket_events_ticket_feedback_insert()
CREATE OR REPLACE FUNCTION public.ticket_events_ticket_feedback_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  a record;
BEGIN
  IF (SELECT loading FROM ticket_events_state) THEN RETURN NULL; END IF;
  SELECT * INTO a FROM ticket_event_actor();
  
  INSERT INTO ticket_events (ticket_id, kind, new_value, actor_user_id, actor_kind, actor_team_member_id, actor_name, created_at)
  SELECT n.ticket_id, 'feedback', n.rating::text, a.user_id, a.kind, a.team_member_id, a.name, coalesce(n.created_at, now())
  FROM new_rows n ORDER BY n.id;

  RETURN NULL;
END $function$;

-- ticket_events_ticket_messages_delete()
CREATE OR REPLACE FUNCTION public.ticket_events_ticket_messages_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  a record;
BEGIN
  IF (SELECT loading FROM ticket_events_state) THEN RETURN NULL; END IF;
  SELECT * INTO a FROM ticket_event_actor();
  
  PERFORM ticket_response_facts_refresh(ARRAY(SELECT DISTINCT ticket_id FROM old_rows));

  RETURN NULL;
END $function$;

-- ticket_events_ticket_messages_insert()
CREATE OR REPLACE FUNCTION public.ticket_events_ticket_messages_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  a record;
BEGIN
  IF (SELECT loading FROM ticket_events_state) THEN RETURN NULL; END IF;
  SELECT * INTO a FROM ticket_event_actor();
  
  INSERT INTO ticket_events (ticket_id, kind, new_value, actor_user_id, actor_kind, actor_team_member_id, actor_name, created_at)
  SELECT n.ticket_id, CASE WHEN n.from_client THEN 'client_message' ELSE 'reply' END,
         n.id::text, a.user_id, a.kind, a.team_member_id, a.name, coalesce(n.created_at, now())
  FROM new_rows n ORDER BY n.id;
  PERFORM ticket_response_facts_refresh(ARRAY(SELECT DISTINCT ticket_id FROM new_rows));
  -- A client writing on a resolved ticket reopens it (the status trigger logs the change).
  UPDATE tickets t SET status = 'open', resolved_at = NULL
  WHERE t.status = 'resolved'
    AND t.id IN (SELECT ticket_id FROM new_rows WHERE from_client IS TRUE);

  RETURN NULL;
END $function$;

-- ticket_events_ticket_messages_update()
CREATE OR REPLACE FUNCTION public.ticket_events_ticket_messages_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  a record;
BEGIN
  IF (SELECT loading FROM ticket_events_state) THEN RETURN NULL; END IF;
  SELECT * INTO a FROM ticket_event_actor();
  
  PERFORM ticket_response_facts_refresh(ARRAY(
    SELECT ticket_id FROM new_rows UNION SELECT ticket_id FROM old_rows));

  RETURN NULL;
END $function$;

-- ticket_events_tickets_insert()
CREATE OR REPLACE FUNCTION public.ticket_events_tickets_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  a record;
BEGIN
  IF (SELECT loading FROM ticket_events_state) THEN RETURN NULL; END IF;
  SELECT * INTO a FROM ticket_event_actor();
  
  INSERT INTO ticket_events (ticket_id, kind, new_value, actor_user_id, actor_kind, actor_team_member_id, actor_name, created_at)
  SELECT n.id, 'created', n.status, a.user_id, a.kind, a.team_member_id, a.name, coalesce(n.created_at, now())
  FROM new_rows n ORDER BY n.id;
  PERFORM ticket_response_facts_refresh(ARRAY(SELECT id FROM new_rows));

  RETURN NULL;
END $function$;

-- ticket_events_tickets_update()
CREATE OR REPLACE FUNCTION public.ticket_events_tickets_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
 SET enable_nestloop TO 'off'
AS $function$
DECLARE
  a record;
BEGIN
  IF (SELECT loading FROM ticket_events_state) THEN RETURN NULL; END IF;
  SELECT * INTO a FROM ticket_event_actor();
  
  INSERT INTO ticket_events (ticket_id, kind, old_value, new_value, actor_user_id, actor_kind, actor_team_member_id, actor_name)
  SELECT c.id, c.kind, c.old_value, c.new_value, a.user_id, a.kind, a.team_member_id, a.name
  FROM (
    SELECT n.id, 1 AS step, 'status' AS kind, o.status::text AS old_value,
           n.status::text AS new_value
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.status IS DISTINCT FROM o.status
    UNION ALL
    SELECT n.id, 2, 'priority', o.priority::text, n.priority::text
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.priority IS DISTINCT FROM o.priority
    UNION ALL
    SELECT n.id, 3, 'assignee', o.assigned_to::text, n.assigned_to::text
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.assigned_to IS DISTINCT FROM o.assigned_to
  ) c
  ORDER BY c.id, c.step;
  PERFORM ticket_response_facts_refresh(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.status, n.priority, n.assigned_to, n.ticket_type_id, n.client_id, n.created_at)
          IS DISTINCT FROM
          (o.status, o.priority, o.assigned_to, o.ticket_type_id, o.client_id, o.created_at)));

  RETURN NULL;
END $function$;

-- ticket_response_facts_refresh(p_ids integer[])
CREATE OR REPLACE FUNCTION public.ticket_response_facts_refresh(p_ids integer[])
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
 SET enable_nestloop TO 'on'
AS $function$

INSERT INTO ticket_response_facts AS f (
    ticket_id, created_at, client_id, assigned_to, ticket_type_id, priority, status,
    first_reply_at, frt_hours, replies, client_messages, last_message_at, last_from_client,
    reopens)
SELECT t.id, t.created_at, t.client_id, t.assigned_to, t.ticket_type_id, t.priority, t.status,
       m.first_reply_at,
       greatest(0, extract(epoch FROM m.first_reply_at - t.created_at) / 3600)::float8,
       coalesce(m.replies, 0), coalesce(m.client_messages, 0), m.last_at, m.last_from_client,
       coalesce(e.reopens, 0)
FROM tickets t
LEFT JOIN (
    SELECT ticket_id,
           min(created_at) FILTER (WHERE from_client IS FALSE) AS first_reply_at,
           count(*) FILTER (WHERE from_client IS FALSE)::int AS replies,
           count(*) FILTER (WHERE from_client IS TRUE)::int AS client_messages,
           max(created_at) AS last_at,
           (array_agg(from_client ORDER BY created_at DESC NULLS LAST, id DESC))[1]
               AS last_from_client
    FROM ticket_messages
    WHERE ticket_id = ANY(p_ids)
    GROUP BY ticket_id
) m ON m.ticket_id = t.id
LEFT JOIN (
    SELECT ticket_id, count(*)::int AS reopens
    FROM ticket_events
    WHERE kind = 'status' AND old_value IN ('resolved', 'closed')
      AND new_value IN ('open', 'in_progress') AND ticket_id = ANY(p_ids)
    GROUP BY ticket_id
) e ON e.ticket_id = t.id
WHERE t.id = ANY(p_ids)
ON CONFLICT (ticket_id) DO UPDATE SET
    created_at = excluded.created_at, client_id = excluded.client_id,
    assigned_to = excluded.assigned_to, ticket_type_id = excluded.ticket_type_id,
    priority = excluded.priority, status = excluded.status,
    first_reply_at = excluded.first_reply_at, frt_hours = excluded.frt_hours,
    replies = excluded.replies, client_messages = excluded.client_messages,
    last_message_at = excluded.last_message_at, last_from_client = excluded.last_from_client,
    reopens = excluded.reopens

$function$;

-- ticket_search_ids(pattern text)
CREATE OR REPLACE FUNCTION public.ticket_search_ids(pattern text)
 RETURNS SETOF integer
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  v_client integer;
BEGIN
  IF sa_session_is_internal() THEN
    -- Internal users see every ticket: the trigram indexes serve the match directly.
    -- EXECUTE plans with the actual pattern; a generic plan cannot pick those indexes.
    RETURN QUERY EXECUTE $q$
      SELECT t.id FROM tickets t WHERE t.title ILIKE $1
      UNION
      SELECT m.ticket_id FROM ticket_messages m WHERE m.message_text ILIKE $1
    $q$ USING pattern;
    RETURN;
  END IF;
  v_client := sa_session_client_id();
  IF v_client IS NULL THEN
    RETURN;
  END IF;
  -- A client: its own tickets first (client_id index), then each one's title and messages
  -- (ticket_id index, LIMIT 1 keeps the lookup per ticket). The trigram indexes would find
  -- every tenant's matches and filter afterwards, so search time would follow other
  -- tenants' data; coalesce() keeps the planner from ANDing them into the per-ticket lookup.
  RETURN QUERY EXECUTE $q$
    WITH own AS MATERIALIZED (SELECT t.id, t.title FROM tickets t WHERE t.client_id = $2)
    SELECT own.id FROM own WHERE own.title ILIKE $1
    UNION
    SELECT own.id FROM own CROSS JOIN LATERAL (
      SELECT 1 FROM ticket_messages m
       WHERE m.ticket_id = own.id AND coalesce(m.message_text, '') ILIKE $1 LIMIT 1) hit
  $q$ USING pattern, v_client;
END $function$;

-- ticket_sla_clients_update()
CREATE OR REPLACE FUNCTION public.ticket_sla_clients_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  PERFORM ticket_sla_refresh(ARRAY(
    SELECT t.id FROM tickets t WHERE t.client_id IN (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.plan_type IS DISTINCT FROM o.plan_type)));
  RETURN NULL;
END $function$;

-- ticket_sla_facts_insert()
CREATE OR REPLACE FUNCTION public.ticket_sla_facts_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  PERFORM ticket_sla_refresh(ARRAY(SELECT ticket_id FROM new_rows));
  RETURN NULL;
END $function$;

-- ticket_sla_facts_update()
CREATE OR REPLACE FUNCTION public.ticket_sla_facts_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
 SET enable_nestloop TO 'off'
AS $function$
BEGIN
  PERFORM ticket_sla_refresh(ARRAY(
    SELECT n.ticket_id FROM new_rows n JOIN old_rows o ON o.ticket_id = n.ticket_id
    WHERE n.first_reply_at IS DISTINCT FROM o.first_reply_at));
  RETURN NULL;
END $function$;

-- ticket_sla_rebuild()
CREATE OR REPLACE FUNCTION public.ticket_sla_rebuild()
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  n bigint;
BEGIN
  TRUNCATE ticket_sla;
  INSERT INTO ticket_sla (ticket_id, target, created_at, client_id, assigned_to, ticket_type_id, priority, status, plan, policy_id, target_hours, basis, due_at, done_at, running)
  
SELECT t.id, g.target, t.created_at, t.client_id, t.assigned_to, t.ticket_type_id,
       t.priority, t.status, cl.plan_type, p.id, g.hours, g.basis,
       CASE WHEN g.hours IS NULL OR t.created_at IS NULL THEN NULL
            WHEN g.basis = 'calendar' THEN t.created_at + g.hours * interval '1 hour'
            ELSE business_due(p.calendar_id, t.created_at, (g.hours * 3600)::float8) END,
       g.done_at, g.running
FROM tickets t
LEFT JOIN clients cl ON cl.id = t.client_id
LEFT JOIN ticket_types ty ON ty.id = t.ticket_type_id
LEFT JOIN ticket_response_facts f ON f.ticket_id = t.id
LEFT JOIN LATERAL (
    SELECT sp.* FROM sla_policies sp
    WHERE (sp.priority IS NULL OR sp.priority = t.priority)
      AND (sp.ticket_type_id IS NULL OR sp.ticket_type_id = t.ticket_type_id)
      AND (sp.plan IS NULL OR sp.plan = cl.plan_type)
    ORDER BY sp.ticket_type_id IS NULL, sp.plan IS NULL, sp.priority IS NULL
    LIMIT 1
) p ON true
CROSS JOIN LATERAL (VALUES
    ('first_response', p.first_response_hours, p.first_response_basis,
     coalesce(f.first_reply_at, CASE WHEN t.status IN ('open', 'in_progress') THEN NULL ELSE t.resolved_at END),
     f.first_reply_at IS NULL AND coalesce(t.status IN ('open', 'in_progress'), false)),
    ('resolution', coalesce(p.resolution_hours, ty.avg_resolution_hours::numeric),
     coalesce(p.resolution_basis, 'calendar'),
     CASE WHEN t.status IN ('open', 'in_progress') THEN NULL ELSE t.resolved_at END,
     coalesce(t.status IN ('open', 'in_progress'), false))
) g (target, hours, basis, done_at, running)
WHERE true
;
  GET DIAGNOSTICS n = ROW_COUNT;
  ANALYZE ticket_sla;
  RETURN n;
END $function$;

-- ticket_sla_refresh(p_ids integer[])
CREATE OR REPLACE FUNCTION public.ticket_sla_refresh(p_ids integer[])
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
 SET enable_nestloop TO 'on'
AS $function$
INSERT INTO ticket_sla AS s (ticket_id, target, created_at, client_id, assigned_to, ticket_type_id, priority, status, plan, policy_id, target_hours, basis, due_at, done_at, running)

SELECT t.id, g.target, t.created_at, t.client_id, t.assigned_to, t.ticket_type_id,
       t.priority, t.status, cl.plan_type, p.id, g.hours, g.basis,
       CASE WHEN g.hours IS NULL OR t.created_at IS NULL THEN NULL
            WHEN g.basis = 'calendar' THEN t.created_at + g.hours * interval '1 hour'
            ELSE business_due(p.calendar_id, t.created_at, (g.hours * 3600)::float8) END,
       g.done_at, g.running
FROM tickets t
LEFT JOIN clients cl ON cl.id = t.client_id
LEFT JOIN ticket_types ty ON ty.id = t.ticket_type_id
LEFT JOIN ticket_response_facts f ON f.ticket_id = t.id
LEFT JOIN LATERAL (
    SELECT sp.* FROM sla_policies sp
    WHERE (sp.priority IS NULL OR sp.priority = t.priority)
      AND (sp.ticket_type_id IS NULL OR sp.ticket_type_id = t.ticket_type_id)
      AND (sp.plan IS NULL OR sp.plan = cl.plan_type)
    ORDER BY sp.ticket_type_id IS NULL, sp.plan IS NULL, sp.priority IS NULL
    LIMIT 1
) p ON true
CROSS JOIN LATERAL (VALUES
    ('first_response', p.first_response_hours, p.first_response_basis,
     coalesce(f.first_reply_at, CASE WHEN t.status IN ('open', 'in_progress') THEN NULL ELSE t.resolved_at END),
     f.first_reply_at IS NULL AND coalesce(t.status IN ('open', 'in_progress'), false)),
    ('resolution', coalesce(p.resolution_hours, ty.avg_resolution_hours::numeric),
     coalesce(p.resolution_basis, 'calendar'),
     CASE WHEN t.status IN ('open', 'in_progress') THEN NULL ELSE t.resolved_at END,
     coalesce(t.status IN ('open', 'in_progress'), false))
) g (target, hours, basis, done_at, running)
WHERE t.id = ANY(p_ids)

ON CONFLICT (ticket_id, target) DO UPDATE SET created_at = excluded.created_at, client_id = excluded.client_id, assigned_to = excluded.assigned_to, ticket_type_id = excluded.ticket_type_id, priority = excluded.priority, status = excluded.status, plan = excluded.plan, policy_id = excluded.policy_id, target_hours = excluded.target_hours, basis = excluded.basis, due_at = excluded.due_at, done_at = excluded.done_at, running = excluded.running
$function$;

-- ticket_sla_tickets_insert()
CREATE OR REPLACE FUNCTION public.ticket_sla_tickets_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  IF (SELECT loading FROM ticket_events_state) THEN RETURN NULL; END IF; PERFORM ticket_sla_refresh(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $function$;

-- ticket_sla_tickets_update()
CREATE OR REPLACE FUNCTION public.ticket_sla_tickets_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
 SET enable_nestloop TO 'off'
AS $function$
BEGIN
  IF (SELECT loading FROM ticket_events_state) THEN RETURN NULL; END IF;
  PERFORM ticket_sla_refresh(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.status, n.priority, n.assigned_to, n.ticket_type_id, n.client_id, n.created_at,
           n.resolved_at)
          IS DISTINCT FROM
          (o.status, o.priority, o.assigned_to, o.ticket_type_id, o.client_id, o.created_at,
           o.resolved_at)));
  RETURN NULL;
END $function$;

-- ticket_sla_types_update()
CREATE OR REPLACE FUNCTION public.ticket_sla_types_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
  PERFORM ticket_sla_refresh(ARRAY(
    SELECT t.id FROM tickets t WHERE t.ticket_type_id IN (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.avg_resolution_hours IS DISTINCT FROM o.avg_resolution_hours)));
  RETURN NULL;
END $function$;
