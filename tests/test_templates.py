"""Templates are data: every file validates, ids are unique, a form is named by its template,
and a new template is a new file (JIXIAO_TEMPLATES), no code."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao import templates as tp
from jixiao.api import extract_text
from jixiao.errors import InputError


def test_bundled_templates_validate_and_are_unique() -> None:
    ids = [t.id for t in tp.templates()]
    assert len(ids) == len(set(ids)) >= 11
    assert "shanghai-district" in ids and "sichuan-dept-self" in ids


def test_recognise_by_title_columns_and_marks() -> None:
    assert tp.recognise("部门预算项目支出绩效自评表", ["nature", "target", "unit", "actual"], "") == "sichuan-dept-self"
    assert tp.recognise("项目支出绩效自评表", ["target", "actual", "weight", "score", "deviation"], "指标1：") == (
        "national-self"
    )
    assert tp.recognise("项目支出绩效自评表", ["target", "actual", "weight", "score", "deviation"], "全年预算数") == (
        "shanghai-district"
    )
    assert tp.recognise("某某情况表", [], "") == tp.UNKNOWN


FORM = "\n".join(
    [
        "某某县项目绩效考评表",
        "项目名称\t测试项目",
        "主管部门\t某某县财政局\t实施单位\t某某县财政局",
        "一级指标\t二级指标\t三级指标\t考评指标值",
        "产出指标\t数量指标\t培训人数\t≥100人",
        "满意度指标\t服务对象满意度指标\t学员满意度\t≥90%",
    ]
)


def test_a_new_template_is_a_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "county-kaoping.toml").write_text(
        'id = "county-kaoping"\nname = "某县 项目绩效考评表"\ntitles = ["项目绩效考评表"]\n'
        'columns = [["target"]]\nmarks = ["考评指标值"]\n',
        encoding="utf-8",
    )
    assert {f.template for f in extract_text(FORM).forms} == {tp.UNKNOWN}
    tp._load.cache_clear()
    monkeypatch.setenv("JIXIAO_TEMPLATES", str(tmp_path))
    try:
        assert tp.by_id("county-kaoping") is not None
        assert tp.recognise("某某县项目绩效考评表", ["target"], "考评指标值") == "county-kaoping"
        assert {f.template for f in extract_text(FORM).forms} == {"county-kaoping"}
    finally:
        tp._load.cache_clear()


def test_a_broken_template_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.toml").write_text('id = "bad"\n', encoding="utf-8")
    monkeypatch.setenv("JIXIAO_TEMPLATES", str(tmp_path))
    tp._load.cache_clear()
    try:
        with pytest.raises(InputError, match="模板文件无效"):
            tp.templates()
    finally:
        tp._load.cache_clear()
