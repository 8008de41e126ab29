"""Ingest: reading articles (txt, md, html, json, jsonl, pdf) and cutting them into chunks.

Owns loaders, article metadata and ids, and chunking with character offsets.
May import: ``text``, ``schemas``, ``settings``.
"""
