"""All-or-nothing outputs on real files: what fails really fails (tests run as root, so
read-only is made with the immutable attribute, /sys, or a file in place of a folder)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from vaxclean_xl.errors import OutputError
from vaxclean_xl.io.atomic import atomic_path, output_batch


def _leftovers(folder: Path) -> list[str]:
    """Hidden temps or backups the batch may have left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@contextlib.contextmanager
def _immutable(path: Path) -> Iterator[None]:
    """``chattr +i``: even root can neither rename/replace the file nor write in the folder
    (the closest real stand-in for a file held open by Excel on Windows)."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr not available")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"immutable attribute not supported here: {done.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_batch_writes_all_outputs_at_the_end(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "sub" / "b.json"
    a.write_text("old a")
    with output_batch() as batch:
        ta = batch.path(a)
        ta.write_text("new a")
        assert a.read_text() == "old a"  # nothing in place before the end
        tb = batch.path(b)
        tb.write_text("new b")
        assert not b.exists()
    assert a.read_text() == "new a" and b.read_text() == "new b"
    assert _leftovers(tmp_path) == [] and _leftovers(tmp_path / "sub") == []


def test_exception_in_body_leaves_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "new" / "deeper" / "b.json"
    a.write_text("old a")
    with pytest.raises(RuntimeError), output_batch() as batch:
        batch.path(a).write_text("new a")
        batch.path(b).write_text("new b")
        raise RuntimeError("boom")
    assert a.read_text() == "old a"
    assert not (tmp_path / "new").exists()  # folders the batch made are gone too
    assert _leftovers(tmp_path) == []


def test_target_is_a_folder(tmp_path: Path) -> None:
    first, folder = tmp_path / "ket-qua.xlsx", tmp_path / "bao-cao.json"
    folder.mkdir()
    with pytest.raises(OutputError) as info, output_batch() as batch:
        batch.path(first).write_text("x")
        batch.path(folder)
    assert "bao-cao.json" in info.value.message and "là một thư mục" in info.value.message
    assert info.value.code == "E203"
    assert not first.exists() and _leftovers(tmp_path) == []


def test_folder_is_a_file(tmp_path: Path) -> None:
    first, not_a_folder = tmp_path / "ket-qua.xlsx", tmp_path / "thu-muc"
    not_a_folder.write_text("a regular file")
    with pytest.raises(OutputError) as info, output_batch() as batch:
        batch.path(first).write_text("x")
        batch.path(not_a_folder / "out.xlsx")
    assert "out.xlsx" in info.value.message
    assert "không phải thư mục" in info.value.message
    assert not first.exists() and _leftovers(tmp_path) == []


def test_folder_without_write_permission_sys(tmp_path: Path) -> None:
    first = tmp_path / "ket-qua.xlsx"
    with pytest.raises(OutputError) as info, output_batch() as batch:
        batch.path(first).write_text("x")
        batch.path(Path("/sys/vaxclean-out.xlsx"))
    assert "/sys/vaxclean-out.xlsx" in info.value.message
    assert "thư mục chỉ đọc hoặc không có quyền ghi" in info.value.message
    assert not first.exists() and _leftovers(tmp_path) == []


def test_read_only_folder(tmp_path: Path) -> None:
    locked = tmp_path / "khoa"
    locked.mkdir()
    first = tmp_path / "ket-qua.xlsx"
    with _immutable(locked), pytest.raises(OutputError) as info, output_batch() as batch:
        batch.path(first).write_text("x")
        batch.path(locked / "bao-cao.json")
    assert "thư mục chỉ đọc hoặc không có quyền ghi" in info.value.message
    assert "bao-cao.json" in info.value.message
    assert not first.exists() and _leftovers(tmp_path) == []


def test_target_that_cannot_be_replaced_rolls_back(tmp_path: Path) -> None:
    """The second target cannot be renamed (as when Excel holds it open): the first,
    which already existed, keeps its old content and nothing is left behind."""
    a, b = tmp_path / "a.xlsx", tmp_path / "b.pdf"
    a.write_text("old a")
    b.write_text("old b")
    with _immutable(b), pytest.raises(OutputError) as info, output_batch() as batch:
        batch.path(a).write_text("new a")
        batch.path(b).write_text("new b")
    assert "b.pdf" in info.value.message
    assert "tệp đang mở trong Excel? Hãy đóng tệp rồi chạy lại" in info.value.message
    assert info.value.code == "E205"
    assert a.read_text() == "old a" and b.read_text() == "old b"
    assert _leftovers(tmp_path) == []


def test_target_turned_into_folder_before_the_rename(tmp_path: Path) -> None:
    """os.replace onto a non-empty folder fails at the very end: nothing is written."""
    a, b = tmp_path / "a.xlsx", tmp_path / "b.json"
    with pytest.raises(OutputError) as info, output_batch() as batch:
        batch.path(a).write_text("new a")
        batch.path(b).write_text("new b")
        b.mkdir()
        (b / "inside.txt").write_text("user's file")
    assert "là một thư mục" in info.value.message
    assert not a.exists() and (b / "inside.txt").read_text() == "user's file"
    assert _leftovers(tmp_path) == []


def test_rename_failure_after_first_rename_restores_old_files(tmp_path: Path) -> None:
    """The first temp is already in place when the second rename fails: it is undone and
    both old files come back from their backups."""
    a, b = tmp_path / "a.xlsx", tmp_path / "b.json"
    a.write_text("old a")
    b.write_text("old b")
    with pytest.raises(OutputError) as info, output_batch() as batch:
        batch.path(a).write_text("new a")
        tb = batch.path(b)
        tb.write_text("new b")
        tb.unlink()  # the temp vanishes (antivirus, a cleaner): its rename fails
    assert "b.json" in info.value.message
    assert a.read_text() == "old a" and b.read_text() == "old b"
    assert _leftovers(tmp_path) == []


def test_disk_full_while_writing_names_the_output(tmp_path: Path) -> None:
    a = tmp_path / "a.xlsx"
    with pytest.raises(OutputError) as info, output_batch() as batch:
        batch.path(a)
        with open("/dev/full", "w") as fh:  # a real ENOSPC
            fh.write("x" * 10)
    assert "a.xlsx" in info.value.message and "ổ đĩa đầy" in info.value.message
    assert not a.exists() and _leftovers(tmp_path) == []


def test_same_target_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cùng tên"), output_batch() as batch:
        batch.path(tmp_path / "x.xlsx")
        batch.path(tmp_path / "." / "x.xlsx")
    assert _leftovers(tmp_path) == []


def test_atomic_path_is_a_one_output_batch(tmp_path: Path) -> None:
    out = tmp_path / "b.xlsx"
    with atomic_path(out) as tmp:
        tmp.write_text("done")
    assert out.read_text() == "done"
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    with pytest.raises(OutputError, match="là một thư mục"), atomic_path(folder):
        pass
    assert _leftovers(tmp_path) == []


# --- the commands: exit 2 leaves nothing written, one Vietnamese line names the file ------


pytestmark = pytest.mark.usefixtures("log_dir")


@pytest.fixture(scope="module")
def sample_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vaxclean_xl.sample import generate_sample

    src = tmp_path_factory.mktemp("atomic-src") / "danh-sach.xlsx"
    generate_sample(src, rows=60, seed=5)
    return src


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from vaxclean_xl.cli import main

    rc = main(argv)
    err = capsys.readouterr().err.strip()
    return rc, err


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_validate_report_is_a_folder_writes_no_workbook(
        sample_list: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bao-cao.json").mkdir()
    rc, err = _cli(["validate", str(sample_list), "-o", str(tmp_path / "kq.xlsx"),
                    "--json", str(tmp_path / "bao-cao.json"), "-q"], capsys)
    assert rc == 2
    assert err.count("\n") == 0 and err.startswith("Lỗi: ")
    assert "bao-cao.json" in err and "là một thư mục" in err
    assert "không mong muốn" not in err
    assert _files(tmp_path) == ["bao-cao.json"]  # no workbook, no temp


def test_validate_report_held_open_keeps_both_old_outputs(
        sample_list: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, rep = tmp_path / "kq.xlsx", tmp_path / "bao-cao.json"
    out.write_bytes(b"old workbook")
    rep.write_text("old report")
    with _immutable(rep):
        rc, err = _cli(["validate", str(sample_list), "-o", str(out), "--json", str(rep),
                        "-q"], capsys)
    assert rc == 2
    assert "bao-cao.json" in err and "tệp đang mở trong Excel?" in err
    assert out.read_bytes() == b"old workbook" and rep.read_text() == "old report"
    assert _files(tmp_path) == ["bao-cao.json", "kq.xlsx"]


def test_validate_output_under_a_file(
        sample_list: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "ket-qua"
    blocker.write_text("a file where a folder is expected")
    rc, err = _cli(["validate", str(sample_list), "-o", str(tmp_path / "kq.xlsx"),
                    "--json", str(blocker / "bao-cao.json"), "-q"], capsys)
    assert rc == 2 and "bao-cao.json" in err and "không phải thư mục" in err
    assert _files(tmp_path) == ["ket-qua"]


def test_police_list_pdf_target_is_a_folder_writes_no_list(
        sample_list: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import soffice_or_skip

    soffice_or_skip()
    (tmp_path / "cong-an.pdf").mkdir()
    rc, err = _cli(["police-list", str(sample_list), "-o", str(tmp_path / "cong-an.xlsx"),
                    "--pdf"], capsys)
    assert rc == 2 and "cong-an.pdf" in err and "là một thư mục" in err
    assert _files(tmp_path) == ["cong-an.pdf"]


def test_export_import_report_is_a_folder_writes_no_import_file(
        sample_list: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "import.baocao.xlsx").mkdir()
    rc, err = _cli(["export-import", str(sample_list), "-o", str(tmp_path / "import.xlsx")],
                   capsys)
    assert rc == 2 and "import.baocao.xlsx" in err and "là một thư mục" in err
    assert _files(tmp_path) == ["import.baocao.xlsx"]


def test_build_addin_into_a_read_only_place(capsys: pytest.CaptureFixture[str]) -> None:
    rc, err = _cli(["build-addin", "-o", "/sys/vaxclean.xlam"], capsys)
    assert rc == 2 and "/sys/vaxclean.xlam" in err
    assert "thư mục chỉ đọc hoặc không có quyền ghi" in err


def test_os_error_escaping_a_command_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A name longer than the system allows fails inside the reader with a bare OSError."""
    too_long = tmp_path / ("a" * 300 + ".xlsx")
    rc, err = _cli(["validate", str(too_long)], capsys)
    assert rc == 2 and err.count("\n") == 0
    assert err.startswith("Lỗi: ") and "quá dài" in err and "aaaa" in err
    assert "không mong muốn" not in err
    assert _files(tmp_path) == []
