"""The rule checks, one module per field family; importing this package registers them.

Each module declares its rules in the catalogue (``core.catalogue.rule``) next to the
check that emits them, ruff-style: code, what, why, example and fix live together.
"""

from __future__ import annotations

from vaxclean_xl.core.rules import dob, dose, hamlet, id_number, name, phone, sex  # noqa: F401
from vaxclean_xl.core.rules.context import Context

# Order matters: the ID checks compare against the parsed sex and date of birth.
RECORD_CHECKS = (name.check, dob.check, sex.check, id_number.check, phone.check, hamlet.check)
LIST_CHECKS = (id_number.check_list,)
# Run after the identity checks, only for lists with dose columns (they read the parsed
# date of birth), on batches of (record, row values): they work a column at a time.
DOSE_CHECKS = (dose.check_rows,)

__all__ = ["Context", "DOSE_CHECKS", "LIST_CHECKS", "RECORD_CHECKS"]
