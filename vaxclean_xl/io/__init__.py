"""Adapters between files and the core: reading lists (``reader``) and writing results."""
