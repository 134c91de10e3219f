"""Rounding tolerances, grade bands and the [checks] section of the config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks_factory import doc, self_evaluation, v
from jixiao.checks import ALL_IDS, CATALOG, CheckConfig, at_least, run_checks
from jixiao.errors import ConfigError
from jixiao.models import Form, Funds, Goal


def _checks(form: Form, cfg: CheckConfig | None = None) -> set[str]:
    return {f.check for f in run_checks([doc(form)], cfg)}


def test_scores_like_the_seeds_add_up_despite_floats() -> None:
    """2.70 + 2.70 + 2.70 + ... = 99.10: binary floats must not make a mismatch."""
    se = self_evaluation()
    rows = [r.model_copy(update={"weight": 3.0, "score": 2.7}) for r in se.indicators * 5][:30]
    rows = [
        r.model_copy(update={"line": 100 + i, "lines": [100 + i], "name": f"满意度{i}"}) for i, r in enumerate(rows)
    ]
    total = 10 + sum(r.score or 0 for r in rows)  # 91.00000000000001 or so
    form = se.model_copy(update={"indicators": rows, "total_score": round(total, 2), "grade": "优"})
    assert "score-sum-mismatch" not in _checks(form)
    assert "score-sum-mismatch" in _checks(form.model_copy(update={"total_score": round(total, 2) + 0.1}))


def test_sum_within_tolerance_is_fine_beyond_is_not() -> None:
    se = self_evaluation()
    assert "score-sum-mismatch" not in _checks(se.model_copy(update={"total_score": 99.7}))  # 99.67 printed 99.7
    assert "score-sum-mismatch" in _checks(se.model_copy(update={"total_score": 99.8}))
    loose = CheckConfig(score_tolerance=0.2)
    assert "score-sum-mismatch" not in _checks(se.model_copy(update={"total_score": 99.8}), loose)


def test_incomplete_score_column_is_not_a_mismatch() -> None:
    se = self_evaluation()
    rows = list(se.indicators)
    rows[0] = rows[0].model_copy(update={"score": None})
    assert "score-sum-mismatch" not in _checks(se.model_copy(update={"indicators": rows}))


@pytest.mark.parametrize(
    ("total", "grade", "ok"),
    [(90.0, "优", True), (89.99, "优", False), (89.5, "良", True), (80.0, "良", True), (79.9, "中", True),
     (60.0, "中", True), (59.99, "差", True), (95.0, "良", False), (92.0, "优秀", True), (85.0, "良好", True)],
)  # fmt: skip
def test_grade_bands(total: float, grade: str, ok: bool) -> None:
    se = self_evaluation().model_copy(update={"total_score": total, "grade": grade})
    assert ("grade-mismatch" not in _checks(se)) is ok


def test_grade_bands_are_configurable() -> None:
    se = self_evaluation().model_copy(update={"total_score": 85.0, "grade": "优"})
    assert "grade-mismatch" in _checks(se)
    assert "grade-mismatch" not in _checks(se, CheckConfig(grade_bands={"优": 85, "良": 75, "中": 60}))


def test_funds_rounding_of_wan_yuan_is_tolerated() -> None:
    """2.92 万元 = 1.46 + 1.46 printed; 9.28 vs 9.30 rounding of the rate is not an error."""
    se = self_evaluation()
    funds = se.funds.model_copy(update={"executed": 29200, "fiscal": 14600, "carryover": 14550, "other": 0,
                                        "annual_budget": 29300, "execution_rate": 100.0})  # fmt: skip
    assert "funds-arithmetic" not in _checks(se.model_copy(update={"funds": funds}))
    funds = funds.model_copy(update={"carryover": 13000})
    assert "funds-arithmetic" in _checks(se.model_copy(update={"funds": funds}))


def test_severity_override_and_switch_off() -> None:
    se = self_evaluation().model_copy(update={"grade": "良"})
    cfg = CheckConfig(severity={"grade-mismatch": "info"})
    (f,) = [f for f in run_checks([doc(se)], cfg) if f.check == "grade-mismatch"]
    assert f.severity == "info"
    assert at_least([f], "warning") == []
    assert "grade-mismatch" not in _checks(se, CheckConfig(disabled=["grade-mismatch"]))


def test_similarity_threshold_is_configurable() -> None:
    se = self_evaluation()
    expected = se.goal.expected or ""
    goal = se.goal.model_copy(update={"actual": expected.replace("提升基层医务人员服务能力", "加强基层能力")})
    form = se.model_copy(update={"goal": goal})
    assert "completion-copies-goal" not in _checks(form, CheckConfig(copy_similarity=95))
    assert "completion-copies-goal" in _checks(form, CheckConfig(copy_similarity=80))


def test_config_file_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "jixiao.toml"
    path.write_text(
        '[checks]\ndisabled = ["over-achievement"]\ncopy_similarity = 85\n\n'
        '[checks.severity]\n"vague-actual" = "info"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("JIXIAO_CONFIG", str(path))
    cfg = CheckConfig.load()
    assert cfg.disabled == ["over-achievement"] and cfg.copy_similarity == 85
    assert cfg.severity_of("vague-actual", "warning") == "info"


@pytest.mark.parametrize(
    "text",
    ['[checks]\ndisabled = ["no-such-check"]\n', "[checks]\ncopy_similarty = 80\n", "[checks]\ncopy_similarity = 180\n",
     '[checks.severity]\n"vague-actual" = "fatal"\n'],
)  # fmt: skip
def test_bad_config_is_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        CheckConfig.load(path)


def test_example_config_matches_the_defaults() -> None:
    """fixtures/jixiao.example.toml documents every setting with its default value."""
    import tomllib

    from conftest import FIXTURES

    data = tomllib.loads((FIXTURES / "jixiao.example.toml").read_text(encoding="utf-8"))["checks"]
    assert CheckConfig.from_mapping(data) == CheckConfig()
    assert set(data) == set(CheckConfig.model_fields)


def test_catalog_covers_the_contract() -> None:
    from jixiao.checks.registry import STORE_IDS

    reconcile = {"target-dropped", "target-added", "target-changed", "budget-changed"}
    assert set(CATALOG) == set(ALL_IDS) - reconcile - STORE_IDS
    for spec in CATALOG.values():
        assert spec.rule and spec.template and spec.severity in ("info", "warning", "error")


def test_reconciliation_findings_join_when_both_kinds_are_given() -> None:
    """With a declaration and a self-evaluation of one project, run_checks asks the reconciler."""
    pytest.importorskip("jixiao.reconcile")
    se = self_evaluation()
    rows = [
        r.model_copy(update={"actual": None, "weight": None, "score": None, "deviation": None}) for r in se.indicators
    ]
    rows[2] = rows[2].model_copy(update={"target": v("≥90%")})  # declared ≥90%, evaluated against ≥95%
    de = Form(
        kind="target_declaration",
        year=2024,
        project_name=se.project_name,
        department=se.department,
        implementing_unit=se.implementing_unit,
        funds=Funds(requested_total=100000, fiscal=100000, carryover=0, other=0),
        goal=Goal(expected=se.goal.expected),
        indicators=rows,
        lines=[1, 20],
    )
    found = run_checks([doc(de, source="a.txt"), doc(se, source="b.txt")])
    assert "target-changed" in {f.check for f in found}
    off = CheckConfig(disabled=["target-dropped", "target-added", "target-changed", "budget-changed"])
    assert not any(f.check.startswith(("target-", "budget-")) for f in run_checks([doc(de), doc(se)], off))


def test_docs_describe_every_check_and_setting() -> None:
    from conftest import ROOT

    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    for cid in CATALOG:
        assert f"`{cid}`" in text, cid
    for key in CheckConfig.model_fields:
        assert f"`{key}`" in text, key
