"""Retrieval: dense and lexical candidates, fusion, diversity and reranking into passages.

May import: ``store``, ``encoder``, ``text``, ``schemas``, ``settings``.
"""
