"""Migration file names sort in chain order: listing `versions/` reads like the history."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from support_analytics.db import migrate


def _files_by_revision() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    scripts = ScriptDirectory.from_config(migrate.alembic_config("postgresql://unused"))
    files: dict[str, str] = {}
    parents: dict[str, tuple[str, ...]] = {}
    for script in scripts.walk_revisions():
        assert script.path is not None
        files[script.revision] = Path(script.path).name
        down = script.down_revision
        parents[script.revision] = (down,) if isinstance(down, str) else tuple(down or ())
    return files, parents


def test_every_file_name_sorts_after_the_files_of_its_down_revisions() -> None:
    files, parents = _files_by_revision()
    out_of_order = [
        (files[parent], files[revision])
        for revision, down in parents.items()
        for parent in down
        if not files[parent] < files[revision]
    ]
    assert out_of_order == []


def test_file_names_start_with_a_date_and_are_unique_prefixes() -> None:
    files, _ = _files_by_revision()
    prefixes = [name.split("_")[1] for name in files.values()]
    assert all(name[:8].isdigit() for name in files.values())
    assert len(set(prefixes)) == len(prefixes), sorted(prefixes)
