"""Newsletter API and pages: subscribing, the links in emails, the archive, editors' review."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from functions.common import tokens
from functions.common.errors import DomainError
from functions.common.forms import validate
from functions.common.http import App, retry_headers
from functions.common.web import parse_form_lists
from schemas.api.newsletter import (
    SECTIONS,
    IssueList,
    IssueSectionView,
    IssueSummary,
    IssueView,
    ItemList,
    ItemView,
    NewItem,
    Preferences,
    Subscribe,
    SubscriptionAccepted,
)

from . import rendering
from .domain import HEADINGS, AlreadyApproved, Issue, IssueContent, Item
from .service import NewsletterService, preferences_url, unsubscribe_url

IssueId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
SECTION_CHOICES = [(s, HEADINGS[s]) for s in SECTIONS]


def item_view(item: Item) -> ItemView:
    return ItemView(
        item_id=item.item_id,
        section=item.section,
        title=item.title,
        body=item.body,
        link=item.link,
        source=item.source,  # type: ignore[arg-type]
        created_at=item.created_at,
        status=item.status.value,  # type: ignore[arg-type]
        issue_id=item.issue_id,
    )


def summary(issue: Issue) -> IssueSummary:
    return IssueSummary(
        issue_id=issue.issue_id,
        title=issue.title,
        status=issue.status.value,  # type: ignore[arg-type]
        created_at=issue.created_at,
        approved_at=issue.approved_at,
        item_count=issue.item_count,
        url=rendering.archive_url(issue.issue_id),
    )


def issue_view(issue: Issue, content: IssueContent) -> IssueView:
    return IssueView(
        **summary(issue).model_dump(),
        approved_by=issue.approved_by,
        sections=[
            IssueSectionView(section=s.section, heading=s.heading, items=[item_view(i) for i in s.items])  # type: ignore[arg-type]
            for s in content.sections
        ],
    )


def _form(body: str) -> dict[str, list[str]]:
    """Form fields, each a list; a body that is not a urlencoded form (the multipart body some
    mail providers send with a one-click unsubscribe) yields no fields rather than an error."""
    try:
        return parse_form_lists(body)
    except ValueError:
        return {}


def _first(form: dict[str, list[str]], name: str) -> str:
    return form.get(name, [""])[-1]


def register(app: App) -> None:
    service = NewsletterService()

    def token_from(form: dict[str, list[str]] | None = None) -> str:
        # The List-Unsubscribe URL carries the token in its query; our own forms post it.
        return app.current_event.get_query_string_value("token", "") or _first(form or {}, "token")

    # -- API ------------------------------------------------------------------------------
    @app.post(
        "/api/newsletter/subscriptions",
        tags=["Newsletter"],
        status_code=202,
        summary="Subscribe (a confirmation link is emailed: double opt-in)",
    )
    def api_subscribe(body: Annotated[Subscribe, Body()]) -> SubscriptionAccepted:
        return SubscriptionAccepted(message=service.subscribe(body, client=app.client_address))

    @app.post(
        "/api/newsletter/items", tags=["Newsletter"], status_code=201, summary="Add an item to the next issue (staff)"
    )
    def api_add_item(body: Annotated[NewItem, Body()]) -> ItemView:
        return item_view(service.add_item(body, app.require_staff()))

    @app.get("/api/newsletter/items", tags=["Newsletter"], summary="Items waiting for the next issue (staff)")
    def api_pending_items() -> ItemList:
        app.require_staff()
        return ItemList(items=[item_view(i) for i in service.pending_items()])

    @app.get("/api/newsletter/issues", tags=["Newsletter"], summary="Sent issues, newest first")
    def api_archive() -> IssueList:
        return IssueList(issues=[summary(i) for i in service.archive()])

    @app.get("/api/newsletter/issues/<issue_id>", tags=["Newsletter"], summary="One issue (drafts: staff only)")
    def api_issue(issue_id: IssueId) -> IssueView:
        user = app.user()
        return issue_view(*service.issue(issue_id, staff=bool(user and user.is_staff)))

    @app.post(
        "/api/newsletter/issues/<issue_id>/approval",
        tags=["Newsletter"],
        summary="Approve a draft and send it to subscribers (staff)",
    )
    def api_approve(issue_id: IssueId) -> IssueView:
        user = app.require_staff()
        service.approve_as_staff(issue_id, user)
        return issue_view(*service.issue(issue_id, staff=True))

    # -- pages ----------------------------------------------------------------------------
    def landing(
        status: int = 200, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None
    ) -> Response[str]:
        try:
            user = app.user() if app.current_event.http_method == "GET" else None
        except DomainError:
            user = None  # a stale bearer token: the page is public, just don't prefill
        return app.page(
            "newsletter/landing.html",
            status=status,
            form=form or {"email": user.email if user else "", "name": "", "topics": []},
            errors=errors or {},
            sections=SECTION_CHOICES,
            issues=service.archive(),
        )

    @app.get("/newsletter", include_in_schema=False)  # the resolver serves "/newsletter/" here too
    def landing_page() -> Response[str]:
        return landing()

    @app.post("/newsletter", include_in_schema=False)
    def subscribe_submit() -> Response[str]:
        fields = _form(app.body_text)
        form = {"email": _first(fields, "email"), "name": _first(fields, "name"), "topics": fields.get("topics", [])}
        request, errors = validate(Subscribe, form)
        if request is None:
            return landing(422, form, errors)
        try:
            message = service.subscribe(request, client=app.client_address)
        except DomainError as error:
            refused = landing(error.status, form, {error.field or "email": error.message})
            refused.headers.update(retry_headers(error))  # a rate limit says when to come back
            return refused
        return app.page("newsletter/check_email.html", message=message, user=None)

    @app.get("/newsletter/confirm", include_in_schema=False)
    def confirm_page() -> Response[str]:
        # Mail scanners open links: showing the button changes nothing.
        token = token_from()
        subscriber = service.confirmation(token)
        return app.page("newsletter/confirm.html", state="ask", subscriber=subscriber, token=token, user=None)

    @app.post("/newsletter/confirm", include_in_schema=False)
    def confirm_submit() -> Response[str]:
        outcome = service.confirm(token_from(_form(app.body_text)))
        return app.page(
            "newsletter/confirm.html",
            state="confirmed" if outcome.changed else "already",
            subscriber=outcome.subscriber,
            preferences_url=preferences_url(outcome.subscriber.subscriber_id),
            user=None,
        )

    @app.get("/newsletter/unsubscribe", include_in_schema=False)
    def unsubscribe_page() -> Response[str]:
        token = token_from()
        subscriber = service.unsubscription(token)
        return app.page(
            "newsletter/unsubscribe.html",
            state="ask",
            subscriber=subscriber,
            token=token,
            preferences_url=preferences_url(subscriber.subscriber_id),
            user=None,
        )

    @app.post("/newsletter/unsubscribe", include_in_schema=False)
    def unsubscribe_submit() -> Response[str]:
        # RFC 8058 one-click: the mail provider POSTs "List-Unsubscribe=One-Click" to the URL
        # from the header, without cookies, and does not follow redirects. So: the token in the
        # URL is the only authority, and the answer is a 200 page, never a redirect.
        outcome = service.unsubscribe(token_from(_form(app.body_text)))
        return app.page(
            "newsletter/unsubscribe.html",
            state="done" if outcome.changed else "already",
            subscriber=outcome.subscriber,
            user=None,
        )

    def preferences_page_for(token: str, status: int = 200, **context: Any) -> Response[str]:
        subscriber = service.preferences(token)
        context.setdefault("form", {"name": subscriber.name, "topics": list(subscriber.topics)})
        return app.page(
            "newsletter/preferences.html",
            status=status,
            subscriber=subscriber,
            token=token,
            sections=SECTION_CHOICES,
            unsubscribe_url=unsubscribe_url(subscriber.subscriber_id),
            errors=context.pop("errors", {}),
            saved=context.pop("saved", False),
            user=None,
            **context,
        )

    @app.get("/newsletter/preferences", include_in_schema=False)
    def preferences_page() -> Response[str]:
        return preferences_page_for(token_from())

    @app.post("/newsletter/preferences", include_in_schema=False)
    def preferences_submit() -> Response[str]:
        fields = _form(app.body_text)
        token = token_from(fields)
        form = {"name": _first(fields, "name"), "topics": fields.get("topics", [])}
        preferences, errors = validate(Preferences, form)
        if preferences is None:
            return preferences_page_for(token, 422, form=form, errors=errors)
        service.save_preferences(token, preferences)
        return preferences_page_for(token, saved=True)

    @app.get("/newsletter/issues/<issue_id>", include_in_schema=False)
    def issue_page(issue_id: IssueId) -> Response[str]:
        issue, content = service.issue(issue_id)
        from functions.comments.thread import thread_for  # members' comments (issue 11 §4)

        comments = thread_for(f"newsletter:{issue_id}", app.user(acting=False))
        return app.page("newsletter/issue.html", issue=issue, sections=rendering.sections(content), comments=comments)

    from .editing_routes import register_editing

    register_editing(app)

    @app.get("/newsletter/issues/<issue_id>/review", include_in_schema=False)
    def review_page(issue_id: IssueId) -> Response[str]:
        token = token_from()
        claims = service.review_claims(issue_id, token)
        issue, content = service.issue(issue_id, staff=True)
        return app.page(
            "newsletter/review.html",
            issue=issue,
            sections=rendering.sections(content),
            token=token,
            reviewer=claims.subject,
            just_approved=False,
            user=None,
        )

    @app.post("/newsletter/issues/<issue_id>/review", include_in_schema=False)
    def review_submit(issue_id: IssueId) -> Response[str]:
        token = token_from(_form(app.body_text))
        claims = service.review_claims(issue_id, token)
        just_approved = True
        try:
            service.approve_by_link(issue_id, token)
        except AlreadyApproved:
            just_approved = False
        except tokens.TokenRejected as rejected:
            if rejected.code != "used":
                raise
            just_approved = False
        issue, content = service.issue(issue_id, staff=True)
        return app.page(
            "newsletter/review.html",
            issue=issue,
            sections=rendering.sections(content),
            token="",
            reviewer=claims.subject,
            just_approved=just_approved,
            user=None,
        )
