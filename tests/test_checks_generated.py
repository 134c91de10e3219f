"""Clean generated forms (jixiao.evaluation.generate) give no finding above info, whether
checked as model objects or printed and read back by the rules engine."""

from __future__ import annotations

import pytest

from jixiao.checks import at_least, run_checks
from jixiao.models import Document

generate = pytest.importorskip("jixiao.evaluation.generate")


def _describe(findings: list) -> str:
    return "\n".join(f"{f.check} {f.project} {f.lines}: {f.message}" for f in findings[:20])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_clean_generated_forms_have_nothing_above_info(seed: int) -> None:
    forms = generate.generate_forms(150, seed=seed)
    findings = run_checks([Document(source=f"gen-{seed}.txt", forms=forms)])
    serious = at_least(findings, "warning")
    assert not serious, _describe(serious)


@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_clean_generated_text_read_back_has_nothing_above_info(noise: float) -> None:
    """Printed in the seeds' layouts (with their traps at noise 0.3) and extracted again."""
    from jixiao.api import extract_text

    text, _ = generate.render_text(generate.generate_forms(40, seed=5), noise=noise, seed=5)
    doc = extract_text(text, name="gen.txt")
    assert len(doc.forms) == 40
    serious = at_least(run_checks([doc]), "warning")
    assert not serious, _describe(serious)


def test_planted_copies_in_generated_forms_are_found() -> None:
    """A goal pasted into another project of the same kind is found in a generated corpus."""
    forms = generate.generate_forms(200, seed=9)
    same_kind = [i for i, f in enumerate(forms) if f.kind == forms[0].kind]
    a, b = same_kind[0], same_kind[1]
    forms[b] = forms[b].model_copy(update={"goal": forms[a].goal})
    found = [f for f in run_checks([Document(source="g.txt", forms=forms)]) if f.check == "goal-reused-across-projects"]
    assert {f.project for f in found} == {forms[a].project_name, forms[b].project_name}
