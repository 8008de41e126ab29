"""Cluster: indexing work (loading, chunking, encoding) run on a Ray cluster instead of in process.

May import ``components`` and everything below it; the service chooses it when CHATBOT_RAY_ADDRESS
is set. Ray itself is an optional extra (``pip install -e ".[ray]"``).
"""
