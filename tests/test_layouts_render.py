"""The layout renderer: each class has its shape, and the remapped gold points at the printed rows.

No extraction quality is asserted here (the layout stage is being written); only that the
evaluation runs end to end.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from jixiao.evaluation.curve import LAYOUT_METRICS, layout_scores
from jixiao.evaluation.generate import generate_forms, render_text
from jixiao.evaluation.layouts_render import LAYOUT_CLASSES, display_width, render_documents, render_layout
from jixiao.models import Form

FORMS = generate_forms(6, seed=7)
NOISES = (0.0, 0.5, 1.0)


def _docs(layout: str, noise: float, seed: int = 3) -> list[tuple[str, list[Form]]]:
    return render_documents(FORMS, layout, seed=seed, noise=noise)


def _nows(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("layout", LAYOUT_CLASSES)
def test_gold_points_at_the_rows(layout: str, noise: float) -> None:
    docs = _docs(layout, noise)
    assert sum(len(g) for _, g in docs) == len(FORMS)
    for text, gold in docs:
        lines = text.split("\n")[:-1]
        assert text.endswith("\n")
        prev_end = 0
        for form, orig in zip(gold, [f for f in FORMS if any(f.project_name == g.project_name for g in gold)]):
            assert form.layout == layout
            first, last = form.lines
            assert prev_end < first <= last <= len(lines), (layout, form.lines, len(lines))
            prev_end = last if layout != "one-line" else 0
            assert "绩效" in lines[first - 1]  # the title line
            assert len(form.indicators) == len(orig.indicators)
            for ind in form.indicators:
                assert first <= ind.line <= last
                assert ind.lines and ind.lines[0] == ind.line and ind.lines == sorted(ind.lines)
                # the name (without whitespace) is printed at or after the row's line, within the row
                # (render_text's page-break traps may cut a tabs name in two: its start must be there)
                name = _nows(ind.name)[: 3 if layout == "tabs" and noise else None]
                rest = _nows("".join(lines[ind.line - 1 :]))
                assert name in rest, (layout, ind.name, ind.line)
                row = _nows("".join(lines[ind.line - 1 : ind.lines[-1]]))
                assert name in row, (layout, ind.name, ind.lines)


@pytest.mark.parametrize("layout", LAYOUT_CLASSES)
def test_deterministic_for_a_seed(layout: str) -> None:
    a = _docs(layout, 0.5, seed=11)
    b = _docs(layout, 0.5, seed=11)
    assert [t for t, _ in a] == [t for t, _ in b]
    assert [[f.model_dump() for f in g] for _, g in a] == [[f.model_dump() for f in g] for _, g in b]
    c = _docs(layout, 0.5, seed=12)
    assert [t for t, _ in a] != [t for t, _ in c]


def test_gold_values_do_not_depend_on_layout_or_noise() -> None:
    def values(gold: list[Form]) -> list[dict]:
        keep = {"lines", "field_lines", "layout"}
        out = []
        for f in gold:
            d = f.model_dump(exclude=keep)
            for i in d["indicators"]:
                del i["line"], i["lines"]
            out.append(d)
        return out

    ref = values([f for _, g in _docs("ocr", 0.0) for f in g])
    for layout in LAYOUT_CLASSES[1:]:
        for noise in (0.0, 1.0):
            assert values([f for _, g in _docs(layout, noise) for f in g]) == ref, (layout, noise)


def test_tabs_is_render_text() -> None:
    text, gold = render_layout(FORMS, "tabs", seed=5, noise=0.3)
    ref_text, ref_gold = render_text(FORMS, noise=0.3, seed=5)
    assert text == ref_text
    assert [g.indicators for g in gold] == [g.indicators for g in ref_gold]
    assert {g.layout for g in gold} == {"tabs"}


def test_unknown_class_and_several_forms_on_one_line_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown layout"):
        render_layout(FORMS, "latex")
    with pytest.raises(ValueError, match="one form per document"):
        render_layout(FORMS, "one-line")


# ---- the shape of each class ---------------------------------------------------------------


def _cells(forms: list[Form], seed: int) -> set[str]:
    """Every cell of the clean TAB print the classes start from."""
    text, _ = render_text(forms, seed=seed, traps=())
    return {c.strip() for line in text.splitlines() for c in line.split("\t") if c.strip()}


def test_spaces_columns_are_padded() -> None:
    text, gold = render_layout(FORMS, "spaces", seed=1)
    lines = text.split("\n")
    assert "\t" not in text
    for form in gold:
        title = lines[form.lines[0] - 1]
        assert title.startswith("    ") and title.strip().endswith("表")  # centred
        for ind in form.indicators:
            line = lines[ind.line - 1]
            assert ind.name in re.split(r" {2,}", line.strip())
            if ind.target:
                assert ind.target.raw in re.split(r" {2,}", line.strip())
    assert display_width("项目a≥") == 6


def test_spaces_noise_touches_with_one_space() -> None:
    text, _ = render_layout(FORMS, "spaces", seed=1, noise=1.0)
    assert re.search(r"\S \S", text)


def test_ocr_one_space_and_confusions() -> None:
    text, gold = render_layout(FORMS, "ocr", seed=1)
    lines = text.split("\n")
    assert "\t" not in text and "  " not in text
    for form in gold:
        for ind in form.indicators:
            assert f" {ind.name} " in f" {lines[ind.line - 1]} "
    noisy, _ = render_layout(FORMS, "ocr", seed=1, noise=1.0)
    assert "万兀" in noisy and "IO" in noisy and "一 级 指 标" in noisy
    for form in gold:
        for ind in form.indicators:
            assert ind.name in noisy  # never a space inside a name


def test_cell_per_line_holds_one_cell_per_line() -> None:
    text, gold = render_layout(FORMS, "cell-per-line", seed=1)
    cells = _cells(FORMS, seed=1)
    for line in text.splitlines():
        assert not line.strip() or line.strip() in cells, line
    lines = text.split("\n")
    for form in gold:
        for ind in form.indicators:
            first = lines[ind.line - 1]
            assert first in (ind.level1, ind.level2, ind.name, "绩效 指标")
        # merged categories are printed once
        assert sum(line == "满意度指标" for line in lines[form.lines[0] - 1 : form.lines[1]]) == 1


def test_pipes_rows_and_rule() -> None:
    text, gold = render_layout(FORMS, "pipes", seed=1, noise=0.5)
    lines = text.split("\n")
    for form in gold:
        body = lines[form.lines[0] - 1 : form.lines[1]]
        table = [line for line in body if line.startswith("|")]
        assert re.fullmatch(r"\|(---\|)+", table[1])
        assert all(not line or line.startswith("|") for line in body[body.index(table[0]) :])
        for ind in form.indicators:
            line = lines[ind.line - 1]
            assert line.startswith("|") and f" {ind.name} " in line
            if ind.level1 and ind.level1 not in line:  # a continuation row shifted left
                assert line.startswith(f"| {ind.level2} |") or line.startswith(f"| {ind.name} |")


def test_run_together_has_no_separator() -> None:
    text, gold = render_layout(FORMS, "run-together", seed=1)
    lines = text.split("\n")
    for form in gold:
        for ind in form.indicators:
            assert ind.name in lines[ind.line - 1]
            assert (ind.target.raw + (ind.actual.raw if ind.actual else "")) in lines[ind.line - 1]
    assert "\t" not in text


@pytest.mark.parametrize("noise", (0.0, 1.0))
def test_one_line_is_one_line_per_form(noise: float) -> None:
    docs = _docs("one-line", noise)
    assert len(docs) == len(FORMS)
    for text, gold in docs:
        assert len([line for line in text.splitlines() if line.strip()]) == 1
        (form,) = gold
        assert form.lines == [1, 1] and {i.line for i in form.indicators} == {1}
        if noise:
            assert text.startswith("Normal 0 false 7.8 磅")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.rows: list[tuple[int, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            return
        self.stack.append(tag)
        if tag == "tr":
            self.rows.append((self.getpos()[0], []))
        elif tag == "td":
            self.rows[-1][1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            return
        assert self.stack and self.stack.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "td":
            self.rows[-1][1][-1] += data


@pytest.mark.parametrize("noise", (0.0, 1.0))
def test_html_parses_and_rows_are_tr_lines(noise: float) -> None:
    text, gold = render_layout(FORMS, "html", seed=1, noise=noise)
    p = _Tags()
    p.feed(text)
    p.close()
    assert p.stack == []
    rows = dict(p.rows)
    for form in gold:
        assert text.split("\n")[form.lines[0] - 1].startswith("<p")
        for ind in form.indicators:
            assert ind.line in rows
            assert ind.name in rows[ind.line]
    assert "&nbsp;" in text and 'rowspan="' in text
    if noise:
        assert "&ge;" in text and "\n<tr>\n" in text


def test_pdf_label_blocks_and_funds_lines() -> None:
    text, gold = render_layout(FORMS, "pdf", seed=1)
    lines = text.split("\n")
    for form in gold:
        body = lines[form.lines[0] - 1 : form.lines[1]]
        at = body.index("项目名称")
        assert body[at + 1] in ("主管部门", "项目性质")  # labels in a block, then the values
        assert body[at + (7 if form.kind == "target_declaration" else 3)] == form.project_name
        if form.kind == "self_evaluation":
            numbers = [line for line in body if re.fullmatch(r"[\d.,\-]+( [\d.,\-]+){5}", line)]
            assert len(numbers) == 4  # each funds row's numbers on one line
        for ind in form.indicators:
            assert ind.name in lines[ind.line - 1].split(" ")


# ---- the evaluation ------------------------------------------------------------------------


def test_layout_scores_run_for_every_class() -> None:
    scores = layout_scores(["rules", "baseline"], n_forms=4, seed=2, noise=0.3)
    assert list(scores) == list(LAYOUT_CLASSES)
    for m in scores.values():
        for k in ("forms.recall", "indicators.f1"):
            assert 0.0 <= m[k] <= 1.0 and 0.0 <= m[f"baseline:{k}"] <= 1.0
        assert set(m) <= {*LAYOUT_METRICS, "seconds"} | {f"baseline:{k}" for k in (*LAYOUT_METRICS, "seconds")}
    with pytest.raises(ValueError, match="unknown layout"):
        layout_scores(["rules"], 2, 0, 0.0, layouts=["latex"])


def test_cli_prints_the_layout_section() -> None:
    from jixiao.cli import main

    runner = CliRunner()
    args = ["eval", "--noise", "--forms", "3", "--levels", "0", "--no-baseline", "--layouts", "ocr,html"]
    r = runner.invoke(main, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert list(out["by_layout"]) == ["ocr", "html"] and out["layout_noise"] == 0.3
    r = runner.invoke(main, args)
    assert r.exit_code == 0, r.output
    assert "各版式类别的指标行 F1" in r.output and "html 网页源码" in r.output
    r = runner.invoke(main, [*args[:-1], "latex"])
    assert r.exit_code != 0 and "未知的版式类别" in r.output
