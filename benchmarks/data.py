"""Benchmark input lists: realistic commune lists with injected errors, generated once and
cached by (generator, rows, seed) under the output folder.

Why: speed and memory goals are about real layouts (title block, header, numbering row,
footer and signature; text IDs; ~10% of records with problems), and a million-row list takes
minutes to write, so it must be generated once and reused. ``vaxclean_xl.sample`` is
preferred when it is importable and works; otherwise :func:`write_list` produces a similar
layout with XlsxWriter (``constant_memory``, so a million rows need little RAM).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SHEET = "Danh sách"
HEADERS = [
    "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND", "Số điện thoại",
    "Thôn/Xóm", "Địa chỉ", "Số thẻ BHYT", "Nhóm ưu tiên", "Ghi chú", "Dân tộc",
]
ERROR_SHARE = 0.10

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
             "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Mai")
_MIDDLE_M = ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thanh", "Xuân", "Đình", "Ngọc")
_MIDDLE_F = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích", "Hồng")
_GIVEN_M = ("An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Long", "Nam", "Phong", "Quang",
            "Sơn", "Thắng", "Tuấn", "Việt", "Khánh", "Hiếu", "Trung", "Đạt", "Lâm", "Tài")
_GIVEN_F = ("Anh", "Bích", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan",
            "Linh", "Mai", "Nga", "Ngọc", "Oanh", "Phương", "Thảo", "Trang", "Tuyết", "Yến")
_PROVINCES = ("001", "026", "027", "030", "034", "036", "038", "040", "042", "079")
_PHONE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "086", "088", "032",
                   "033", "035", "037", "039", "070", "076", "077", "081", "083", "085")
_HAMLETS = tuple(f"Thôn {i}" for i in range(1, 9)) + (
    "Xóm Đông", "Xóm Tây", "Xóm Chùa", "Xóm Trại", "Thôn Trung Hòa", "Thôn Yên Lạc")
_PRIORITY = tuple(str(i) for i in range(1, 19))
_ETHNIC = ("Kinh",) * 18 + ("Tày", "Mường")
_NOTES = ("", "", "", "", "", "", "", "", "Đã tiêm mũi 1", "Chuyển đi")
_COMMUNE = "xã Yên Bình, huyện Yên Lạc, tỉnh Vĩnh Phúc"

# (kind, weight): the problems a real list has, errors mostly, a few warnings.
_PROBLEMS: tuple[tuple[str, int], ...] = (
    ("id_missing", 14), ("id_placeholder", 8), ("id_separators", 6), ("id_lost_zero", 10),
    ("id_wrong_length", 6), ("id_bad_province", 3), ("id_scientific", 3),
    ("id_sex_mismatch", 6), ("id_year_mismatch", 8), ("id_shared", 4), ("name_single", 4),
    ("name_symbols", 3), ("name_spaces", 4), ("dob_impossible", 3), ("dob_year_only", 5),
    ("sex_bad", 4), ("phone_old", 5), ("phone_invalid", 2), ("hamlet_missing", 2),
)


@dataclass(slots=True)
class BenchList:
    """A generated list: where it is, its list sheet, and which generator made it."""

    path: Path
    sheet: str | None  # None when the generator does not say (vaxclean_xl.sample)
    rows: int
    seed: int
    generator: str  # "sample" (vaxclean_xl.sample.generate_sample) or "bench" (this module)
    error_rate: float


def _cccd(rng: random.Random, year: int, female: bool) -> str:
    century = (year - 1900) // 100
    return (f"{rng.choice(_PROVINCES)}{2 * century + female}{year % 100:02d}"
            f"{rng.randrange(1_000_000):06d}")


def _person(rng: random.Random) -> list:
    """One clean record's 11 value columns (everything after STT)."""
    female = rng.random() < 0.5
    name = " ".join((rng.choice(_SURNAMES), rng.choice(_MIDDLE_F if female else _MIDDLE_M),
                     rng.choice(_GIVEN_F if female else _GIVEN_M)))
    dob = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(25_000))
    dob_cell: object = dob if rng.random() < 0.3 else dob.strftime("%d/%m/%Y")
    hamlet = rng.choice(_HAMLETS)
    phone = f"{rng.choice(_PHONE_PREFIXES)}{rng.randrange(10_000_000):07d}"
    bhyt = f"GD4{rng.randrange(10**12):012d}" if rng.random() < 0.8 else ""
    return [name, dob_cell, "Nữ" if female else "Nam", _cccd(rng, dob.year, female), phone,
            hamlet, f"{hamlet}, {_COMMUNE}", bhyt, rng.choice(_PRIORITY), rng.choice(_NOTES),
            rng.choice(_ETHNIC)]


def _inject(rng: random.Random, kind: str, v: list, previous_id: str) -> None:
    """Spoil one record in place (v = the 11 value columns, index 0 = name)."""
    name, dob, sex, idn, phone = v[0], v[1], v[2], v[3], v[4]
    year = dob.year if isinstance(dob, dt.date) else int(dob[-4:])
    if kind == "id_missing":
        v[3] = ""
    elif kind == "id_placeholder":
        v[3] = rng.choice(("Không có", "chưa có", "Chưa làm CCCD", "0"))
    elif kind == "id_separators":
        v[3] = f"{idn[:3]} {idn[3:6]} {idn[6:]}"
    elif kind == "id_lost_zero":
        v[3] = int(idn)  # a number cell: Excel dropped the leading zero
    elif kind == "id_wrong_length":
        v[3] = idn[: rng.choice((8, 10, 11))] if rng.random() < 0.5 else idn + "1"
    elif kind == "id_bad_province":
        v[3] = "099" + idn[3:]
    elif kind == "id_scientific":
        v[3] = f"{int(idn) / 10**11:.5f}E+11"
    elif kind == "id_sex_mismatch":
        v[2] = "Nam" if sex == "Nữ" else "Nữ"
    elif kind == "id_year_mismatch":
        shifted = year + rng.choice((-2, -1, 1, 2))
        if isinstance(dob, dt.date):
            v[1] = dob.replace(year=shifted, day=min(dob.day, 28))
        else:
            v[1] = f"{dob[:-4].replace('29/02', '28/02')}{shifted}"
    elif kind == "id_shared" and previous_id:
        v[3] = previous_id
    elif kind == "name_single":
        v[0] = name.split()[-1]
    elif kind == "name_symbols":
        v[0] = name + rng.choice((" 2", " (con)", "?"))
    elif kind == "name_spaces":
        v[0] = name.replace(" ", "  ", 1) + " "
    elif kind == "dob_impossible":
        v[1] = f"{rng.choice(('31/02', '30/02', '31/04', '32/01'))}/{year}"
    elif kind == "dob_year_only":
        v[1] = str(year)
    elif kind == "sex_bad":
        v[2] = rng.choice(("x", "N", "1", ""))
    elif kind == "phone_old":
        v[4] = "0168" + phone[3:]
    elif kind == "phone_invalid":
        v[4] = phone[:6]
    elif kind == "hamlet_missing":
        v[5] = ""


def write_list(path: Path, rows: int, seed: int, error_rate: float = ERROR_SHARE) -> Path:
    """Write a ``rows``-record list in a commune's usual layout; deterministic per seed.
    About ``error_rate`` of the records get one injected problem."""
    import xlsxwriter

    rng = random.Random(seed)
    kinds = [k for k, _ in _PROBLEMS]
    weights = [w for _, w in _PROBLEMS]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(SHEET)
    bold = wb.add_format({"bold": True, "font_name": "Times New Roman"})
    center = wb.add_format({"bold": True, "align": "center", "font_name": "Times New Roman"})
    datef = wb.add_format({"num_format": "dd/mm/yyyy"})
    text = wb.add_format({"num_format": "@"})
    ws.set_column(1, 1, 26)
    ws.set_column(2, 5, 14, text)
    ws.set_column(7, 7, 40)
    ws.write_row(0, 0, ["SỞ Y TẾ TỈNH VĨNH PHÚC", "", "", "", "",
                        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], bold)
    ws.write_row(1, 0, ["TRẠM Y TẾ XÃ YÊN BÌNH", "", "", "", "",
                        "Độc lập - Tự do - Hạnh phúc"], bold)
    ws.write(3, 0, "DANH SÁCH ĐỐI TƯỢNG TIÊM VẮC XIN PHÒNG COVID-19", center)
    ws.write(4, 0, f"Xã Yên Bình, ngày 15 tháng 3 năm 2022 - {rows} đối tượng")
    ws.write_row(5, 0, HEADERS, center)
    ws.write_row(6, 0, [f"({i})" for i in range(1, len(HEADERS) + 1)], center)
    first = 7
    previous_id = ""
    for i in range(rows):
        v = _person(rng)
        if rng.random() < error_rate:
            _inject(rng, rng.choices(kinds, weights)[0], v, previous_id)
        if isinstance(v[3], str) and len(v[3]) == 12 and v[3].isdigit():
            previous_id = v[3]
        r = first + i
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, v[0])
        if isinstance(v[1], dt.date):
            ws.write_datetime(r, 2, dt.datetime(v[1].year, v[1].month, v[1].day), datef)
        else:
            ws.write_string(r, 2, v[1])
        ws.write_string(r, 3, v[2])
        if isinstance(v[3], int):
            ws.write_number(r, 4, v[3])
        else:
            ws.write_string(r, 4, v[3])
        ws.write_row(r, 5, v[4:])
    end = first + rows
    ws.write(end, 1, f"Tổng cộng: {rows} người", bold)
    ws.write(end + 2, 7, "Yên Bình, ngày 15 tháng 3 năm 2022")
    ws.write_row(end + 3, 1, ["NGƯỜI LẬP BIỂU", "", "", "", "", "TRƯỞNG TRẠM"], bold)
    ws.write_row(end + 4, 1, ["(Ký, ghi rõ họ tên)", "", "", "", "", "(Ký, đóng dấu)"])
    ws.write_row(end + 8, 1, ["Trần Thị Lập", "", "", "", "", "Nguyễn Văn Trưởng"])
    wb.close()
    return path


def _sample_generator() -> Callable[[Path, int, int, float], object] | None:
    """``vaxclean_xl.sample.generate_sample`` if it can be imported (another engineer's)."""
    try:
        from vaxclean_xl.sample import generate_sample
    except Exception:
        return None
    return lambda path, rows, seed, rate: generate_sample(path, rows=rows, seed=seed,
                                                          error_rate=rate)


def _sample_signature() -> str:
    """Identity of the current vaxclean_xl/sample/ package, so a recorded failure expires
    when one of its files changes."""
    import vaxclean_xl.sample as sample

    stats = [p.stat() for p in sorted(Path(sample.__file__).parent.glob("*.py"))]
    return ";".join(f"{st.st_mtime_ns}:{st.st_size}" for st in stats)


def _atomic_generate(target: Path, make: Callable[[Path], object]) -> None:
    """Generate into a temporary file and rename, so a killed run leaves no broken cache;
    a '<stem>.truth.json' written beside it (vaxclean_xl.sample) follows it."""
    fd, name = tempfile.mkstemp(suffix=".xlsx", dir=target.parent, prefix=".tmp-")
    os.close(fd)
    tmp = Path(name)
    truth = tmp.with_name(tmp.stem + ".truth.json")
    try:
        make(tmp)
        os.replace(tmp, target)
        if truth.exists():
            os.replace(truth, target.with_name(target.stem + ".truth.json"))
    finally:
        tmp.unlink(missing_ok=True)
        truth.unlink(missing_ok=True)


def _unreadable(path: Path) -> str | None:
    """Why the project's reader cannot use ``path`` (None when it finds records)."""
    from vaxclean_xl.io.reader import read_table

    try:
        return None if read_table(path).rows else "no records read"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _try_sample(target: Path, rows: int, seed: int, rate: float,
                log: Callable[[str], None]) -> str | None:
    """Generate ``target`` with vaxclean_xl.sample; None on success, else why it failed.
    A failure is remembered in '<target>.unusable' until sample.py changes."""
    sample = _sample_generator()
    if sample is None:
        return "vaxclean_xl.sample.generate_sample is not importable"
    if target.exists():
        return None
    marker = target.with_name(target.name + ".unusable")
    signature = _sample_signature()
    if marker.exists():
        sig, _, reason = marker.read_text("utf-8").partition("\n")
        if sig == signature:
            return f"{reason} (recorded in {marker.name})"
    log(f"generating {rows:,} rows with vaxclean_xl.sample -> {target}")
    try:
        _atomic_generate(target, lambda p: sample(p, rows, seed, rate))
        reason = _unreadable(target)
    except Exception as exc:  # another engineer's work in progress: fall back
        reason = f"{type(exc).__name__}: {exc}"
    if reason is None:
        marker.unlink(missing_ok=True)
        return None
    target.unlink(missing_ok=True)
    target.with_name(target.stem + ".truth.json").unlink(missing_ok=True)
    marker.write_text(f"{signature}\n{reason}", "utf-8")
    return reason


def ensure_list(rows: int, seed: int, out_dir: Path, generator: str = "auto",
                log: Callable[[str], None] = print,
                error_rate: float = ERROR_SHARE) -> BenchList:
    """The cached list for (generator, rows, seed, error rate); generate it first if needed.

    ``generator``: "sample" (vaxclean_xl.sample), "bench" (this module) or "auto" (sample
    when it imports and the project's reader reads its output, else bench).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    key = f"{rows}r-s{seed}-e{round(error_rate * 100)}"
    if generator in ("auto", "sample"):
        target = out_dir / f"list-sample-{key}.xlsx"
        reason = _try_sample(target, rows, seed, error_rate, log)
        if reason is None:
            return BenchList(target, None, rows, seed, "sample", error_rate)
        if generator == "sample":
            raise RuntimeError(f"vaxclean_xl.sample unusable: {reason}")
        log(f"vaxclean_xl.sample unusable for {rows:,} rows ({reason}); using benchmarks.data")
    target = out_dir / f"list-bench-{key}.xlsx"
    if not target.exists():
        log(f"generating {rows:,} rows with benchmarks.data -> {target}")
        _atomic_generate(target, lambda p: write_list(p, rows, seed, error_rate))
    return BenchList(target, SHEET, rows, seed, "bench", error_rate)


def ensure_sample(rows: int, seed: int, out_dir: Path, doses: bool,
                  log: Callable[[str], None] = print,
                  error_rate: float = ERROR_SHARE) -> BenchList:
    """The cached ``vaxclean_xl.sample`` list with (``doses``) or without its dose columns;
    the same persons and identity cells either way for the same (rows, seed, error rate).
    The file name says which, so a list cached before the sample wrote doses is not reused."""
    from vaxclean_xl.sample import generate_sample

    out_dir.mkdir(parents=True, exist_ok=True)
    key = f"{rows}r-s{seed}-e{round(error_rate * 100)}-{'doses' if doses else 'nodoses'}"
    target = out_dir / f"list-sample-{key}.xlsx"
    if not target.exists():
        log(f"generating {rows:,} rows with vaxclean_xl.sample (doses={doses}) -> {target}")
        _atomic_generate(target, lambda p: generate_sample(p, rows=rows, seed=seed,
                                                           error_rate=error_rate, doses=doses))
    return BenchList(target, "Danh sách", rows, seed, "sample", error_rate)
