"""Store: Chroma (the truth), the derived lexical index, the sentence-vector cache, the live index
with its generations, the indexer that writes it, and the check/repair of what a crash left.

May import: ``encoder``, ``ingest``, ``weights``, ``text``, ``schemas``, ``settings``.
"""
