"""``vaxclean demo``: the main job end to end on built-in sample data."""

from __future__ import annotations

from pathlib import Path

from vaxclean_xl.core.model import CATEGORY_LABEL_VI, CATEGORY_ORDER


def run_demo(out: Path, rows: int = 800, seed: int = 2022) -> int:
    from vaxclean_xl.commands.validate import validate_file
    from vaxclean_xl.sample import generate_sample

    out.mkdir(parents=True, exist_ok=True)
    sample = out / "danh-sach-mau.xlsx"
    truth = generate_sample(sample, rows=rows, seed=seed)
    outcome = validate_file(sample, out / "danh-sach-mau.kiemtra.xlsx",
                            out / "danh-sach-mau.kiemtra.json")
    s = outcome.result.summary()
    print(f"1. Danh sách mẫu: {sample} ({s['records']} bản ghi; đáp án {truth.name})")
    print("2. Kiểm tra:")
    for cat in CATEGORY_ORDER:
        print(f"     {CATEGORY_LABEL_VI[cat]:<32} {s[cat.value]:>6}")
    print(f"     {'Cảnh báo':<32} {s['warnings']:>6}")
    print(f"   Tệp đã đánh dấu: {outcome.output}")
    print(f"   Báo cáo JSON:    {outcome.report}")
    return 0
