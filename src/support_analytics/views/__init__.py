"""Saved dashboard views: a name and the URL state of a dashboard page, private or shared with
every internal user, and one default per user. Row-level security (migration 0010) decides
who sees and changes which view; these functions run in the request's transaction."""
