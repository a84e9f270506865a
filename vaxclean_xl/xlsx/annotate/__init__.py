"""Write a copy of the user's own .xlsx/.xlsm with bad cells coloured and annotated.

Why this is hand-written: no maintained Python library edits one sheet of an *existing*
workbook in place. openpyxl loads the whole workbook into its object model and re-saves it,
which silently drops what it does not model (data-validation and conditional-format
extension lists such as ``x14:dataValidation``, slicers, form controls, some chart details)
and needs gigabytes for a million-row sheet; XlsxWriter only writes new files. So this
package edits the OOXML package directly:

* every zip member is copied byte for byte, except the few parts that must change: the
  annotated worksheet, its ``.rels``, ``styles.xml``, ``[Content_Types].xml`` and, for the
  added sheets, ``workbook.xml`` and its ``.rels``; new parts (notes, VML, added sheets,
  drawings, charts) are added. A sheet an earlier run added is rewritten in place, and
  the parts only it used (its drawing, chart, .rels) go. Two more parts may go:
  ``calcChain.xml`` when cells get new values (a replaced formula would leave it naming a
  cell without one, which Excel "repairs"; Excel rebuilds the chain on its own), and the VBA
  project when an .xlsm is written under an .xlsx name (Excel refuses to open a
  macro-enabled package with the .xlsx extension);
* the worksheet is streamed: read in blocks, cut at ``</row>``, and only the rows that get a
  status, a mark or a new value are parsed (regular expressions over bytes, never a DOM), so
  memory stays bounded for a 1,000,000-row sheet;
* new cell values (``values=``) replace a cell's content but keep its style; a digit string
  (an ID, a phone number) gets a Text clone of the style so Excel never turns it into a
  number, a date gets a dd/mm/yyyy clone unless the cell already had a date format;
* the small parts are edited textually (insertions before a closing tag, attribute edits) so
  their namespace prefixes and ``mc:Ignorable`` declarations stay exactly as Excel wrote them.

One concept per module: ``plan`` (the request: marks, values, added sheets), ``source``
(the package as read), ``sheet`` (what the worksheet holds before it is rewritten),
``rewriter`` (the streamed worksheet), ``notes`` (comments and VML), ``summary`` (added
sheets and their chart), ``own_sheets`` (sheets an earlier run added) and ``writer`` (the
package written, and :func:`annotate_xlsx`).
"""

from vaxclean_xl.xlsx.annotate.own_sheets import OWN_SHEET_MARK
from vaxclean_xl.xlsx.annotate.plan import CellMark, CellValue, SummarySheet, SummaryTable
from vaxclean_xl.xlsx.annotate.writer import SameFileError, annotate_xlsx
from vaxclean_xl.xlsx.ooxml import WorkbookPackageError

__all__ = [
    "OWN_SHEET_MARK",
    "CellMark",
    "CellValue",
    "SummarySheet",
    "SummaryTable",
    "SameFileError",
    "WorkbookPackageError",
    "annotate_xlsx",
]
