"""The session's logic without a screen: moving, filtering, resuming, copied-text marking,
and which cells a finding points at."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jixiao.models import Finding
from jixiao.report.data import build
from jixiao.report.evidence import FormIndex, FormRef, evidence_in, form_of
from jixiao.review.state import ReviewState
from jixiao.review.textdiff import MIN_COPIED, copied_spans
from jixiao.review.views import goal_texts
from jixiao.store import Decision
from test_review_support import gold_findings, seed_documents


def _state(decided: dict[int, str] | None = None) -> ReviewState:
    findings = gold_findings()
    data = build(list(seed_documents()), findings, {})
    for pos, value in (decided or {}).items():
        row = data.findings[pos]
        row.decision = Decision(key=row.key, decision=value)  # type: ignore[arg-type]
    return ReviewState(data)


def test_walks_every_finding_in_reading_order() -> None:
    s = _state()
    seen = [s.current]
    while s.step(1) is not None:
        seen.append(s.current)
    assert seen == list(range(len(s.data.findings)))
    assert s.step(1) is None and s.current == seen[-1], "stays at the end"
    while s.step(-1) is not None:
        pass
    assert s.current == 0
    refs = [r.ref for r in s.data.findings]
    assert refs == sorted(refs, key=lambda r: (r.doc, r.form)), "grouped by document and form"  # type: ignore[union-attr]


def test_resumes_at_first_undecided_and_skips_decided() -> None:
    s = _state({0: "confirmed", 1: "dismissed", 3: "confirmed"})
    assert s.current == 2
    s.step(1, undecided=True)
    assert s.current == 4
    s.toggle_undecided()
    assert 3 not in s.visible and 0 not in s.visible and s.current == 4


def test_filters_keep_the_reviewer_near_where_they_were() -> None:
    s = _state()
    s.goto(10)
    s.set_check("duplicate-indicator")
    assert [s.data.findings[i].finding.check for i in s.visible] == ["duplicate-indicator"]
    assert s.current == s.visible[0]
    s.set_check(None)
    assert s.cycle_severity() == "warning" and s.cycle_severity() == "error"
    assert all(s.data.findings[i].finding.severity == "error" for i in s.visible)
    assert s.cycle_severity() == "info" and len(s.visible) == len(s.data.findings)
    assert dict(s.checks())["vague-actual"] == 6


def test_search_and_select() -> None:
    s = _state()
    s.search = "医保稳定金"
    found = s.projects()
    assert [p.name for p in found] == ["医保稳定金", "医保稳定金"]
    s.select(found[1].ref)
    assert s.selected == found[1].ref
    mine = s.findings_of(found[1].ref)
    if mine:
        assert s.current == mine[0]
    s.search = "松江区医疗保障局"  # a department matches too
    assert len(s.projects()) >= 6


def test_apply_updates_project_progress() -> None:
    s = _state()
    row = s.data.findings[0]
    p = s.project(row.ref)
    assert p is not None and p.decided == 0
    s.apply(0, Decision(key=row.key, decision="confirmed"))
    s.apply(1, Decision(key=s.data.findings[1].key, decision="dismissed"))
    same_form = s.data.findings[1].ref == row.ref
    assert (p.confirmed, p.dismissed) == ((1, 1) if same_form else (1, 0))
    assert s.progress() == (2, len(s.data.findings))
    s.apply(0, Decision(key=row.key, decision=None, note="只留备注"))
    assert p.confirmed == 0 and s.progress()[0] == 1


def test_copied_spans_on_the_seed_goals() -> None:
    forms = seed_documents()[0].forms
    left, right, caption = goal_texts(forms[0])  # 法律咨询与服务: word for word
    assert "100%" in caption and left.plain == right.plain and right.spans
    monitoring = forms[4]  # 医保监管: the completion drops the template's trailing placeholder
    c = copied_spans(monitoring.goal.expected or "", monitoring.goal.actual or "")
    assert 0.97 < c.ratio <= 1.0 and c.percent >= 97
    assert copied_spans("提高医保服务水平", "全年完成培训 3 次").in_b == []


@given(st.text(min_size=0, max_size=60), st.text(min_size=0, max_size=60))
def test_copied_spans_are_common_text(a: str, b: str) -> None:
    c = copied_spans(a, b)
    assert 0.0 <= c.ratio <= 1.0
    for (x0, x1), (y0, y1) in zip(c.in_a, c.in_b):
        assert a[x0:x1] == b[y0:y1]
        assert x1 - x0 >= MIN_COPIED or a == b


def test_evidence_cells_and_fields() -> None:
    docs = list(seed_documents())
    form = docs[0].forms[4]  # 医保监管
    dup = Finding(check="duplicate-indicator", severity="error", project="医保监管", kind="self_evaluation",
                  message="三级指标重复", lines=[190, 192, 194], source=docs[0].source)  # fmt: skip
    ev = evidence_in(dup, form)
    assert ev.cells and all(cols == frozenset({"name"}) for cols in ev.cells.values())
    assert {form.indicators[i].line for i in ev.cells} <= {190, 192, 194}
    copy = Finding(check="completion-copies-goal", severity="warning", project="医保监管", kind="self_evaluation",
                   message="照抄", lines=[148], source=docs[0].source)  # fmt: skip
    ev = evidence_in(copy, form)
    assert not ev.cells and {"goal.expected", "goal.actual"} <= ev.fields
    assert form_of(copy, docs) == FormRef(0, 4)


def test_form_of_by_name_and_by_line() -> None:
    docs = list(seed_documents())
    index = FormIndex(docs)
    # two declarations are both called 医保稳定金: the line decides
    twins = [fi for fi, f in enumerate(docs[1].forms) if f.project_name == "医保稳定金"]
    assert len(twins) == 2
    second = docs[1].forms[twins[1]]
    f = Finding(check="duplicate-form", severity="error", project="医保稳定金", kind="target_declaration",
                message="重复", lines=[second.lines[0] + 2], source=docs[1].source)  # fmt: skip
    assert index.find(f) == FormRef(1, twins[1])
    no_lines = f.model_copy(update={"lines": []})
    assert index.find(no_lines) == FormRef(1, twins[0]), "by name alone: the first of that name"
    other_file = f.model_copy(update={"source": "别的文件.txt"})
    assert index.find(other_file) is None


def test_replace_keeps_the_finding_and_form_on_screen() -> None:
    """More findings arrive (positions shift): the same finding by key, the same form."""
    docs = list(seed_documents())
    rows = build(docs, gold_findings(), {}).findings
    bare = rows[-1].ref  # a form whose findings all come later
    early = [r.finding for r in rows if r.ref != bare and r.finding.check != "completion-copies-goal"]
    later = [r.finding for r in rows if r.ref == bare or r.finding.check == "completion-copies-goal"]
    s = ReviewState(build(docs, early, {}))
    s.step(1)
    s.step(1)
    key, selected = s.row.key, s.selected  # type: ignore[union-attr]
    s.replace(build(docs, early + later, {}))
    assert len(s.data.findings) == len(rows)
    assert s.row is not None and s.row.key == key and s.selected == selected
    assert s.position_of(key) == s.current
    # on a form without findings yet: stays there, and its first finding is current once known
    s2 = ReviewState(build(docs, early, {}))
    assert bare is not None
    s2.select(bare)
    s2.replace(build(docs, early + later, {}))
    assert s2.selected == bare and s2.row is not None and s2.row.ref == bare
