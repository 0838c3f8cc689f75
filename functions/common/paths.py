"""Where a "where to go next" value may send a browser: only to a path on this site.

Browsers are lenient with URLs: they drop tabs and newlines anywhere, strip leading control
characters and spaces, read backslashes as slashes, and percent-decoding makes ``%2F%2F`` a
``//``. A value is kept only if, under every such reading, it is a path on this site.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

HOME = "/"
MAX_LENGTH = 500


def _browser_reading(value: str) -> str:
    probe = value
    for _ in range(3):  # double- and triple-encoded values decode to the same thing
        probe = unquote(probe)
    probe = probe.replace("\\", "/")
    return "".join(ch for ch in probe if ch > " " and ch != "\x7f")


def local_path(value: str | None) -> str:
    """``value`` if it can only ever lead to a path on this site, else ``/``."""
    if not value or len(value) > MAX_LENGTH:
        return HOME
    # What goes into a Location header must be plain visible ASCII (no header splitting).
    if not all(" " < ch < "\x7f" for ch in value):
        return HOME
    probe = _browser_reading(value)
    if not probe.startswith("/") or probe.startswith("//"):
        return HOME
    parts = urlsplit(probe)
    if parts.scheme or parts.netloc:
        return HOME
    return value
