"""Every chart's axis names (the "tickets" and "hours" titles) lie inside the chart's own box at
desktop, laptop and phone width: ECharts draws on a canvas, so the test reads the drawn text
elements' boxes from zrender and compares them with the canvas size."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.browser.conftest import Login
from tests.browser.dashboard_helpers import wait_for_view

pytestmark = pytest.mark.browser

WIDTHS = (1440, 1024, 390)
VIEWS = (
    ("/dashboard/over-time?date=between:2025-04-01,2025-06-30&compare=year", 1),
    ("/dashboard/distribution", 2),
    ("/dashboard/resolution", 2),
    ("/dashboard/responsiveness", 2),
)

# Per chart: each axis name and the boxes of the texts drawn with it, in canvas pixels.
AXIS_NAME_BOXES = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
  const chart = echarts.getInstanceByDom(el);
  const option = chart.getOption();
  const zr = chart.getZr();
  const names = [...(option.xAxis || []), ...(option.yAxis || [])]
    .map(axis => axis.name).filter(Boolean);
  const texts = zr.storage.getDisplayList(true).filter(d => d.style && d.style.text);
  return {
    chart: el.getAttribute('data-chart'),
    width: zr.getWidth(),
    height: zr.getHeight(),
    names: names.map(name => ({
      name,
      boxes: texts.filter(t => t.style.text === name).map(t => {
        const box = t.getBoundingRect().clone();
        box.applyTransform(t.getComputedTransform());
        return [box.x, box.y, box.x + box.width, box.y + box.height];
      }),
    })),
  };
})"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("path", "charts"), VIEWS, ids=[v[0].split("?")[0] for v in VIEWS])
def test_axis_names_lie_inside_their_chart(
    *, page: Page, login: Login, path: str, charts: int, width: int
) -> None:
    viewport: ViewportSize = {"width": width, "height": 900}
    page.set_viewport_size(viewport)
    login(page, "manager")
    page.goto(path)
    wait_for_view(page, charts=charts)
    found = page.evaluate(AXIS_NAME_BOXES)
    assert isinstance(found, list)
    assert len(found) == charts
    outside: list[str] = []
    named = 0
    for chart in found:
        assert isinstance(chart, dict)
        for axis in chart["names"]:
            assert axis["boxes"], f"{chart['chart']}: axis name {axis['name']!r} not drawn"
            named += 1
            for left, top, right, bottom in axis["boxes"]:
                if left < 0 or top < 0 or right > chart["width"] or bottom > chart["height"]:
                    outside.append(
                        f"{chart['chart']} {axis['name']!r} at {width}px: "
                        f"({left:.0f},{top:.0f})-({right:.0f},{bottom:.0f}) "
                        f"in {chart['width']}x{chart['height']}"
                    )
    assert named, "no axis name checked"
    assert outside == []
