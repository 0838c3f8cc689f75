"""The monthly schedule: gather every item not yet issued into a draft issue.

The draft's content goes to S3 first; then one transaction creates the issue, takes each of its
items out of the pending list (on condition that it is still pending) and records
``NewsletterDrafted``. A schedule that fires twice, or two runs at once, cannot issue an item
twice: the loser's transaction fails on the items the winner took, and it retries without them
(usually: nothing left, so no issue, and its S3 files are removed).
"""

from __future__ import annotations

import logging
from typing import Any

from functions.common.ids import new_id, utcnow
from functions.common.settings import settings
from schemas.events.newsletter import NewsletterDrafted

from . import domain, rendering
from .files import IssueFiles
from .repository import ItemsTaken, NewsletterRepository

logger = logging.getLogger("convene")

#: Each retry drops the items another run took; a handful of rounds settles any race.
ATTEMPTS = 5


def assemble_issue(repository: NewsletterRepository | None = None, files: IssueFiles | None = None) -> dict[str, Any]:
    repo = repository or NewsletterRepository()
    files = files or IssueFiles()
    now = utcnow()
    issue_id = new_id("nl")
    title = domain.issue_title(settings().newsletter_name, now, settings().timezone)
    _add_since_items(repo, now)
    taken: set[str] = set()
    assembly = domain.Assembly(None)
    reason = "no new items since the last issue"
    for _ in range(ATTEMPTS):
        pending = [i for i in repo.pending_items() if i.item_id not in taken]
        assembly = domain.assemble(issue_id, title, pending, now)
        issue, content = assembly.issue, assembly.content
        if issue is None or content is None:
            break
        html, text = rendering.issue_email(content, unsubscribe_url=None, preferences_url=None)
        files.put(content, html, text)
        event = NewsletterDrafted(
            issue_id=issue.issue_id, title=issue.title, item_count=issue.item_count, sections=list(issue.sections)
        )
        try:
            repo.create_issue(issue, [i.item_id for i in content.items], event)
        except ItemsTaken as race:
            taken.update(race.item_ids)
            continue
        repo.lapse(assembly.lapsed)
        logger.info("drafted issue %s with %d items", issue.issue_id, issue.item_count)
        return {
            "issue_id": issue.issue_id,
            "title": issue.title,
            "items": issue.item_count,
            "sections": list(issue.sections),
            "lapsed": len(assembly.lapsed),
        }
    else:
        reason = f"gave up after {ATTEMPTS} attempts contended by other runs"
        logger.warning("newsletter assembly %s", reason)
    if taken:
        files.delete(issue_id)  # this run's draft lost every race: its files describe nothing
    repo.lapse(assembly.lapsed)
    return {"issue_id": None, "reason": reason, "lapsed": len(assembly.lapsed)}


def _add_since_items(repo: NewsletterRepository, now: Any) -> None:
    """The "since <event>" items from the chain of ideas (``functions.chain.newsletter``):
    written only if new, so a second run this month adds none."""
    from functions.chain.newsletter import since_items

    for item in since_items(now, repo.store):
        repo.add_item(item)  # type: ignore[arg-type]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """EventBridge Scheduler invokes this with ``{"schedule": name}``."""
    return assemble_issue()
