"""Service: the one core every shell calls (search, ask, index maintenance), the background index
jobs and their status, the write-permission check and the thread-to-stream bridge.

May import everything below it (``components``, ``answering`` ... ``settings``); never a shell.
"""
