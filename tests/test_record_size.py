"""A record must stay in pymalloc's 128-byte size class: one slot more (issue 11's
``doses`` and ``rows`` as two slots) made a 200,000-row list take 27 MiB more after the
checks and the 1,000,000-row validate peak at 2,038 MiB against its 2,048 MiB goal."""

from __future__ import annotations

import datetime as dt
import sys

from vaxclean_xl.core.model import Record
from vaxclean_xl.core.validate import validate_rows


def test_record_fits_the_128_byte_size_class():
    assert sys.getsizeof(Record(1, {})) <= 128


def test_doses_and_rows_share_one_slot_and_default_to_shared_empty_tuples():
    a, b = Record(1, {}), Record(2, {})
    assert a.doses == () and a.rows == () and a.history is b.history
    a.rows = [7, 8]
    a.doses = ["dose"]  # type: ignore[list-item]
    assert a.history == (["dose"], [7, 8]) and b.history == ((), ())


def test_records_of_a_list_without_doses_carry_no_list():
    cols = {"full_name": 0, "dob": 1, "sex": 2, "id_number": 3}
    rows = [(i, ["Nguyễn Văn An", "05/06/1990", "Nam", "001090123456"]) for i in range(2, 6)]
    records = validate_rows(rows, cols, today=dt.date(2022, 8, 1)).records
    assert {id(r.history) for r in records} == {id(Record(1, {}).history)}
