"""One module per file format we write and read back: layout, typed record, writer, reader."""
