"""Follow-ups API and pages (issue 11 §2).

- The emailed link ``/followups/answer?token=...``: GET shows the form and changes nothing; the
  POST saves the answer and spends the link. Afterwards the member changes it from their own
  page (``/followups/mine``), signed in, until the team uses it.
- The team's page of an event's follow-ups ``/followups/events/<event id>``: the days, the
  answers members agreed to publish, and "Publish as a takeaway".
- API under ``/api/followups``.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from functions.common import tokens
from functions.common.errors import Conflict, DomainError
from functions.common.forms import Messages, lines, validate
from functions.common.http import App, User
from functions.common.web import parse_form
from schemas.api.followups import (
    CONSENT_LABELS,
    AnswerBody,
    AnswerView,
    FollowupDays,
    FollowupDayView,
    FollowupsView,
    StaffAnswerView,
    TakeawayView,
)

from .domain import Answer, Plan, Takeaway
from .service import FollowupService, Invitation

TAG = ["Follow-ups after an event"]
EventId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Day = Annotated[int, Path(ge=0, le=730)]
AnswerId = Annotated[str, Path(max_length=80, pattern=r"^[0-9]{1,3}-[A-Za-z0-9_-]{1,64}$")]
LABELS = {
    "text": "What you took away",
    "consent": "May we publish it?",
    "conversation_id": "The conversation it came from",
    "days": "Days after the event",
}
MESSAGES: Messages = {
    "text": {
        "missing": "Tell us what you took away",
        "too_long": "Keep it under 3,000 characters",
        "*": "Check what you wrote",
    },
    "consent": "Choose whether we may publish it",
    "days": "Give one to four different numbers of days, each from 1 to 730, separated by commas",
}


def answer_view(a: Answer) -> AnswerView:
    return AnswerView(
        answer_id=a.answer_id,
        gathering_id=a.event_id,
        event_title=a.event_title,
        day=a.day,
        text=a.text,
        consent=a.consent,  # type: ignore[arg-type]
        conversation_id=a.conversation_id,
        conversation_title=a.conversation_title,
        answered_at=a.answered_at,
        updated_at=a.updated_at,
        used_at=a.used_at,
        editable=a.editable,
    )


def staff_answer_view(a: Answer) -> StaffAnswerView:
    return StaffAnswerView(
        answer_id=a.answer_id,
        day=a.day,
        text=a.text,
        consent=a.consent,  # type: ignore[arg-type]
        name=a.shown_name,
        conversation_title=a.conversation_title,
        answered_at=a.answered_at,
        used_at=a.used_at,
    )


def takeaway_view(t: Takeaway) -> TakeawayView:
    return TakeawayView(
        takeaway_id=t.takeaway_id,
        day=t.day,
        text=t.text,
        name=t.name,
        conversation_id=t.conversation_id,
        conversation_title=t.conversation_title,
        published_at=t.published_at,
    )


def _form_body(form: dict[str, str]) -> dict[str, Any]:
    return {
        "text": form.get("text", ""),
        "consent": form.get("consent") or None,
        "conversation_id": form.get("conversation_id") or None,
    }


def _form_of(answer: Answer | None) -> dict[str, str]:
    if answer is None:
        return {}
    return {"text": answer.text, "consent": answer.consent, "conversation_id": answer.conversation_id or ""}


def register(app: App) -> None:
    service = FollowupService()

    def followups_view(event_id: str, user: User) -> FollowupsView:
        plan = service.plan(event_id, user)
        answers, private = service.answers(event_id, user)
        return FollowupsView(
            gathering_id=event_id,
            title=plan.title,
            ends_at=plan.ends_at,
            days=[FollowupDayView(day=d.day, due_at=d.due_at, started_at=d.started_at) for d in plan.days],
            answers=[staff_answer_view(a) for a in answers],
            private_answers=private,
            takeaways=[takeaway_view(t) for t in service.takeaways(event_id)],
        )

    # -- API ------------------------------------------------------------------------------------
    @app.get("/api/followups/events/<event_id>", tags=TAG, summary="An event's follow-ups and answers (staff)")
    def get_followups(event_id: EventId) -> FollowupsView:
        return followups_view(event_id, app.require_staff())

    @app.put("/api/followups/events/<event_id>/days", tags=TAG, summary="When attendees are asked (staff)")
    def put_days(event_id: EventId, body: Annotated[FollowupDays, Body()]) -> FollowupsView:
        user = app.require_staff()
        service.set_days(event_id, body.days, user)
        return followups_view(event_id, user)

    @app.post(
        "/api/followups/events/<event_id>/answers/<answer_id>/publication",
        tags=TAG,
        status_code=201,
        summary="Publish an answer as a takeaway of the event (staff; the answer is then locked)",
    )
    def publish(event_id: EventId, answer_id: AnswerId) -> TakeawayView:
        return takeaway_view(service.publish(event_id, answer_id, app.require_staff()))

    @app.get("/api/followups/events/<event_id>/takeaways", tags=TAG, summary="An event's published takeaways")
    def takeaways(event_id: EventId) -> list[TakeawayView]:
        return [takeaway_view(t) for t in service.takeaways(event_id)]

    @app.get("/api/followups/mine", tags=TAG, summary="Your follow-up answers")
    def mine() -> list[AnswerView]:
        return [answer_view(a) for a in service.my_answers(app.require_user())]

    @app.put(
        "/api/followups/events/<event_id>/days/<day>/answer",
        tags=TAG,
        summary="Answer a follow-up you were sent, or change your answer until the team uses it",
    )
    def put_answer(event_id: EventId, day: Day, body: Annotated[AnswerBody, Body()]) -> AnswerView:
        return answer_view(service.answer_as_member(event_id, day, body, app.require_user()))

    # -- the emailed link -----------------------------------------------------------------------
    def answer_page(invitation: Invitation, *, token: str, status: int = 200, **extra: Any) -> Response[str]:
        return app.page(
            "followups/answer.html",
            status=status,
            invitation=invitation,
            token=token,
            action="/followups/answer",
            form=extra.pop("form", _form_of(invitation.answer)),
            errors=extra.pop("errors", {}),
            labels=LABELS,
            consents=CONSENT_LABELS,
            done=extra.pop("done", False),
            user=None,
        )

    @app.get("/followups/answer", include_in_schema=False)
    def link_page() -> Response[str]:
        token = app.current_event.get_query_string_value("token", "") or ""
        claims, invitation = service.claims(token)
        if service.store.token_used(claims.jti):
            # Answered already: the outcome, and where to change it (a spent link acts no more).
            return answer_page(invitation, token="", done=True)
        return answer_page(invitation, token=token)

    @app.post("/followups/answer", include_in_schema=False)
    def link_submit() -> Response[str]:
        form = parse_form(app.body_text)
        token = form.get("token", "")
        _, invitation = service.claims(token)
        body, errors = validate(AnswerBody, _form_body(form), MESSAGES)
        if body is None:
            return answer_page(invitation, token=token, status=422, form=form, errors=errors)
        try:
            service.answer_by_link(token, body)
        except tokens.TokenRejected as rejected:
            if rejected.code != "used":
                raise
        except DomainError as error:
            if error.status >= 500 or error.field is None:
                raise
            return answer_page(invitation, token=token, status=422, form=form, errors={error.field: error.message})
        return answer_page(service.claims(token)[1], token="", done=True)

    # -- the member's own page ----------------------------------------------------------------------
    @app.get("/followups/mine", include_in_schema=False)
    def mine_page() -> Response[str]:
        user = app.user(acting=False)
        if user is None:
            return app.redirect("/auth/sign-in?next=/followups/mine")
        return app.page(
            "followups/mine.html",
            answers=service.my_answers(user),
            waiting=service.my_invitations(user),
            consents=CONSENT_LABELS,
        )

    def own_page(event_id: str, day: int, user: User, *, status: int = 200, **extra: Any) -> Response[str]:
        invitation = service.invitation(event_id, day, user)
        return app.page(
            "followups/answer.html",
            status=status,
            invitation=invitation,
            token="",
            action=f"/followups/events/{event_id}/days/{day}/answer",
            form=extra.pop("form", _form_of(invitation.answer)),
            errors=extra.pop("errors", {}),
            labels=LABELS,
            consents=CONSENT_LABELS,
            done=extra.pop("done", False),
        )

    @app.get("/followups/events/<event_id>/days/<day>/answer", include_in_schema=False)
    def own_get(event_id: EventId, day: Day) -> Response[str]:
        user = app.user(acting=False)
        if user is None:
            return app.redirect(f"/auth/sign-in?next=/followups/events/{event_id}/days/{day}/answer")
        saved = (app.current_event.get_query_string_value("done", "") or "") == "saved"
        return own_page(event_id, day, user, done=saved)

    @app.post("/followups/events/<event_id>/days/<day>/answer", include_in_schema=False)
    def own_post(event_id: EventId, day: Day) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        body, errors = validate(AnswerBody, _form_body(form), MESSAGES)
        if body is None:
            return own_page(event_id, day, user, status=422, form=form, errors=errors)
        try:
            service.answer_as_member(event_id, day, body, user)
        except DomainError as error:
            if error.field is None:
                raise
            return own_page(event_id, day, user, status=422, form=form, errors={error.field: error.message})
        return app.redirect(f"/followups/events/{event_id}/days/{day}/answer?done=saved")

    # -- the team's page ------------------------------------------------------------------------------
    def staff_page(event_id: str, user: User, *, status: int = 200, **extra: Any) -> Response[str]:
        plan: Plan = service.plan(event_id, user)
        answers, private = service.answers(event_id, user)
        return app.page(
            "followups/staff.html",
            status=status,
            plan=plan,
            answers=answers,
            private=private,
            takeaways=service.takeaways(event_id),
            form=extra.pop("form", {"days": ", ".join(str(d.day) for d in plan.days)}),
            errors=extra.pop("errors", {}),
            labels=LABELS,
            consents=CONSENT_LABELS,
            done=app.current_event.get_query_string_value("done", "") or "",
        )

    @app.get("/followups/events/<event_id>", include_in_schema=False)
    def staff_get(event_id: EventId) -> Response[str]:
        user = app.user(acting=False)
        if user is None:
            return app.redirect(f"/auth/sign-in?next=/followups/events/{event_id}")
        return staff_page(event_id, user)

    @app.post("/followups/events/<event_id>/days", include_in_schema=False)
    def staff_days(event_id: EventId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        raw = lines(form.get("days", ""))
        numbers = [int(d) if d.isdigit() and len(d) < 5 else -1 for d in raw]
        body, errors = validate(FollowupDays, {"days": numbers}, MESSAGES)
        if body is None:
            return staff_page(event_id, user, status=422, form=form, errors=errors)
        try:
            service.set_days(event_id, body.days, user)
        except DomainError as error:
            if error.field is None:
                raise
            return staff_page(event_id, user, status=error.status, form=form, errors={error.field: error.message})
        return app.redirect(f"/followups/events/{event_id}?done=days")

    @app.post("/followups/events/<event_id>/answers/<answer_id>/publish", include_in_schema=False)
    def staff_publish(event_id: EventId, answer_id: AnswerId) -> Response[str]:
        user = app.require_staff(form=parse_form(app.body_text))
        # Pressed twice (it is published, as asked) or changed meanwhile: the page shows which.
        with suppress(Conflict):
            service.publish(event_id, answer_id, user)
        return app.redirect(f"/followups/events/{event_id}?done=published#answer-{answer_id}")
