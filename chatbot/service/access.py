"""Who may change the index: the one write-permission check of the JSON API and the chat page.

* ``CHATBOT_API_KEY`` set: the key must be presented (bearer header, or the page's key field).
* No key, server bound to loopback: only this machine may write, so the request must name a
  loopback host with the bound port in ``Host`` (a DNS-rebinding page names its own domain) and
  must not come from another site (``Origin``, ``Sec-Fetch-Site``, ``Referer``): a web page the
  user visits could otherwise post forms or fetch requests to the local server.
* No key, server reachable beyond loopback: no writes at all.
* And an index job (first indexing, rebuild) in progress makes every writer wait (409).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from chatbot.service.jobs import IndexJobs
from chatbot.settings import Settings

LOOPBACK_NAMES = {"localhost"}
DEFAULT_PORTS = {"http": 80, "https": 443}


class AccessDenied(Exception):
    """A refused write: ``status``/``code`` for an HTTP answer, ``message`` for a person."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


@dataclass(frozen=True)
class Caller:
    """What a write request says about where it comes from.

    ``headers`` with lower-case names; ``server_port`` is the port the server socket is bound to
    (None when unknown); ``key`` is the key presented (None when none was, "" when it was malformed),
    ``key_hint`` tells the person where a key goes.
    """

    headers: Mapping[str, str]
    scheme: str = "http"
    server_port: int | None = None
    key: str | None = None
    key_hint: str = "send 'Authorization: Bearer <CHATBOT_API_KEY>'"


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.1``, ``[::1]``...)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_and_port(netloc: str, scheme: str) -> tuple[str, int | None]:
    try:
        parts = urlsplit(f"//{netloc}")
        return (parts.hostname or ""), parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a malformed port
        return "", None


def _same_site(caller: Caller, behind_proxy: bool = False) -> None:
    """Refuse a request that a page of another site made the browser send.

    ``behind_proxy``: the site may also be the one a reverse proxy names in ``X-Forwarded-Host``
    (another site's page cannot set that header without a CORS preflight, which is refused). Never
    for key-less writes: a DNS-rebinding page is same-origin to the browser and may set it.
    """
    host = caller.headers.get("host", "")
    hosts = {host.lower()}
    if behind_proxy and caller.headers.get("x-forwarded-host"):
        hosts.add(caller.headers["x-forwarded-host"].split(",")[0].strip().lower())
    origin = caller.headers.get("origin")
    fetch_site = caller.headers.get("sec-fetch-site", "").lower()
    if origin is not None:
        parts = urlsplit(origin) if origin != "null" else None
        if parts is None or parts.scheme not in DEFAULT_PORTS or parts.netloc.lower() not in hosts:
            raise AccessDenied(403, "foreign_origin", f"writes from another site are refused (Origin '{origin}' "
                               f"is not this server, '{host}')")
    elif fetch_site in ("cross-site", "same-site"):
        raise AccessDenied(403, "foreign_origin", f"writes from another site are refused (Sec-Fetch-Site: {fetch_site})")
    else:
        referer = caller.headers.get("referer")
        if referer and urlsplit(referer).netloc.lower() not in hosts:
            raise AccessDenied(403, "foreign_origin", "writes from another site are refused (the Referer is not "
                               f"this server, '{host}')")


def _loopback_only(caller: Caller) -> None:
    """Without a key: the request must be addressed to this machine, at the bound port."""
    host = caller.headers.get("host", "")
    name, port = _host_and_port(host, caller.scheme)
    wrong_port = caller.server_port is not None and port != caller.server_port
    if not is_loopback_host(name) or wrong_port:
        raise AccessDenied(403, "foreign_host", f"writes without CHATBOT_API_KEY are accepted only for this machine: "
                           f"the Host header must be 127.0.0.1, localhost or [::1] with the server's port, "
                           f"not '{host}'")
    _same_site(caller)


def check_upload(settings: Settings, loopback: bool, caller: Caller) -> None:
    """Storing an uploaded file for a later write (the page's upload route, which carries no key)."""
    if not settings.api_key and not loopback:
        raise AccessDenied(403, "read_only", "uploads are disabled: the server listens on a non-loopback "
                           "address and CHATBOT_API_KEY is not set")
    if settings.api_key:
        _same_site(caller, behind_proxy=True)
    else:
        _loopback_only(caller)


def check_writer(settings: Settings, jobs: IndexJobs, loopback: bool, caller: Caller) -> None:
    """Raise :class:`AccessDenied` unless ``caller`` may change the index now."""
    expected = settings.api_key
    if expected:
        given = caller.key
        if given is None:
            raise AccessDenied(401, "unauthorized", f"this action changes the index: {caller.key_hint}",
                               headers={"WWW-Authenticate": "Bearer"})
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise AccessDenied(401, "unauthorized", "wrong API key", headers={"WWW-Authenticate": "Bearer"})
    elif not loopback:
        raise AccessDenied(403, "read_only",
                           "write routes are disabled: the server listens on a non-loopback address and "
                           "CHATBOT_API_KEY is not set; set it to enable uploads, deletions and rebuilds")
    else:
        _loopback_only(caller)
    if jobs.busy:
        raise AccessDenied(409, "index_busy", f"the index is busy ({jobs.status.state}); "
                           "try again when GET /api/health no longer shows a state")
