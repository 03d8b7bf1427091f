"""The bundled corpus: one Markdown file per article plus ``framelens.toml``.

This file only makes the folder an installable package so that the corpus
ships inside the wheel; the loader reads ``*.md`` and ``framelens.toml``.
"""
