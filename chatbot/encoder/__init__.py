"""Encoder: the multilingual embedding model, its ONNX export, and sentence/clause vectors.

May import: ``weights``, ``ingest``, ``text``, ``schemas``, ``settings``.
"""
