"""check_stages: the findings of run_checks in parts (for a session that shows the first
forms while the rest are checked). Together they are run_checks's findings, and a
decision key given to a finding when it arrives never changes when more arrive."""

from __future__ import annotations

import pytest

from jixiao.checks import run_checks, sort_findings
from jixiao.checks.runner import check_stages
from jixiao.models import Document, Finding
from jixiao.store import decision_keys

generate = pytest.importorskip("jixiao.evaluation.generate")


def _docs() -> list[Document]:
    """Generated forms with planted findings, among them the same project filed twice far
    apart with the same problem (two findings with one base key, numbered #2)."""
    forms = generate.generate_forms(60, seed=3)
    cut = 45  # the first document's forms; the rest are a second document
    evaluated = [i for i, f in enumerate(forms[:cut]) if f.kind == "self_evaluation"]
    a, b = evaluated[1], evaluated[-1]
    forms[b] = forms[b].model_copy(update={"project_name": forms[a].project_name})
    for i in (a, b, *evaluated[5:12:3]):
        goal = forms[i].goal.model_copy(update={"actual": forms[i].goal.expected})
        forms[i] = forms[i].model_copy(update={"goal": goal})
    # a goal pasted into another project: a cross-form finding
    forms[evaluated[3]] = forms[evaluated[3]].model_copy(update={"goal": forms[evaluated[4]].goal})
    return [Document(source="a/报表.txt", forms=forms[:cut]), Document(source="b/其他.txt", forms=forms[cut:])]


@pytest.mark.parametrize(("first", "chunk"), [(0, 0), (1, 1), (3, 7), (10, 25)])
def test_stages_together_are_run_checks_and_keys_never_change(first: int, chunk: int) -> None:
    docs = _docs()
    expected = run_checks(docs)
    assert len(decision_keys(expected)) > len({k.split("#")[0] for k in decision_keys(expected)}), "a #2 key is planted"
    so_far: list[Finding] = []
    key_of: dict[int, str] = {}  # id(finding) -> the key it got when it arrived
    seen_forms: list[tuple[int, int]] = []
    stages = list(check_stages(docs, first_forms=first, chunk_forms=chunk))
    for stage in stages:
        seen_forms += stage.forms
        so_far = sort_findings(so_far + stage.findings)
        for f, k in zip(so_far, decision_keys(so_far)):
            assert key_of.setdefault(id(f), k) == k, f"{f.check} {f.project}: key changed as findings arrived"
    assert sorted(seen_forms) == [(d, i) for d, doc in enumerate(docs) for i in range(len(doc.forms))]
    assert so_far == expected
    assert [s.corpus for s in stages].count(True) == 1 and stages[0].corpus
    assert stages[-1].reconciled and not stages[-1].forms
    if first:
        assert len(stages) > 2, "the forms come in several stages"
        assert len(stages[0].forms) >= first


def test_a_stage_holds_every_form_of_one_project() -> None:
    """The twin forms (one file, project and kind) arrive together, however far apart."""
    docs = _docs()
    form_of = {(d, i): f for d, doc in enumerate(docs) for i, f in enumerate(doc.forms)}
    for stage in check_stages(docs, first_forms=2, chunk_forms=3):
        names = {(docs[d].source, form_of[(d, i)].project_name, form_of[(d, i)].kind) for d, i in stage.forms}
        for (d, i), f in form_of.items():
            if (docs[d].source, f.project_name, f.kind) in names:
                assert (d, i) in stage.forms
