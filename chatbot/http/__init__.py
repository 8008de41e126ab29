"""HTTP shell: the JSON API under ``/api``, the OpenAI-compatible API under ``/v1``, their request
and response schemas. May import ``service`` and below; never ``web`` or ``cli``.
"""
