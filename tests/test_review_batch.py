"""`jixiao review` takes folders (every file under them, sorted) as every command does; a zip
is refused with a way out, since a session rereads its files from disk on reopening."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from jixiao.cli.review_cmd import _files_of
from jixiao.errors import InputError

SEEDS = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "seeds").glob("*.txt"))


def test_a_folder_is_its_files_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    shutil.copy(SEEDS[0], tmp_path / "b" / "2.txt")
    shutil.copy(SEEDS[1], tmp_path / "1.txt")
    loose = tmp_path.parent / f"{tmp_path.name}-loose.txt"
    shutil.copy(SEEDS[0], loose)
    assert _files_of((str(tmp_path), str(loose))) == [str(tmp_path / "1.txt"), str(tmp_path / "b" / "2.txt"), str(loose)]


def test_a_zip_is_refused_with_a_way_out(tmp_path: Path) -> None:
    z = tmp_path / "county.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(SEEDS[0], "a.txt")
    with pytest.raises(InputError) as e:
        _files_of((str(z),))
    assert "解压" in str(e.value) and "\n" not in str(e.value)
