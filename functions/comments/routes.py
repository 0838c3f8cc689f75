"""Comments API and pages.

API under ``/api/comments``; pages under ``/comments``: the form's POST (from the thread on a
proceedings, "taken forward" or newsletter issue page), a comment's own page, reporting, the
team's moderation page, the emailed moderation link (GET shows, POST decides once) and the
comments policy.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from functions.common.errors import Conflict, DomainError
from functions.common.forms import validate
from functions.common.http import App, User
from functions.common.web import parse_form
from schemas.api.comments import (
    TARGET_PATTERN,
    CommentPosted,
    CommentView,
    Decision,
    HideComment,
    ModerationView,
    NewComment,
    NewReport,
    ReportAccepted,
    ThreadView,
)

from .domain import AlreadyDecided, Comment, Status, Target
from .policy import policy_paragraphs
from .service import CommentService

TAG = ["Comments"]
CommentId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
TargetQuery = Annotated[str, Query(max_length=140, pattern=TARGET_PATTERN)]
LABELS = {"text": "Your comment", "reason": "Reason", "target": "Page"}
MESSAGES = {
    "text": {"missing": "Write your comment", "too_long": "Keep your comment to 2,000 characters or fewer"},
    "reason": {"missing": "Say why the team hides it", "too_long": "Keep the reason to 500 characters or fewer"},
}
POSTED = {
    Status.PUBLISHED: "Your comment is shown.",
    Status.HELD: "Thank you. Your first comment will be shown once the community team has approved it; "
    "we will email you when they have.",
}


def comment_view(c: Comment, user: User | None) -> CommentView:
    return CommentView(
        comment_id=c.comment_id,
        target=c.target,
        target_title=c.target_title,
        target_url=c.target_url,
        author=c.author_name,
        text=c.text,
        status=c.status.value,  # type: ignore[arg-type]
        created_at=c.created_at,
        reports=c.reports if user and user.is_staff else 0,
    )


def register(app: App) -> None:
    service = CommentService()

    # -- API ------------------------------------------------------------------------------------
    @app.get("/api/comments", tags=TAG, summary="The comments shown on a page")
    def api_thread(target: TargetQuery) -> ThreadView:
        user = app.user(acting=False)
        return ThreadView(target=target, comments=[comment_view(c, user) for c in service.thread(target, user)])

    @app.post("/api/comments", tags=TAG, status_code=201, summary="Comment (a member's first waits for the team)")
    def api_post(body: Annotated[NewComment, Body()]) -> CommentPosted:
        comment = service.post(body.target, body.text, app.require_user())
        return CommentPosted(comment_id=comment.comment_id, status=comment.status.value, message=POSTED[comment.status])  # type: ignore[arg-type]

    @app.get("/api/comments/moderation", tags=TAG, summary="Held and reported comments (staff)")
    def api_moderation() -> ModerationView:
        user = app.require_staff()
        found = service.moderation(user)
        return ModerationView(
            held=[comment_view(c, user) for c in found.held], reported=[comment_view(c, user) for c in found.reported]
        )

    @app.get("/api/comments/<comment_id>", tags=TAG, summary="One comment (held ones: its author and the team)")
    def api_get(comment_id: CommentId) -> CommentView:
        user = app.user(acting=False)
        return comment_view(service.get(comment_id, user), user)

    @app.post("/api/comments/<comment_id>/reports", tags=TAG, status_code=201, summary="Report a comment to the team")
    def api_report(comment_id: CommentId, body: Annotated[NewReport, Body()]) -> ReportAccepted:
        if not service.report(comment_id, body.reason, app.require_user()):
            raise Conflict("You have reported this comment already: the team will look at it.")
        return ReportAccepted(comment_id=comment_id, message="Thank you: the team will look at it.")

    @app.post("/api/comments/<comment_id>/decision", tags=TAG, summary="Approve or reject a held comment (staff)")
    def api_decide(comment_id: CommentId, body: Annotated[Decision, Body()]) -> CommentView:
        user = app.require_staff()
        return comment_view(service.decide_as_staff(comment_id, user, approve=body.decision == "approve"), user)

    @app.post("/api/comments/<comment_id>/hiding", tags=TAG, summary="Hide a shown comment (staff)")
    def api_hide(comment_id: CommentId, body: Annotated[HideComment, Body()]) -> CommentView:
        user = app.require_staff()
        return comment_view(service.hide(comment_id, body.reason, user), user)

    @app.post("/api/comments/<comment_id>/keeping", tags=TAG, summary="Keep a reported comment shown (staff)")
    def api_keep(comment_id: CommentId) -> CommentView:
        user = app.require_staff()
        return comment_view(service.keep(comment_id, user), user)

    # -- pages ----------------------------------------------------------------------------------
    @app.get("/comments/policy", include_in_schema=False)
    def policy_page() -> Response[str]:
        return app.page("comments/policy.html", paragraphs=policy_paragraphs())

    @app.post("/comments", include_in_schema=False)
    def post_submit() -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        body, errors = validate(NewComment, {"target": form.get("target", ""), "text": form.get("text", "")}, MESSAGES)
        if body is None:
            if "target" in errors:
                raise DomainError("This form does not say which page the comment is on. Go back and try again.")
            target = Target.parse(form["target"])
            from .service import target_title

            title = target_title(target, user, service.store)
            return app.page(
                "comments/form.html",
                status=422,
                target=target,
                title=title,
                text=form.get("text", ""),
                errors=errors,
                labels=LABELS,
            )
        comment = service.post(body.target, body.text, user)
        if comment.status == Status.PUBLISHED:
            return app.redirect(f"{comment.target_url}#comment-{comment.comment_id}")
        return app.redirect(f"/comments/{comment.comment_id}")

    @app.get("/comments/staff", include_in_schema=False)
    def staff_page() -> Response[str]:
        return moderation_page()

    def moderation_page(status: int = 200, **extra: Any) -> Response[str]:
        user = app.user(acting=False)
        if user is None:
            return app.redirect("/auth/sign-in?next=/comments/staff")
        found = service.moderation(user)
        done = app.current_event.get_query_string_value("done", "") or ""
        return app.page(
            "comments/staff.html",
            status=status,
            held=found.held,
            reported=found.reported,
            done=done,
            errors=extra.pop("errors", {}),
            form=extra.pop("form", {}),
            about=extra.pop("about", ""),
            labels=LABELS,
        )

    @app.post("/comments/<comment_id>/decision", include_in_schema=False)
    def decide_submit(comment_id: CommentId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        try:
            decided = service.decide_as_staff(comment_id, user, approve=form.get("decision") == "approve")
        except AlreadyDecided as already:
            decided = already.comment
        return app.redirect(f"/comments/staff?done={decided.status.value}")

    @app.post("/comments/<comment_id>/hide", include_in_schema=False)
    def hide_submit(comment_id: CommentId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        body, errors = validate(HideComment, {"reason": form.get("reason", "")}, MESSAGES)
        if body is None:
            return moderation_page(422, errors=errors, form=form, about=comment_id)
        service.hide(comment_id, body.reason, user)
        return app.redirect("/comments/staff?done=hidden")

    @app.post("/comments/<comment_id>/keep", include_in_schema=False)
    def keep_submit(comment_id: CommentId) -> Response[str]:
        user = app.require_staff(form=parse_form(app.body_text))
        service.keep(comment_id, user)
        return app.redirect("/comments/staff?done=kept")

    # The emailed link: GET (and a mail scanner's HEAD) shows the comment; the POST decides once.
    @app.get("/comments/moderate", include_in_schema=False)
    def moderate_page() -> Response[str]:
        token = app.current_event.get_query_string_value("token", "") or ""
        comment, claims = service.for_link(token)
        return app.page("comments/moderate.html", comment=comment, token=token, moderator=claims.subject, user=None)

    @app.post("/comments/moderate", include_in_schema=False)
    def moderate_submit() -> Response[str]:
        form = parse_form(app.body_text)
        token = form.get("token", "")
        if form.get("decision") not in ("approve", "reject"):
            comment, claims = service.for_link(token)
            return app.page(
                "comments/moderate.html",
                status=422,
                comment=comment,
                token=token,
                moderator=claims.subject,
                user=None,
                error="Choose Approve or Reject.",
            )
        try:
            decided = service.decide_by_link(token, approve=form["decision"] == "approve")
        except AlreadyDecided as already:
            decided = already.comment  # decided before (by another team member): show the outcome
        return app.page("comments/moderate.html", comment=decided, token="", moderator="", user=None, just=True)

    @app.get("/comments/<comment_id>", include_in_schema=False)
    def comment_page(comment_id: CommentId) -> Response[str]:
        user = app.user(acting=False)
        return app.page("comments/comment.html", comment=service.get(comment_id, user), messages=POSTED)

    def report_page(comment_id: str, user: User, status: int = 200, **extra: Any) -> Response[str]:
        comment = service.get(comment_id, user)
        return app.page(
            "comments/report.html",
            status=status,
            comment=comment,
            done=extra.pop("done", False),
            errors=extra.pop("errors", {}),
            reason=extra.pop("reason", ""),
            labels=LABELS,
        )

    @app.get("/comments/<comment_id>/report", include_in_schema=False)
    def report_get(comment_id: CommentId) -> Response[str]:
        user = app.user(acting=False)
        if user is None:
            return app.redirect(f"/auth/sign-in?next=/comments/{comment_id}/report")
        done = app.current_event.get_query_string_value("done", "") == "1"
        return report_page(comment_id, user, done=done)

    @app.post("/comments/<comment_id>/report", include_in_schema=False)
    def report_submit(comment_id: CommentId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        body, errors = validate(NewReport, {"reason": form.get("reason", "")}, MESSAGES)
        if body is None:
            return report_page(comment_id, user, 422, errors=errors, reason=form.get("reason", ""))
        service.report(comment_id, body.reason, user)  # reported before: the same thanks
        return app.redirect(f"/comments/{comment_id}/report?done=1")
