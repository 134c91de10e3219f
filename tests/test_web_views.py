"""Pure helpers of the web page: copied-text marking, evidence excerpts, upload names, run ids."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jixiao.web.runs import SourceText, new_run_id, valid_run_id
from jixiao.web.uploads import safe_name, unique_names
from jixiao.web.views import copied_segments, source_excerpt


def test_copied_segments_mark_the_shared_run() -> None:
    goal = "提高行政工作效能和依法行政能力及水平。"
    done = "全年共开展培训2次，提高行政工作效能和依法行政能力及水平。"
    a, b = copied_segments(goal, done)
    assert [s.text for s in a if s.copied] == [goal]
    assert [s.text for s in b if s.copied] == [goal]
    assert [s.text for s in b if not s.copied] == ["全年共开展培训2次，"]


def test_short_common_words_are_not_copying() -> None:
    a, b = copied_segments("提高群众满意度", "群众满意度达到95%")
    assert not any(s.copied for s in a + b)


@given(st.text(alphabet="甲乙丙丁戊己庚辛，。ab", max_size=80), st.text(alphabet="甲乙丙丁戊己庚辛，。ab", max_size=80))
def test_segments_reassemble_both_texts(x: str, y: str) -> None:
    a, b = copied_segments(x, y, min_len=3)
    assert "".join(s.text for s in a) == x and "".join(s.text for s in b) == y
    # what is marked in one is marked in the other
    assert sorted(s.text for s in a if s.copied) == sorted(s.text for s in b if s.copied)


def test_source_excerpt_joins_cells_and_skips_missing_lines() -> None:
    src = SourceText(name="a.txt", lines=["标题", "成本指标\t\t单价\t=800.00(元/件)\t", "x" * 500])
    assert source_excerpt(src, [2, 1, 99]) == [(1, "标题"), (2, "成本指标 │ 单价 │ =800.00(元/件)")]
    ((n, text),) = source_excerpt(src, [3])
    assert n == 3 and len(text) == 301 and text.endswith("…")
    assert source_excerpt(None, [1]) == []


def test_safe_name_keeps_only_a_label() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\张三\\自评表.docx") == "自评表.docx"
    assert safe_name("a\x00b\nc.txt") == "abc.txt"
    assert safe_name("..") == "上传文件" and safe_name(None) == "上传文件"
    assert len(safe_name("名" * 300)) == 100


def test_unique_names() -> None:
    assert unique_names(["a.txt", "a.txt", "b", "b", "a.txt"]) == ["a.txt", "a (2).txt", "b", "b (2)", "a (3).txt"]


def test_run_ids() -> None:
    rid = new_run_id()
    assert valid_run_id(rid) and rid != new_run_id()
    for bad in ("", "../x", "a" * 15, "a" * 65, "abc/def" * 4, "x.json" * 4):
        assert not valid_run_id(bad)
