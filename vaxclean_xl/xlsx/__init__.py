"""The one OOXML toolkit: XML parts, packages, styles, colours and new workbooks."""
