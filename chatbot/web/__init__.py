"""Web shell: the Gradio chat page and its HTML rendering. May import ``service`` and below;
never ``http`` or ``cli``.
"""
