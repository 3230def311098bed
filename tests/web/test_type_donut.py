"""The donut of ticket types: slices sorted largest first, the largest few named, the rest one
"Other" slice (the table under it keeps every type); each named slice still opens its tickets."""

from __future__ import annotations

from support_analytics.analytics.schemas import TicketTypeRow, TicketTypes
from support_analytics.filters import TicketFilters
from support_analytics.web.pages.dashboard_views import DONUT_SLICES, type_chart


def types(counts: list[int]) -> TicketTypes:
    total = sum(counts)
    return TicketTypes(
        rows=[
            TicketTypeRow(ticket_type_id=i, name=f"T{i}", count=n, pct=100 * n / total)
            for i, n in enumerate(counts, start=1)
        ]
    )


def test_fourteen_types_become_the_top_slices_and_other() -> None:
    counts = [300 + (i * 7) % 50 for i in range(14)]
    chart = type_chart(types(counts), TicketFilters())
    items = chart["items"]
    assert isinstance(items, list)
    assert len(items) == DONUT_SLICES + 1
    values = [int(str(item["value"])) for item in items if isinstance(item, dict)]
    assert values[:-1] == sorted(values[:-1], reverse=True)
    last = items[-1]
    assert isinstance(last, dict)
    assert last["name"] == "Other (8 types)"
    assert sum(values) == sum(counts)
    links = chart["links"]
    assert isinstance(links, dict)
    assert sorted(links) == [str(i) for i in range(DONUT_SLICES + 1)]
    assert "ticket_type=any_of" in str(links[str(DONUT_SLICES)])


def test_few_types_are_all_named() -> None:
    chart = type_chart(types([5, 9, 0, 2]), TicketFilters())
    items = chart["items"]
    assert isinstance(items, list)
    assert [item["name"] for item in items if isinstance(item, dict)] == ["T2", "T1", "T4"]
