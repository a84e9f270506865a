"""Sex: must be Nam or Nữ (the platform matches people on it)."""

from __future__ import annotations

from vaxclean_xl.core.catalogue import rule
from vaxclean_xl.core.model import Category, Record, Severity
from vaxclean_xl.core.rules.context import Context

E, P = Severity.ERROR, Category.BAD_PERSONAL_INFO

SEX001 = rule(
    "SEX001", "sex-missing", "sex", E, P,
    "Thiếu giới tính.", "Sex is missing.",
    why="Giới tính là một trong bốn trường đối chiếu với CSDLQG về dân cư.",
    example="(ô trống)", fix="Ghi Nam hoặc Nữ.",
)
SEX002 = rule(
    "SEX002", "sex-unrecognised", "sex", E, P,
    "Giới tính không hợp lệ: chỉ ghi Nam hoặc Nữ.", "Sex is not Nam or Nữ.",
    why="Giá trị như 'x', '?', 'N', 'Không rõ' không xác định được giới tính.",
    example="N", fix="Ghi Nam hoặc Nữ.",
)


def check(rec: Record, ctx: Context) -> None:
    if "sex" not in ctx.present:
        return
    if rec.sex is not None:
        return
    value = rec.text("sex")
    if not value:
        rec.findings.append(SEX001.finding(rec.row, value))
    else:
        rec.findings.append(SEX002.finding(rec.row, value))
