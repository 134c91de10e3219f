"""Batches as they arrive: a folder with subfolders, or a zip made on Chinese Windows (entry
names in GBK, no UTF-8 flag), reads as the same files named one by one; hostile archives are
refused in one Chinese line; a file holding no form is listed, not fatal; ``--jobs 2``
prints what ``--jobs 1`` prints."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import filemaker as fm
from conftest import FIXTURES, SEEDS
from jixiao.batch import Entry, clean_parts, expand, member_name
from jixiao.models import Document

PAIRS = sorted((FIXTURES / "pairs").glob("*.txt"))
NOT_A_FORM = "关于2024年度绩效自评工作的说明\n各单位请于月底前报送。\n".encode("gb18030")


def jixiao(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def _layout() -> dict[str, bytes]:
    """A county's submissions: path inside the batch -> bytes, in the sorted order a batch
    is read in (folders as they nest, then names)."""
    files = {
        "卫健委/疾控中心/" + PAIRS[0].name: PAIRS[0].read_bytes(),
        "卫健委/疾控中心/" + PAIRS[1].name: PAIRS[1].read_bytes(),
        "教育局/" + SEEDS[0].name: SEEDS[0].read_text(encoding="utf-8").encode("gb18030"),
        "教育局/说明.txt": NOT_A_FORM,
        "民政局/" + PAIRS[2].name: PAIRS[2].read_bytes(),
        SEEDS[1].name: SEEDS[1].read_bytes(),
    }
    return dict(sorted(files.items(), key=lambda kv: tuple(kv[0].split("/"))))


def _write_folder(root: Path, files: dict[str, bytes]) -> list[Path]:
    paths = []
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        paths.append(p)
    (root / ".DS_Store").write_bytes(b"\x00\x01junk")  # skipped: hidden
    return paths


class _GbkInfo(zipfile.ZipInfo):
    """An entry as Chinese Windows writes it: the name in GBK, flag bit 0x800 clear."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _gbk_zip(files: dict[str, bytes], stored: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as zf:
        for rel, data in reversed(files.items()):  # stored out of order: the batch sorts
            info = _GbkInfo(rel)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def _check(*args: str | Path, batch: Path) -> tuple[dict[str, Any], str]:
    """The findings of ``check --format json``, every path named relative to ``batch``."""
    p = jixiao("check", "--format", "json", *args)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.replace(f"{batch}/", "")), p.stderr


def test_gbk_names_are_decoded_not_cp437() -> None:
    zf = zipfile.ZipFile(io.BytesIO(_gbk_zip({"教育局/表1.txt": b"x"})))
    (info,) = zf.infolist()
    assert not info.flag_bits & 0x800 and info.filename != "教育局/表1.txt"  # Python's cp437 reading
    assert member_name(info) == "教育局/表1.txt"
    utf8_no_flag = zipfile.ZipInfo("x")
    utf8_no_flag.filename = "卫健委.txt".encode().decode("cp437")
    assert member_name(utf8_no_flag) == "卫健委.txt"


def test_folder_and_gbk_zip_give_the_findings_of_the_files_one_by_one(tmp_path: Path) -> None:
    files = _layout()
    folder = tmp_path / "county"
    paths = _write_folder(folder, files)
    (tmp_path / "county.zip").write_bytes(_gbk_zip(files))
    one_by_one, _ = _check(*paths, batch=folder)
    by_folder, err_folder = _check(folder, batch=folder)
    by_zip, err_zip = _check(tmp_path / "county.zip", batch=tmp_path / "county.zip")
    assert len(one_by_one["findings"]) > 10, "the fixtures hold findings to compare"
    assert by_folder == one_by_one
    assert by_zip == one_by_one
    # the file with no form is named, as a warning, and the run still succeeds
    assert "county/教育局/说明.txt: 未找到" in err_folder and "county.zip/教育局/说明.txt: 未找到" in err_zip
    assert ".DS_Store" not in err_folder


def test_extract_sources_are_paths_inside_the_batch(tmp_path: Path) -> None:
    files = _layout()
    outer = io.BytesIO()  # a province's zip of county zips: one level of nesting is read
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("青浦区.zip", _gbk_zip(files))
        zf.writestr("../../../etc/evil.txt", SEEDS[0].read_bytes())  # a name that would escape
    (tmp_path / "province.zip").write_bytes(outer.getvalue())
    p = jixiao("extract", "--format", "json", tmp_path / "province.zip")
    assert p.returncode == 0, p.stderr
    sources = [d["source"] for d in json.loads(p.stdout)["documents"]]
    base = str(tmp_path / "province.zip")
    forms = [k for k, v in files.items() if v is not NOT_A_FORM]
    assert sources == [f"{base}/etc/evil.txt", *(f"{base}/青浦区.zip/{k}" for k in forms)]
    assert sorted(os.listdir(tmp_path)) == ["province.zip"]  # nothing unpacked to disk


def test_jobs_two_prints_what_jobs_one_prints(tmp_path: Path) -> None:
    files = {f"{i:02d}/{k}": v for i in range(3) for k, v in _layout().items()}
    _write_folder(tmp_path / "b", files)
    one = jixiao("extract", "--format", "json", "--jobs", "1", tmp_path / "b")
    two = jixiao("extract", "--format", "json", "--jobs", "2", tmp_path / "b")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and one.stderr == two.stderr
    assert len(json.loads(one.stdout)["documents"]) == 3 * (len(files) // 3 - 1)


def test_mixed_binary_files_in_a_zip(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    pytest.importorskip("docx")
    lines = fm.seed_lines(SEEDS[0].stem)
    xlsx = fm.write_xlsx(lines, tmp_path / "a.xlsx").read_bytes()
    docx = fm.write_docx(lines, tmp_path / "a.docx").read_bytes()
    z = tmp_path / "mixed.zip"
    z.write_bytes(_gbk_zip({"表/自评.xlsx": xlsx, "表/自评.docx": docx, "表/自评.txt": SEEDS[0].read_bytes()}))
    p = jixiao("extract", "--format", "json", z)
    assert p.returncode == 0, p.stderr
    docs = json.loads(p.stdout)["documents"]
    assert [d["source"].rsplit("/", 1)[1] for d in docs] == ["自评.docx", "自评.txt", "自评.xlsx"]
    names = [[f["project_name"] for f in d["forms"]] for d in docs]
    assert names[0] == names[1] == names[2] and names[0]


def _one_chinese_line(p: subprocess.CompletedProcess[str], *words: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stderr)
    line = p.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, line
    assert all(w in line for w in words), line


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", SEEDS[0].read_bytes())
        zf.writestr("b.txt", b"0" * (8 * 1024 * 1024))  # 8 MB in ~8 KB
    (tmp_path / "bomb.zip").write_bytes(buf.getvalue())
    _one_chinese_line(jixiao("check", tmp_path / "bomb.zip"), "压缩炸弹", "b.txt")


def test_too_many_entries_and_too_much_unpacked_are_refused(tmp_path: Path) -> None:
    files = {f"{i}.txt": SEEDS[0].read_bytes() for i in range(5)}
    (tmp_path / "many.zip").write_bytes(_gbk_zip(files))
    conf = tmp_path / "jixiao.toml"
    conf.write_text("[readers]\nbatch_max_members = 4\n", encoding="utf-8")
    _one_chinese_line(
        jixiao("check", tmp_path / "many.zip", env={"JIXIAO_CONFIG": str(conf)}), "文件过多", "batch_max_members"
    )
    seed = SEEDS[0].read_bytes()
    conf.write_text(f"[readers]\nbatch_max_total = {len(seed) * 2}\n", encoding="utf-8")
    big = {f"{i}.txt": seed for i in range(3)}
    (tmp_path / "big.zip").write_bytes(_gbk_zip(big))
    _one_chinese_line(jixiao("check", tmp_path / "big.zip", env={"JIXIAO_CONFIG": str(conf)}), "解压后过大")


def test_zip_nested_twice_is_refused(tmp_path: Path) -> None:
    inner = _gbk_zip({"表.txt": SEEDS[0].read_bytes()})
    middle = _gbk_zip({"区.zip": inner})
    outer = _gbk_zip({"市.zip": middle})
    (tmp_path / "省.zip").write_bytes(outer)
    _one_chinese_line(jixiao("check", tmp_path / "省.zip"), "嵌套", "省.zip/市.zip/区.zip")
    # one level is read
    (tmp_path / "市.zip").write_bytes(middle)
    p = jixiao("extract", "--format", "json", tmp_path / "市.zip")
    assert p.returncode == 0 and json.loads(p.stdout)["source"].endswith("市.zip/区.zip/表.txt")


def test_a_batch_of_nothing_readable_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _one_chinese_line(jixiao("extract", tmp_path / "empty"), "没有文件")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "说明.txt").write_bytes(NOT_A_FORM)
    _one_chinese_line(jixiao("check", tmp_path / "notes"), "说明.txt", "未找到")


def test_office_files_are_documents_not_batches(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    x = fm.write_xlsx(fm.seed_lines(SEEDS[0].stem), tmp_path / "a.xlsx")
    assert [e.path for e in expand([str(x)])] == [str(x)]
    z = tmp_path / "hello.zip"  # a zip of something else is a batch of that something
    z.write_bytes(_gbk_zip({"hello.txt": b"hi"}))
    assert [e.name for e in expand([str(z)])] == [f"{z}/hello.txt"]


def test_member_names_are_cleaned_for_display() -> None:
    assert clean_parts("../../etc/passwd") == ("etc", "passwd")
    assert clean_parts("/abs//a\\b.txt") == ("abs", "a", "b.txt")
    assert clean_parts("./..") == ()


def test_expand_is_lazy_and_in_order(tmp_path: Path) -> None:
    _write_folder(tmp_path, {"b/2.txt": b"x", "b/10.txt": b"x", "a.txt": b"x", "b.txt": b"x", "a/z.txt": b"x"})
    (tmp_path / "~$lock.docx").write_bytes(b"x")
    (tmp_path / "a.txt.jixiao.sqlite").write_bytes(b"x")
    got = [Path(e.name).relative_to(tmp_path).as_posix() for e in expand([str(tmp_path)])]
    assert got == ["a/z.txt", "a.txt", "b/10.txt", "b/2.txt", "b.txt"]
    missing = list(expand([str(tmp_path / "nope.txt")]))
    assert missing == [Entry(name=str(tmp_path / "nope.txt"), path=str(tmp_path / "nope.txt"))]


def test_streamed_json_is_the_old_json_byte_for_byte(capsys: pytest.CaptureFixture[str]) -> None:
    from jixiao.cli.common import documents_json, iter_extracted, load_documents, write_documents_json
    from jixiao.parallel import Work

    files = (str(SEEDS[0]), str(PAIRS[0]), str(SEEDS[1]))
    docs = load_documents(files, "rules", jobs=1)
    for n in (1, 3):
        old = (json.dumps(documents_json(docs[:n]), ensure_ascii=False, indent=2) + "\n").encode()
        out = io.BytesIO()
        got = iter_extracted(files[:n], "rules", 1, work=Work(as_json=True, keep_doc=False))
        write_documents_json((g.json for g in got if g.json), out)
        assert out.getvalue() == old
    capsys.readouterr()


def test_iter_documents_yields_in_order_and_reports_unread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jixiao.cli.common import iter_documents

    (tmp_path / "说明.txt").write_bytes(NOT_A_FORM)
    unread: list[str] = []
    files = [str(SEEDS[1]), str(tmp_path), str(tmp_path / "nope.txt"), str(SEEDS[0])]
    got = iter_documents(files, "rules", jobs=2, unread=unread)
    first = next(got)  # documents come one at a time
    assert first.source == str(SEEDS[1]) and not unread
    assert [d.source for d in got] == [str(SEEDS[0])]
    assert len(unread) == 2 and "说明.txt" in unread[0] and "nope.txt" in unread[1]
    assert "说明.txt" in capsys.readouterr().err


def forms_and_lines(doc: Document) -> list[tuple[str | None, list[int]]]:
    return [(f.project_name, f.lines) for f in doc.forms]


def test_work_runs_in_the_workers_and_answers_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    """What check needs of a document can be made where it was read (``Work.then``), without
    sending the document back."""
    from jixiao.cli.common import iter_extracted
    from jixiao.parallel import Work

    files = [str(p) for p in (*SEEDS, *PAIRS)]
    work = Work(keep_doc=False, then=forms_and_lines)
    two = [(g.name, g.doc, g.result) for g in iter_extracted(files, "rules", 2, work=work)]
    one = [(g.name, g.doc, g.result) for g in iter_extracted(files, "rules", 1, work=work)]
    assert two == one and [n for n, _, _ in two] == files
    assert all(doc is None and result for _, doc, result in two)
    capsys.readouterr()


def test_a_zip_on_standard_input_is_a_batch() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "jixiao", "extract", "--format", "json", "-"],
        input=_gbk_zip({"教育局/表1.txt": SEEDS[0].read_bytes(), "说明.txt": NOT_A_FORM}),
        capture_output=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr.decode()
    assert json.loads(p.stdout)["source"] == "<stdin>/教育局/表1.txt"
    assert "<stdin>/说明.txt: 未找到" in p.stderr.decode()
