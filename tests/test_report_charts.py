"""The SVG chart writer: bars and points where the numbers say, labels escaped, no script."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from jixiao.report.charts import Series, clip, hbar_chart, line_chart, nice_ticks, text_width


def _parse(svg: str) -> ET.Element:
    # inline SVG carries no xmlns; as XML it must still be well formed
    return ET.fromstring(svg)


def _rects(svg: str, css: str = "bar") -> list[ET.Element]:
    return [e for e in _parse(svg).iter("rect") if css in (e.get("class") or "").split()]


def test_bars_are_proportional_and_zero_draws_nothing() -> None:
    svg = hbar_chart(["甲", "乙", "丙"], [Series("问题数", [4, 2, 0])])
    bars = _rects(svg)
    assert len(bars) == 2
    w = [float(b.get("width") or 0) for b in bars]
    assert abs(w[0] - 2 * w[1]) < 0.2
    assert [b.find("title").text for b in bars] == ["甲｜问题数：4", "乙｜问题数：2"]  # type: ignore[union-attr]


def test_stacked_segments_touch_and_grouped_bars_do_not_stack() -> None:
    series = [Series("错误", [1, 0], css="sev-error"), Series("警告", [2, 3], css="sev-warning")]
    stacked = _rects(hbar_chart(["一", "二"], series, stacked=True))
    assert [r.get("class") for r in stacked] == ["bar sev-error", "bar sev-warning", "bar sev-warning"]
    first, second = stacked[0], stacked[1]
    assert first.get("y") == second.get("y")
    assert abs(float(first.get("x") or 0) + float(first.get("width") or 0) - float(second.get("x") or 0)) < 0.2
    grouped = _rects(hbar_chart(["一", "二"], series))
    assert grouped[0].get("x") == grouped[1].get("x") and grouped[0].get("y") != grouped[1].get("y")


def test_untrusted_labels_are_escaped_and_long_ones_clipped() -> None:
    evil = '<script>alert("x")</script>' + "很长的项目名称" * 20
    svg = hbar_chart([evil], [Series("a&b", [1])], title="<b>")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    root = _parse(svg)
    label = next(t for t in root.iter("text") if t.get("class") == "label")
    assert (label.text or "").endswith("…") and text_width(label.text or "") <= 260
    assert not re.search(r"\b(href|src)=", svg)


def test_line_chart_points_gaps_and_threshold() -> None:
    svg = line_chart(
        [0, 0.5, 1],
        [Series("rules", [1.0, 0.9, 0.5], css="rules"), Series("baseline", [0.8, None, 0.2])],
        threshold=0.95,
        threshold_label="阈值 95%",
    )
    root = _parse(svg)
    assert len([c for c in root.iter("circle") if "rules" in (c.get("class") or "")]) == 3
    assert len(list(root.iter("circle"))) == 5, "no dot for a missing value"
    lines = list(root.iter("polyline"))
    assert len(lines) == 1, "the baseline, cut by its gap, has no run of two points"
    assert any(e.get("class") == "threshold" for e in root.iter("line"))
    ys = [float(c.get("cy") or 0) for c in root.iter("circle") if "rules" in (c.get("class") or "")]
    assert ys[0] < ys[1] < ys[2], "higher values are drawn higher"


def test_nice_ticks_and_clip() -> None:
    assert nice_ticks(8) == [0, 2, 4, 6, 8]
    assert nice_ticks(7)[-1] >= 7 and nice_ticks(0.93)[-1] >= 0.93
    assert nice_ticks(0) == [0.0, 1.0]
    assert clip("短", 100) == "短"
    assert text_width("中文") == 2 * text_width("中") and text_width("ab") < text_width("中文")
