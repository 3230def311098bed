"""Saved views under the request's role: RLS hides other users' private views and refuses
changes to views one does not own; these functions turn that into 404, 403 and 409."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import RowMapping, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from support_analytics.errors import Conflict, Forbidden, InvalidInput, NotFound
from support_analytics.text import CONTROL_CHARACTERS, is_clean

NAME_MAX = 80
QUERY_MAX = 2000
PATH_PATTERN = re.compile(r"^/dashboard(/[a-z0-9/-]*)?$")


@dataclass(frozen=True)
class SavedView:
    id: int
    name: str
    path: str
    query: str
    shared: bool
    mine: bool
    is_default: bool

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


_SELECT = """
SELECT v.id, v.name, v.path, v.query, v.shared, v.owner_id = :me AS mine,
       d.view_id IS NOT NULL AS is_default
FROM saved_views v
LEFT JOIN saved_view_defaults d ON d.view_id = v.id AND d.user_id = :me
"""


def _of(row: RowMapping) -> SavedView:
    return SavedView(
        id=int(row["id"]),
        name=str(row["name"]),
        path=str(row["path"]),
        query=str(row["query"]),
        shared=bool(row["shared"]),
        mine=bool(row["mine"]),
        is_default=bool(row["is_default"]),
    )


def split_state(address: str) -> tuple[str, str]:
    """A dashboard address (absolute or not) as (path, query); InvalidInput naming `url`
    when it is not a dashboard page."""
    if not is_clean(address):
        raise InvalidInput(f"url: {CONTROL_CHARACTERS}", field="url")
    parts = urlsplit(address)
    path = parts.path.rstrip("/") or "/"
    if not PATH_PATTERN.match(path):
        raise InvalidInput("url: only dashboard pages can be saved", field="url")
    if len(parts.query) > QUERY_MAX:
        raise InvalidInput(f"url: at most {QUERY_MAX} characters of filters", field="url")
    return path, parts.query


def clean_name(name: str) -> str:
    if not is_clean(name):
        raise InvalidInput(f"name: {CONTROL_CHARACTERS}", field="name")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("name: must not be empty", field="name")
    if len(cleaned) > NAME_MAX:
        raise InvalidInput(f"name: at most {NAME_MAX} characters", field="name")
    return cleaned


def list_views(session: Session, user_id: int) -> list[SavedView]:
    """Own views and views shared by others, the default first, then by name."""
    rows = session.execute(
        text(f"{_SELECT} ORDER BY is_default DESC, mine DESC, lower(v.name), v.id"),
        {"me": user_id},
    ).mappings()
    return [_of(row) for row in rows]


def get_view(session: Session, user_id: int, view_id: int) -> SavedView:
    found = (
        session.execute(text(f"{_SELECT} WHERE v.id = :id"), {"me": user_id, "id": view_id})
        .mappings()
        .first()
    )
    if found is None:
        raise NotFound(f"no saved view {view_id}")
    return _of(found)


def _owned(session: Session, user_id: int, view_id: int) -> SavedView:
    view = get_view(session, user_id, view_id)
    if not view.mine:
        raise Forbidden("only its owner can change a shared view")
    return view


def create_view(
    session: Session, user_id: int, *, name: str, path: str, query: str, shared: bool
) -> SavedView:
    created = session.execute(
        text(
            "INSERT INTO saved_views (owner_id, name, path, query, shared)"
            " VALUES (:me, :name, :path, :query, :shared)"
            " ON CONFLICT (owner_id, name) DO NOTHING RETURNING id"
        ),
        {"me": user_id, "name": clean_name(name), "path": path, "query": query, "shared": shared},
    ).scalar_one_or_none()
    if created is None:
        raise Conflict("name: you already have a view with this name")
    return get_view(session, user_id, int(created))


def update_view(
    session: Session,
    user_id: int,
    view_id: int,
    *,
    name: str | None = None,
    shared: bool | None = None,
    query: str | None = None,
) -> SavedView:
    view = _owned(session, user_id, view_id)
    values = {
        "name": clean_name(name) if name is not None else view.name,
        "shared": view.shared if shared is None else shared,
        "query": view.query if query is None else query,
    }
    try:
        with session.begin_nested():
            session.execute(
                text(
                    "UPDATE saved_views SET name = :name, shared = :shared, query = :query"
                    " WHERE id = :id"
                ),
                {**values, "id": view_id},
            )
    except IntegrityError as exc:
        raise Conflict("name: you already have a view with this name") from exc
    return get_view(session, user_id, view_id)


def delete_view(session: Session, user_id: int, view_id: int) -> None:
    _owned(session, user_id, view_id)
    session.execute(text("DELETE FROM saved_views WHERE id = :id"), {"id": view_id})


def set_default(session: Session, user_id: int, view_id: int | None) -> None:
    """Make a visible view (own or shared) the user's default; None clears it."""
    if view_id is None:
        session.execute(
            text("DELETE FROM saved_view_defaults WHERE user_id = :me"), {"me": user_id}
        )
        return
    get_view(session, user_id, view_id)
    session.execute(
        text(
            "INSERT INTO saved_view_defaults (user_id, view_id) VALUES (:me, :id)"
            " ON CONFLICT (user_id) DO UPDATE SET view_id = excluded.view_id"
        ),
        {"me": user_id, "id": view_id},
    )


def default_view(session: Session, user_id: int) -> SavedView | None:
    views = list_views(session, user_id)
    return views[0] if views and views[0].is_default else None
