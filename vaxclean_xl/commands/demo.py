"""``vaxclean demo``: the procedure end to end on built-in sample data.

validate → split per hamlet → simulated hamlet returns (a worker fills the '(sửa)'
columns in some files, one hamlet does not answer) → merge. The simulated worker types
what a careful person would: the certain fixes the tool suggested, and for the rest a
value consistent with the person's other fields (as if read off their ID card).
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from vaxclean_xl.core.model import CATEGORY_LABEL_VI, CATEGORY_ORDER, Record
from vaxclean_xl.core.normalize import SEX_LABEL, format_date
from vaxclean_xl.core.rules.id_number import cccd_year

CORRECTABLE = {"full_name", "dob", "sex", "id_number"}


def _print_summary(title: str, summary: dict[str, int]) -> None:
    print(title)
    for cat in CATEGORY_ORDER:
        print(f"     {CATEGORY_LABEL_VI[cat]:<32} {summary[cat.value]:>6}")
    print(f"     {'Cảnh báo':<32} {summary['warnings']:>6}")


def _print_doses(records: Iterable[Record]) -> None:
    """The doses' own status (they never change the identity groups above)."""
    n = Counter(rec.vaccination for rec in records)
    print(f"   Mũi tiêm: {n['OK']} người đúng, {n['WARNING']} có cảnh báo, {n['ERROR']} có lỗi, "
          f"{n['NONE']} chưa ghi mũi nào")


def corrections_for(rec: Record, rnd: random.Random) -> dict[str, str]:
    """What a hamlet worker would type for one record (field -> text)."""
    out: dict[str, str] = {}
    for f in rec.findings:
        if f.field in CORRECTABLE and f.suggestion and f.severity.value == "error":
            out[f.field] = f.suggestion
    codes = {f.code for f in rec.findings}
    id_text = out.get("id_number", rec.id_number)
    valid_cccd = len(id_text) == 12 and id_text.isdigit() and not codes & {
        "ID004", "ID006", "ID007", "ID008", "ID009"}
    if codes & {"ID001", "ID002", "ID004", "ID006", "ID007", "ID008", "ID009", "ID103"}:
        year = rec.dob.year if rec.dob else 1980
        sex_digit = (0 if year < 2000 else 2) + (1 if rec.sex == "F" else 0)
        id_text = f"0{rnd.choice(['01', '27', '38', '40', '79'])}{sex_digit}{year % 100:02d}" \
                  f"{rnd.randint(0, 999_999):06d}"
        out["id_number"], valid_cccd = id_text, True
    if codes & {"DOB001", "DOB002", "DOB003", "DOB004", "DOB005", "DOB006", "ID102"}:
        year = cccd_year(id_text) if valid_cccd else 1980
        day = rec.dob.day if rec.dob and "ID102" in codes else 1
        month = rec.dob.month if rec.dob and "ID102" in codes else 1
        try:
            out["dob"] = format_date(rec.dob.replace(year=year)) if rec.dob and \
                "ID102" in codes else f"{day:02d}/{month:02d}/{year}"
        except ValueError:
            out["dob"] = f"01/01/{year}"
    if codes & {"SEX001", "SEX002", "ID101"}:
        out["sex"] = SEX_LABEL["FM"[int(id_text[3]) % 2 == 0]] if valid_cccd else "Nam"
    if codes & {"NAME001", "NAME002", "NAME003"}:
        base = "".join(ch for ch in rec.full_name if ch.isalpha() or ch == " ").strip()
        out["full_name"] = f"Nguyễn Văn {base.split()[-1]}" if base else "Nguyễn Văn Bình"
    return out


def simulate_returns(split_dir: Path, returned_dir: Path, records: dict[int, Record],
                     seed: int = 1, skip: int = 1) -> list[Path]:
    """Copy each hamlet file as a worker would send it back, with corrections typed in;
    the last ``skip`` hamlets do not answer. Uses openpyxl as a stand-in for Excel."""
    import openpyxl

    from vaxclean_xl.formats.hamlet_file import layout as L
    from vaxclean_xl.formats.hamlet_file.writer import CORR_COL, NOTE_COL

    rnd = random.Random(seed)
    returned_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in split_dir.glob("*.xlsx"))
    sent = files[: max(len(files) - skip, 0)]
    out: list[Path] = []
    for path in sent:
        wb = openpyxl.load_workbook(path)
        ws = wb[L.DATA_SHEET]
        for r in range(L.FIRST_ROW, ws.max_row + 1):
            key = L.parse_key(ws.cell(r, 1).value)
            if key is None:
                continue
            rec = records[key[1]]
            if rnd.random() < 0.1:
                ws.cell(r, NOTE_COL + 1).value = "Đã đối chiếu với thẻ CCCD"
            for field, value in corrections_for(rec, rnd).items():
                ws.cell(r, CORR_COL[field] + 1).value = value
        target = returned_dir / path.name
        wb.save(target)
        out.append(target)
    return out


def simulate_police_return(police_file: Path, target: Path, records: dict[int, Record],
                           seed: int = 1) -> Path:
    """The police's answer: 'Đúng' for most, 'Sai' with the right values where the record
    is still wrong (as read from the population database), one 'Sai' left without values."""
    import openpyxl

    from vaxclean_xl.formats import police_list as P
    from vaxclean_xl.formats.hamlet_file import layout as L

    rnd = random.Random(seed)
    wb = openpyxl.load_workbook(police_file)
    ws = wb[P.DATA_SHEET]
    left_open = False
    for r in range(P.FIRST_ROW, ws.max_row + 1):
        key = L.parse_key(ws.cell(r, P.KEY_COL + 1).value)
        if key is None:
            continue
        rec = records[key[1]]
        fixes = corrections_for(rec, rnd)
        verdict = ws.cell(r, P.RESULT_COL + 1)
        if not fixes:
            verdict.value = "Đúng"
        elif not left_open:
            verdict.value, left_open = "Sai", True  # the database has no answer either
        else:
            verdict.value = "Sai"
            for field, value in fixes.items():
                ws.cell(r, P.CORRECT_COL[field] + 1).value = value
    wb.save(target)
    return target


def write_demo_settings(truth: Path, path: Path) -> Path:
    """The station settings a real station enters once, for the sample's commune: names,
    administrative codes (the import file's code columns), signers (made up)."""
    import json

    commune = json.loads(truth.read_text(encoding="utf-8"))["commune"]
    name = commune["commune"]
    values = {
        "province": commune["province"], "district": commune["district"], "commune": name,
        "station": f"Trạm Y tế {name}", "police_unit": f"Công an {name}",
        "preparer": "Nguyễn Thị Lan", "station_head": "Trần Văn Hùng",
        "police_head": "Lê Văn Minh",
        "province_code": commune["province_code"], "district_code": commune["district_code"],
        "ward_code": commune["ward_code"],
    }
    lines = ["# Cài đặt của trạm (dữ liệu mẫu: tên người ký là tên giả; mã huyện, mã xã chỉ",
             "# để minh họa, trạm thật ghi mã theo danh mục hành chính)"]
    lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_demo(out: Path, rows: int = 800, seed: int = 2022) -> int:
    from vaxclean_xl.commands.split import split_file
    from vaxclean_xl.commands.validate import validate_file
    from vaxclean_xl.sample import generate_sample

    out.mkdir(parents=True, exist_ok=True)
    sample = out / "danh-sach-mau.xlsx"
    truth = generate_sample(sample, rows=rows, seed=seed)
    conf = write_demo_settings(truth, out / "cai-dat.toml")
    outcome = validate_file(sample, out / "danh-sach-mau.kiemtra.xlsx",
                            out / "danh-sach-mau.kiemtra.json")
    print(f"1. Danh sách mẫu: {sample} ({outcome.result.summary()['records']} bản ghi; "
          f"đáp án {truth.name})")
    _print_summary("2. Kiểm tra (vaxclean validate):", outcome.result.summary())
    _print_doses(outcome.result.records)
    print(f"   Tệp đã đánh dấu: {outcome.output}")
    print(f"   Báo cáo JSON:    {outcome.report}")

    split_dir = out / "gui-thon"
    shutil.rmtree(split_dir, ignore_errors=True)
    split = split_file(sample, split_dir, settings_file=conf)
    sent = sum(len(f.records) for f in split.files)
    print(f"3. Chia theo thôn (vaxclean split): {sent} bản ghi lỗi → {len(split.files)} tệp "
          f"trong {split_dir}")

    returned_dir = out / "thon-tra-ve"
    shutil.rmtree(returned_dir, ignore_errors=True)
    by_row = {r.row: r for r in split.result.records}
    returned = simulate_returns(split_dir, returned_dir, by_row, seed=seed)
    print(f"4. Thôn gửi lại (mô phỏng): {len(returned)} tệp trong {returned_dir}; "
          f"{len(split.files) - len(returned)} thôn chưa gửi")

    from vaxclean_xl.commands.merge import merge_files

    merged = merge_files(sample, [returned_dir], out / "danh-sach-da-gop.xlsx",
                         out / "danh-sach-da-gop.json")
    s = merged.merge_report.summary
    print(f"5. Gộp (vaxclean merge): {s.changes} thay đổi, {s.conflicts} xung đột, "
          f"{s.rejected} đề nghị sửa sai giữ lại, "
          f"{s.added} bổ sung, {s.missing} thiếu, {s.not_returned} thôn chưa gửi; "
          f"{s.records_in} bản ghi vào = {s.records_out} bản ghi ra")
    _print_summary("   Kiểm tra lại danh sách đã gộp:", merged.result.summary())
    print(f"   Tệp đã gộp: {out / 'danh-sach-da-gop.xlsx'}")

    from vaxclean_xl.commands.edit_list import edit_list
    from vaxclean_xl.commands.export_import import export_import
    from vaxclean_xl.commands.police_list import police_list

    merged_list = out / "danh-sach-da-gop.xlsx"
    police = police_list(merged_list, out / "danh-sach-cong-an.xlsx",
                         baseline=out / "danh-sach-mau.kiemtra.json", settings_file=conf)
    print(f"6. Danh sách Công an xã (vaxclean police-list): {police.count} người cần xác minh "
          f"→ {police.output}")
    returned_police = simulate_police_return(
        police.output, out / "cong-an-tra-ve.xlsx",
        {r.row: r for r in police.result.records}, seed=seed)
    print(f"7. Công an xã gửi lại (mô phỏng): {returned_police}")
    final = out / "danh-sach-cuoi.xlsx"
    after = merge_files(merged_list, [returned_police], final, out / "danh-sach-cuoi.json")
    s, p = after.merge_report.summary, after.merge_report.police
    print(f"8. Gộp kết quả Công an (vaxclean merge): {s.changes} thay đổi; "
          f"{p.verified} đúng, {p.corrected} được sửa, "
          f"{len(p.unresolved)} chưa xác minh được")
    _print_summary("   Kiểm tra lại danh sách cuối:", after.result.summary())
    exported = export_import(final, out / "file-import.xlsx",
                             baseline=out / "danh-sach-mau.kiemtra.json", settings_file=conf)
    print(f"9. File import (vaxclean export-import): {exported.written} người → "
          f"{exported.output}; chưa đủ điều kiện: {len(exported.not_eligible)}")
    edits = edit_list(final, out / "danh-sach-sua-truc-tiep.xlsx", baseline=sample,
                      settings_file=conf)
    print(f"10. Danh sách sửa trực tiếp trên nền tảng (vaxclean edit-list): "
          f"{len(edits.rows)} người → {edits.output}")
    from vaxclean_xl.commands.passport import passport

    signing = passport(final, out / "ho-chieu-vac-xin.xlsx",
                       json=out / "ho-chieu-vac-xin.json", settings_file=conf)
    n = signing.assessment.count()
    print(f"11. Hộ chiếu vắc xin (vaxclean passport): {n['READY']} người sẵn sàng ký, "
          f"{n['BLOCKED']} chưa ký được, {n['NO_DOSES']} chưa có mũi tiêm, "
          f"{len(signing.assessment.pairs)} cặp hồ sơ cùng một người → {signing.output}")
    from vaxclean_xl.commands.progress import progress

    report = progress([out], out / "tien-do.xlsx")
    print(f"12. Tiến độ (vaxclean progress): {report.output}")
    return 0
