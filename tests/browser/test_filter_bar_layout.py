"""The filter bar's date inputs are wide enough to show a whole date at every width: with the
Period select, the operator and two dates on one row, the dates were squeezed to "04" and "06"
at desktop widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ViewportSize

from tests.browser.conftest import LiveServer, Login
from tests.browser.dashboard_helpers import wait_for_view

pytestmark = pytest.mark.browser

WIDTHS = (390, 1024, 1280, 1440)

# The width a date input takes on its own (`width: auto`) in the same place: what it needs to
# show its whole value and the calendar button.
SQUEEZED = """() => [...document.querySelectorAll('.filter-bar input[type="date"]')]
  .filter(input => input.offsetParent !== null)
  .map(input => {
    const probe = input.cloneNode();
    probe.removeAttribute('id');
    probe.style.cssText = 'position:absolute;visibility:hidden;width:auto;flex:none';
    input.parentElement.appendChild(probe);
    const needed = probe.getBoundingClientRect().width;
    probe.remove();
    return {name: input.name, width: input.getBoundingClientRect().width, needed};
  })"""


@pytest.mark.parametrize("width", WIDTHS)
def test_date_inputs_show_a_whole_date(
    width: int, browser: Browser, live_server: LiveServer, login: Login
) -> None:
    viewport: ViewportSize = {"width": width, "height": 900}
    context = browser.new_context(base_url=live_server.base_url, viewport=viewport, locale="en-US")
    try:
        page = context.new_page()
        login(page, "manager")
        page.goto("/dashboard?date=between:2025-04-01,2025-06-30&priority=any_of:high,urgent")
        wait_for_view(page, charts=0)
        inputs = page.evaluate(SQUEEZED)
        assert isinstance(inputs, list)
        assert len(inputs) == 2, inputs
        squeezed = [i for i in inputs if i["width"] < i["needed"] - 1]
        assert squeezed == [], f"{width} px: {squeezed}"
    finally:
        context.close()
