"""Charts as inline SVG: horizontal bars (plain, grouped or stacked) and a line chart.

A page that is mailed or printed gets its pictures as plain SVG elements, inline in the HTML
(so without an xmlns): no script, no external file, text kept as text (so a browser or the
PDF engine sets Chinese labels in a CJK font and the PDF's text can be searched). Only rects, lines, polylines, circles and
text; every label is escaped. Text widths are estimated (a CJK character is one em, other
characters about 0.6 em), which is enough to place labels and size the label column.

    svg = hbar_chart(["得分超过分值", "年度不符"], [Series("问题数", [3, 1])])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
FONT_SIZE = 12
WIDTH = 720
AXIS = "#888"
GRID = "#e3e3e3"
TEXT = "#222"
# one colour per series when a series names none
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1")


@dataclass
class Series:
    name: str
    values: Sequence[float | None]
    color: str = ""
    css: str = ""  # a class on every bar of the series (e.g. 'sev-error'), for styling and tests


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width in px: a wide (CJK, full-width) character is one em, others 0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else 0.6 * size for ch in text)


def clip(text: str, width: float, size: float = FONT_SIZE) -> str:
    """``text`` cut to fit ``width`` px, with '…' when cut."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def nice_ticks(top: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top`` (1, 2 or 5 times a power of ten apart)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    count = math.ceil(top / step - 1e-9)
    return [i * step for i in range(count + 1)]


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3g}"


def _colors(series: Sequence[Series]) -> list[str]:
    return [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]


def _open(width: float, height: float, title: str) -> list[str]:
    return [
        f'<svg class="chart" role="img" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" '
        f'font-size="{FONT_SIZE}" fill="{TEXT}">',
        f"<title>{escape(title)}</title>",
    ]


def _legend(series: Sequence[Series], colors: Sequence[str], x: float, y: float) -> list[str]:
    out = []
    for s, color in zip(series, colors):
        out.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{x + 16:.1f}" y="{y:.1f}">{escape(s.name)}</text>')
        x += 16 + text_width(s.name) + 18
    return out


def hbar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    stacked: bool = False,
    top: float | None = None,
    value_text: Callable[[float], str] = _fmt,
    width: float = WIDTH,
    max_label: float = 260,
) -> str:
    """One row per label; a bar per series side by side, or one bar of stacked segments.

    Every bar (every segment when stacked) is a ``<rect class="bar …">`` with a ``<title>``
    of its label, series and value; an empty or zero value draws no bar."""
    colors = _colors(series)
    label_w = min(max_label, max((text_width(x) for x in labels), default=0)) + 10
    legend = len(series) > 1
    head = 24 if legend else 6
    per_row = 1 if stacked else max(1, len(series))
    bar_h = 13 if per_row == 1 else 10
    row_h = bar_h * per_row + 8
    small = FONT_SIZE if per_row == 1 else 9
    height = head + row_h * len(labels) + 24
    if top is None:
        if stacked:
            top = max((sum(s.values[i] or 0 for s in series) for i in range(len(labels))), default=0)
        else:
            top = max((v or 0 for s in series for v in s.values), default=0)
    ticks = nice_ticks(top)
    scale_top = ticks[-1] or 1
    x0 = label_w
    plot_w = width - x0 - 48  # room for the value at the end of the longest bar
    out = _open(width, height, title)
    if legend:
        out += _legend(series, colors, x0, 14)
    base = head + row_h * len(labels)
    for t in ticks:
        x = x0 + plot_w * t / scale_top
        out.append(f'<line x1="{x:.1f}" y1="{head:.1f}" x2="{x:.1f}" y2="{base:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{x:.1f}" y="{base + 15:.1f}" text-anchor="middle" fill="#666">{value_text(t)}</text>')
    for i, label in enumerate(labels):
        y = head + row_h * i + 5
        shown = clip(label, label_w - 10)
        out.append(
            f'<text class="label" x="{x0 - 6:.1f}" y="{y + bar_h * per_row / 2 + 4:.1f}" text-anchor="end">'
            f"{escape(shown)}</text>"
        )
        x = x0
        for j, (s, color) in enumerate(zip(series, colors)):
            v = s.values[i] or 0
            if v <= 0:
                if not stacked and s.values[i] is not None:  # a measured zero says so; a gap stays blank
                    by = y + bar_h * j
                    out.append(
                        f'<text x="{x0 + 4:.1f}" y="{by + bar_h - 2:.1f}" font-size="{small}">{value_text(0)}</text>'
                    )
                continue
            w = plot_w * v / scale_top
            by = y if stacked else y + bar_h * j
            css = f"bar {s.css}".strip()
            tip = f"{label}｜{s.name}：{value_text(v)}"
            out.append(
                f'<rect class="{escape(css)}" x="{x:.1f}" y="{by:.1f}" width="{max(w, 1):.1f}" height="{bar_h}" '
                f'fill="{color}"><title>{escape(tip)}</title></rect>'
            )
            if stacked:
                if w >= text_width(value_text(v), 10) + 4:
                    out.append(
                        f'<text x="{x + w / 2:.1f}" y="{by + bar_h - 3:.1f}" text-anchor="middle" font-size="10" '
                        f'fill="#fff">{value_text(v)}</text>'
                    )
                x += w
            else:
                out.append(
                    f'<text x="{x + w + 4:.1f}" y="{by + bar_h - 2:.1f}" font-size="{small}">{value_text(v)}</text>'
                )
        if stacked:
            total = sum(s.values[i] or 0 for s in series)
            out.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 3:.1f}">{value_text(total)}</text>')
    out.append(f'<line x1="{x0:.1f}" y1="{head:.1f}" x2="{x0:.1f}" y2="{base:.1f}" stroke="{AXIS}"/>')
    out.append("</svg>")
    return "".join(out)


def line_chart(
    xs: Sequence[float],
    series: Sequence[Series],
    *,
    title: str = "",
    y_range: tuple[float, float] = (0.0, 1.0),
    threshold: float | None = None,
    threshold_label: str = "",
    x_label: str = "",
    value_text: Callable[[float], str] = lambda v: f"{v * 100:.0f}%",
    width: float = WIDTH,
    height: float = 300,
) -> str:
    """One polyline per series over the x values (a gap where a value is missing), a dot on
    every point (``<circle class="point …">``), an optional dashed threshold line."""
    colors = _colors(series)
    left, right, top, bottom = 52, 20, 30, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    lo_x, hi_x = (min(xs), max(xs)) if xs else (0.0, 1.0)
    span_x = (hi_x - lo_x) or 1.0
    lo_y, hi_y = y_range
    span_y = (hi_y - lo_y) or 1.0

    def px(x: float) -> float:
        return left + plot_w * (x - lo_x) / span_x

    def py(y: float) -> float:
        return top + plot_h * (1 - (min(max(y, lo_y), hi_y) - lo_y) / span_y)

    out = _open(width, height, title)
    out += _legend(series, colors, left, 16)
    for k in range(6):
        v = lo_y + span_y * k / 5
        y = py(v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#666">{value_text(v)}</text>')
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{top + plot_h + 16:.1f}" text-anchor="middle" fill="#666">{x:g}</text>')
    if x_label:
        out.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 6:.1f}" text-anchor="middle">{escape(x_label)}</text>'
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{AXIS}"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{AXIS}"/>'
    )
    if threshold is not None:
        y = py(threshold)
        out.append(
            f'<line class="threshold" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#c0392b" stroke-dasharray="5,4"/>'
        )
        if threshold_label:
            out.append(
                f'<text x="{width - right - 4}" y="{y - 4:.1f}" text-anchor="end" fill="#c0392b">'
                f"{escape(threshold_label)}</text>"
            )
    for s, color in zip(series, colors):
        runs: list[list[tuple[float, float]]] = [[]]
        for x, v in zip(xs, s.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((px(x), py(v)))
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in run)
                out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
        css = f"point {s.css}".strip()
        for x, v in zip(xs, s.values):
            if v is not None:
                tip = f"{s.name}：{x:g} → {value_text(v)}"
                out.append(
                    f'<circle class="{escape(css)}" cx="{px(x):.1f}" cy="{py(v):.1f}" r="3.5" fill="{color}">'
                    f"<title>{escape(tip)}</title></circle>"
                )
    out.append("</svg>")
    return "".join(out)
