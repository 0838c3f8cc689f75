"""``convene dev`` is for this machine only.

- DNS rebinding: a web page on another site can point its own host name at 127.0.0.1 and
  then read and write the local runtime from the victim's browser. A browser always sends the
  name it resolved as ``Host``, so only requests addressed to the runtime by one of its own
  names (and, when a browser sends ``Origin``, coming from one of its own origins) are served.
- ``/_local/*`` issues sessions for anyone, fires schedules and shows every email: it answers
  only clients on the loopback interface, even when the server listens on every interface.
"""

from __future__ import annotations

import ipaddress

from werkzeug.wrappers import Request, Response

from . import gateway

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def own_hosts(host: str, port: int, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Every ``Host`` value that names this runtime (lower case, with the port)."""
    names = {*LOOPBACK_NAMES, *extra}
    if host not in ("0.0.0.0", "::", ""):  # noqa: S104 - compared, not bound
        names.add(f"[{host}]" if ":" in host else host)
    return frozenset(f"{name.lower()}:{port}" for name in names)


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").strip("[]")).is_loopback
    except ValueError:
        return False


def refusal(request: Request, hosts: frozenset[str]) -> Response | None:
    """Why this request must not be served, as a response; None if it may be."""
    host = request.headers.get("Host", "").strip().lower()
    if host not in hosts:
        return gateway.error(
            403,
            "convene dev answers only requests addressed to it as "
            f"{', '.join(sorted(hosts))}; this one named {host or 'no host'!r}.",
        )
    origin = request.headers.get("Origin")
    if origin is not None and origin.strip().lower() not in {f"http://{h}" for h in hosts}:
        return gateway.error(403, f"convene dev refuses requests from pages of other origins ({origin[:100]!r}).")
    if request.path.startswith("/_local/") and not is_loopback(request.remote_addr):
        return gateway.error(403, "The local runtime's own endpoints (/_local/) answer only this machine.")
    return None
