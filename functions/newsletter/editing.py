"""What editors do on the pages: change the items waiting for the next issue, make a draft now
(the same work as the monthly schedule), and shape a draft before approving it: take an item
out, send the draft back with a note, or have the test sent again."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from functions.common.errors import Conflict, NotFound
from schemas.events.newsletter import NewsletterDraftReturned, NewsletterTestRequested

from . import rendering
from .domain import Issue, IssueContent, IssueStatus, Item, ItemStatus
from .files import IssueFiles
from .repository import EditingRepository, NotInState

if TYPE_CHECKING:
    from schemas.api.newsletter import NewItem


class DraftChanged(Conflict):
    def __init__(self) -> None:
        super().__init__("This draft has just been approved or sent back by another editor: nothing was changed.")


class Editing:
    def __init__(self, repository: EditingRepository | None = None, files: IssueFiles | None = None) -> None:
        self.repo = repository or EditingRepository()
        self.files = files or IssueFiles()

    # -- items waiting for the next issue ------------------------------------------------------
    def waiting_item(self, item_id: str) -> Item:
        item = self.repo.item(item_id) if item_id.startswith("nli") and len(item_id) < 64 else None
        if item is None or item.status != ItemStatus.PENDING:
            raise NotFound("That item is not waiting for the next issue: it may have been issued or removed.")
        return item

    def change_item(self, item_id: str, new: NewItem) -> Item:
        item = self.waiting_item(item_id)
        changed = replace(
            item, section=new.section, title=new.title, body=new.body, link=str(new.link) if new.link else None
        )
        try:
            self.repo.change_item(changed)
        except NotInState:
            raise NotFound("That item has just been put in a draft or removed: nothing was changed.") from None
        return changed

    def remove_item(self, item_id: str) -> Item:
        item = self.waiting_item(item_id)
        try:
            self.repo.remove_item(item_id)
        except NotInState:
            raise NotFound("That item has just been put in a draft or removed.") from None
        return item

    # -- drafts ------------------------------------------------------------------------------
    def drafts(self) -> list[Issue]:
        return self.repo.issues(IssueStatus.DRAFT)

    def draft_now(self) -> dict[str, Any]:
        """Exactly what the monthly schedule does."""
        from .assemble import assemble_issue

        return assemble_issue(self.repo, self.files)

    def draft(self, issue_id: str) -> tuple[Issue, IssueContent]:
        issue = self.repo.issue(issue_id) if issue_id.startswith("nl_") and len(issue_id) < 64 else None
        content = self.files.content(issue_id) if issue else None
        if issue is None or content is None:
            raise NotFound("There is no such draft: it may have been sent back.")
        return issue, content

    def take_out(self, issue_id: str, item_id: str) -> Item:
        """Take one item out of a draft: it waits for the next issue again."""
        issue, content = self.draft(issue_id)
        if issue.status != IssueStatus.DRAFT:
            raise DraftChanged()
        item = next((i for i in content.items if i.item_id == item_id), None)
        if item is None:
            raise NotFound("That item is not in this draft.")
        if issue.item_count <= 1:
            raise Conflict("This is the draft's only item: send the draft back instead.")
        sections = tuple(replace(s, items=tuple(i for i in s.items if i.item_id != item_id)) for s in content.sections)
        smaller = replace(content, sections=tuple(s for s in sections if s.items))
        self._store(smaller)
        try:
            self.repo.take_out_of_draft(issue, item, [s.section for s in smaller.sections])
        except NotInState:
            self._store(content)  # approved meanwhile: its content stays as it was approved
            raise DraftChanged() from None
        return item

    def send_back(self, issue_id: str, note: str, by: str) -> Issue:
        issue, content = self.draft(issue_id)
        if issue.status != IssueStatus.DRAFT:
            raise DraftChanged()
        event = NewsletterDraftReturned(issue_id=issue_id, title=issue.title, note=note, returned_by=by)
        try:
            self.repo.return_draft(issue, content.items, event)
        except NotInState:
            raise DraftChanged() from None
        self.files.delete(issue_id)
        return issue

    def resend_test(self, issue_id: str, by: str) -> Issue:
        issue, _ = self.draft(issue_id)
        if issue.status != IssueStatus.DRAFT:
            raise DraftChanged()
        try:
            event = NewsletterTestRequested(issue_id=issue_id, title=issue.title, requested_by=by)
            self.repo.announce_test(issue, event)
        except NotInState:
            raise DraftChanged() from None
        return issue

    def _store(self, content: IssueContent) -> None:
        html, text = rendering.issue_email(content, unsubscribe_url=None, preferences_url=None)
        self.files.put(content, html, text)


__all__ = ["DraftChanged", "Editing"]
