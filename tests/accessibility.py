"""axe-core over every page a browser test visits.

Every HTML document a test's browser receives (including the pages reached by a redirect after a
form POST) is kept as it arrived; when the test ends, each distinct page is loaded into a
separate checking page and axe-core (installed from the npm registry by ``make test``) checks it
against WCAG 2.2 A and AA. A test fails if any page has a violation. Checking a copy, not the
live page, means a test that moves on quickly cannot skip a page, and the page's strict CSP is
left as it is (the script is evaluated by the browser's debugging protocol, not loaded by the page).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Response

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RUN = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""


@cache
def axe_source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: `make test` installs axe-core from the npm registry (npm ci)")
    return AXE.read_text(encoding="utf-8")


class PageRecorder:
    """Keeps every HTML page a browser context received, to check once the test is done."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, str]] = {}  # digest -> (url, html)

    def attach(self, context: BrowserContext) -> None:
        context.on("response", self._received)

    def _received(self, response: Response) -> None:
        if response.request.resource_type != "document" or response.status in (204, 301, 302, 303, 307, 308):
            return
        if "text/html" not in (response.headers.get("content-type") or ""):
            return
        try:
            html = response.text()
        except Exception:  # the browser already dropped a page the test left at once
            return
        self.pages.setdefault(hashlib.sha256(html.encode()).hexdigest(), (response.url, html))


def violations(browser: Browser, recorder: PageRecorder) -> dict[str, list[dict[str, Any]]]:
    """axe-core's findings for each page the recorder kept (empty when every page passes)."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not recorder.pages:
        return found
    context = browser.new_context(locale="en-GB", java_script_enabled=True)
    try:
        context.route("**/*", lambda route: route.abort())  # the copy loads nothing from anywhere
        page = context.new_page()
        for url, html in recorder.pages.values():
            page.set_content(html, wait_until="domcontentloaded")
            page.evaluate(axe_source())
            result = page.evaluate(RUN, TAGS)
            if result:
                found[url] = result
    finally:
        context.close()
    return found


def describe(found: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for url, problems in found.items():
        for problem in problems:
            lines.append(f"{url}: {problem['id']} ({problem['impact']}) {problem['help']} at {problem['nodes']}")
    return "\n".join(lines)
