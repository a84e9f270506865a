"""Application services: one function per user action, shared by the CLI and Excel buttons."""
