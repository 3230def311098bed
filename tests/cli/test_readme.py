"""The README's Configuration table documents every setting, with its real default."""

from __future__ import annotations

from pathlib import Path

import pytest

from support_analytics.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _configuration_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Configuration")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    section = _configuration_section()
    variable = "DATABASE_URL" if name == "database_url" else f"SUPPORT_ANALYTICS_{name.upper()}"
    rows = [line for line in section.splitlines() if line.startswith(f"| `{variable}`")]
    assert rows, f"{variable} is not in the README's Configuration table"
    default = Settings.model_fields[name].default
    shown = (
        "unset" if default is None else str(getattr(default, "get_secret_value", lambda: default)())
    )
    assert f"`{shown}`" in rows[0] or shown in rows[0], (variable, shown)
