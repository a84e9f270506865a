"""Hamlet: needed to send each record to its hamlet for review (procedure step 2)."""

from __future__ import annotations

from vaxclean_xl.core.catalogue import rule
from vaxclean_xl.core.model import Category, Record, Severity
from vaxclean_xl.core.rules.context import Context

HAMLET001 = rule(
    "HAMLET001", "hamlet-missing", "hamlet", Severity.WARNING, Category.OK,
    "Thiếu thôn/xóm: bản ghi này không chia được về thôn để rà soát.",
    "Hamlet is missing: the record cannot be sent to a hamlet.",
    why="Bước 2 của quy trình giao danh sách cho tổ công tác thôn/ấp rà soát.",
    example="(ô trống)", fix="Ghi tên thôn/xóm/ấp/tổ dân phố nơi người đó thường trú.",
)


def check(rec: Record, ctx: Context) -> None:
    if "hamlet" in ctx.present and not rec.hamlet:
        rec.findings.append(HAMLET001.finding(rec.row, ""))
