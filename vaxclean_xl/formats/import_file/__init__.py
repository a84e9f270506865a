"""The national platform's Excel import file (procedure step 4, "Import đối tượng tiêm
COVID-19"): its spec, the user's template, a writer of new files, a filler of the template
and the typed :class:`ImportFile` record.

One concept per module: ``spec`` (the layout as data, checked), ``codes`` (code lists and
zero-padded codes), ``headers`` (header texts matched to spec columns), ``template`` (the
user's template located), ``writer`` (a new file from the spec), ``fill`` (the template
filled in place) and ``record`` (ImportFile, its writer and reader).
"""

from vaxclean_xl.formats.import_file.codes import (
    CODE_LIST_SCHEMA,
    CodeList,
    CodeListError,
    load_code_list,
    pad_code,
)
from vaxclean_xl.formats.import_file.fill import FillResult, fill_template
from vaxclean_xl.formats.import_file.headers import (
    HeaderCell,
    assign_columns,
    header_keys,
    sex_codes_from_header,
)
from vaxclean_xl.formats.import_file.record import ImportFile, read_import_file, write_import_file
from vaxclean_xl.formats.import_file.spec import (
    DEFAULT_SPEC,
    SPEC_DIR,
    SPEC_SCHEMA,
    ImportSpec,
    Instruction,
    SpecColumn,
    SpecError,
    SpecGroup,
    Value,
    available_specs,
    load_spec,
    spec_path,
)
from vaxclean_xl.formats.import_file.template import (
    HEADER_SCAN_ROWS,
    MIN_HEADER_MATCHES,
    TemplateError,
    TemplateLayout,
    locate_template,
)
from vaxclean_xl.formats.import_file.writer import write_default_import

__all__ = [
    "CODE_LIST_SCHEMA",
    "DEFAULT_SPEC",
    "HEADER_SCAN_ROWS",
    "MIN_HEADER_MATCHES",
    "SPEC_DIR",
    "SPEC_SCHEMA",
    "CodeList",
    "CodeListError",
    "FillResult",
    "HeaderCell",
    "ImportFile",
    "ImportSpec",
    "Instruction",
    "SpecColumn",
    "SpecError",
    "SpecGroup",
    "TemplateError",
    "TemplateLayout",
    "Value",
    "assign_columns",
    "available_specs",
    "fill_template",
    "header_keys",
    "load_code_list",
    "load_spec",
    "locate_template",
    "pad_code",
    "read_import_file",
    "sex_codes_from_header",
    "spec_path",
    "write_default_import",
    "write_import_file",
]
