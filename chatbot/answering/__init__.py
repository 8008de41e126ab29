"""Answering: the extractive and LLM answerers, the LLM clients, prompts, follow-up resolution and
the citation verifier.

May import: ``retrieval``, ``store``, ``encoder``, ``weights``, ``text``, ``schemas``, ``settings``.
"""
