from __future__ import annotations

import xml.etree.ElementTree as ET

from seoullearn.learning.charts import bar_chart


def test_chart_is_accessible_svg_with_escaped_text():
    svg = bar_chart(
        chart_id="c1",
        title="이번 주 <학습>",
        description="모두 90분",
        points=[("월", 30), ("화", 60), ("수", 0)],
        unit="분",
    )
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-t c1-d"
    assert root.find(f"{ns}title").text == "이번 주 <학습>"
    assert root.find(f"{ns}desc").text == "모두 90분"
    bars = root.findall(f"{ns}rect")
    assert len(bars) == 3
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == 2 * heights[0] and heights[2] == 0
    assert bars[0].find(f"{ns}title").text == "월: 30분"


def test_empty_chart_renders():
    ET.fromstring(bar_chart(chart_id="e", title="t", description="d", points=[], unit=""))
