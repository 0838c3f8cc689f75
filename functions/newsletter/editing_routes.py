"""The editors' pages: items waiting for the next issue (list, add, change, remove), "make a draft
now", and the draft review page (the issue first; take an item out, send the draft back with a
note, send the test again, and "Approve and send" at the end). Staff only; every change goes
through ``app.require_staff`` (CSRF, erasure and role checked at the moment of the POST)."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.common.errors import DomainError
from functions.common.forms import Messages, validate
from functions.common.http import App
from functions.common.web import parse_form
from schemas.api.newsletter import NewItem

from . import rendering
from .domain import HEADINGS, AlreadyApproved
from .editing import Editing
from .service import NewsletterService

IssueId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ItemId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]

#: GOV.UK-style messages for the item form, in its own words.
ITEM_MESSAGES: Messages = {
    "section": "Choose the section the item goes in",
    "title": {
        "missing": "Enter a title",
        "too_long": "Title must be 150 characters or fewer",
        "*": "Enter a title of at least 3 characters",
    },
    "body": {"missing": "Enter the text of the item", "*": "The text must be 5,000 characters or fewer"},
    "link": "Enter a link in the correct format, like https://example.org/workshop",
}
NOTE_LIMIT = 2000


def _item_data(form: dict[str, str]) -> dict[str, Any]:
    return {
        "section": form.get("section", ""),
        "title": form.get("title", ""),
        "body": form.get("body", ""),
        "link": form.get("link", "").strip() or None,
    }


def register_editing(app: App) -> None:
    editing = Editing()
    newsletter = NewsletterService()
    sections = list(HEADINGS.items())

    def items_page(status: int = 200, **context: Any) -> Response[str]:
        return app.page(
            "newsletter/items.html",
            status=status,
            items=newsletter.pending_items(),
            drafts=editing.drafts(),
            headings=HEADINGS,
            done=app.current_event.get_query_string_value("done", "") or "",
            **context,
        )

    def signed_in_staff() -> Response[str] | None:
        if app.user(acting=False) is None:
            return app.redirect(f"/auth/sign-in?next={app.current_event.path}")
        app.require_staff()
        return None

    @app.get("/newsletter/items", include_in_schema=False)
    def list_items() -> Response[str]:
        return signed_in_staff() or items_page()

    def item_form(
        item_id: str | None, form: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> Response[str]:
        return app.page(
            "newsletter/item_form.html", status=status, item_id=item_id, form=form, errors=errors, sections=sections
        )

    @app.get("/newsletter/items/new", include_in_schema=False)
    def new_item_page() -> Response[str]:
        return signed_in_staff() or item_form(None, {"section": "", "title": "", "body": "", "link": ""}, {})

    @app.post("/newsletter/items/new", include_in_schema=False)
    def new_item_submit() -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        data = {**_item_data(form), "origins": form.get("origins", "").split()}
        body, errors = validate(NewItem, data, ITEM_MESSAGES)
        if body is None:
            return item_form(None, form, errors, 422)
        try:
            newsletter.add_item(body, user)
        except DomainError as error:
            return item_form(None, form, {error.field or "title": error.message}, error.status)
        return app.redirect("/newsletter/items?done=added")

    @app.get("/newsletter/items/<item_id>/edit", include_in_schema=False)
    def edit_item_page(item_id: ItemId) -> Response[str]:
        if (redirect := signed_in_staff()) is not None:
            return redirect
        item = editing.waiting_item(item_id)
        form = {"section": item.section, "title": item.title, "body": item.body, "link": item.link or ""}
        return item_form(item_id, form, {})

    @app.post("/newsletter/items/<item_id>/edit", include_in_schema=False)
    def edit_item_submit(item_id: ItemId) -> Response[str]:
        form = parse_form(app.body_text)
        app.require_staff(form=form)
        body, errors = validate(NewItem, _item_data(form), ITEM_MESSAGES)
        if body is None:
            return item_form(item_id, form, errors, 422)
        editing.change_item(item_id, body)
        return app.redirect("/newsletter/items?done=changed")

    @app.get("/newsletter/items/<item_id>/remove", include_in_schema=False)
    def remove_item_page(item_id: ItemId) -> Response[str]:
        if (redirect := signed_in_staff()) is not None:
            return redirect
        return app.page("newsletter/item_remove.html", item=editing.waiting_item(item_id), headings=HEADINGS)

    @app.post("/newsletter/items/<item_id>/remove", include_in_schema=False)
    def remove_item_submit(item_id: ItemId) -> Response[str]:
        app.require_staff(form=parse_form(app.body_text))
        editing.remove_item(item_id)
        return app.redirect("/newsletter/items?done=removed")

    @app.post("/newsletter/drafts", include_in_schema=False)
    def draft_now() -> Response[str]:
        app.require_staff(form=parse_form(app.body_text))
        outcome = editing.draft_now()
        if outcome.get("issue_id"):
            return app.redirect(f"/newsletter/issues/{outcome['issue_id']}/draft")
        return app.redirect("/newsletter/items?done=nothing")

    # -- the draft review page ------------------------------------------------------------------
    def draft_page(issue_id: str, status: int = 200, **context: Any) -> Response[str]:
        issue, content = editing.draft(issue_id)
        return app.page(
            "newsletter/draft.html",
            status=status,
            issue=issue,
            sections=rendering.sections(content),
            errors=context.pop("errors", {}),
            note=context.pop("note", ""),
            done=app.current_event.get_query_string_value("done", "") or "",
            **context,
        )

    @app.get("/newsletter/issues/<issue_id>/draft", include_in_schema=False)
    def review_draft(issue_id: IssueId) -> Response[str]:
        return signed_in_staff() or draft_page(issue_id)

    @app.post("/newsletter/issues/<issue_id>/draft/items/<item_id>/remove", include_in_schema=False)
    def take_out(issue_id: IssueId, item_id: ItemId) -> Response[str]:
        app.require_staff(form=parse_form(app.body_text))
        editing.take_out(issue_id, item_id)
        return app.redirect(f"/newsletter/issues/{issue_id}/draft?done=removed")

    @app.post("/newsletter/issues/<issue_id>/draft/send-back", include_in_schema=False)
    def send_back(issue_id: IssueId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        note = form.get("note", "").strip()
        if not note:
            return draft_page(issue_id, 422, errors={"note": "Enter a note saying what needs to change"}, note=note)
        if len(note) > NOTE_LIMIT:
            errors = {"note": f"The note must be {NOTE_LIMIT:,} characters or fewer"}
            return draft_page(issue_id, 422, errors=errors, note=note)
        editing.send_back(issue_id, note, user.email)
        return app.redirect("/newsletter/items?done=sent-back")

    @app.post("/newsletter/issues/<issue_id>/draft/test", include_in_schema=False)
    def resend_test(issue_id: IssueId) -> Response[str]:
        user = app.require_staff(form=parse_form(app.body_text))
        editing.resend_test(issue_id, user.email)
        return app.redirect(f"/newsletter/issues/{issue_id}/draft?done=test")

    @app.post("/newsletter/issues/<issue_id>/draft/approve", include_in_schema=False)
    def approve(issue_id: IssueId) -> Response[str]:
        user = app.require_staff(form=parse_form(app.body_text))
        with contextlib.suppress(AlreadyApproved):  # the page then says who approved it, and when
            newsletter.approve_as_staff(issue_id, user)
        return app.redirect(f"/newsletter/issues/{issue_id}/draft?done=approved")


__all__ = ["register_editing"]
