"""The community team's view of a place, for any kind of listing: the attendee list with needs,
answers and attendance; changing places or details (everyone signed up is told, with an updated
invitation); emailing everyone confirmed; marking attendance afterwards; cancelling.

No ``from __future__ import annotations``: the path parameter's type and the response model are
given per kind at registration, and Powertools reads the annotations as objects.
"""

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.common.dates import form_values, read_all
from functions.common.errors import DomainError, Forbidden
from functions.common.forms import validate
from functions.common.http import App, User
from functions.common.ids import utcnow
from functions.common.settings import settings
from functions.common.web import parse_form
from schemas.api.places import (
    AttendanceResult,
    CancelListing,
    ChangeDetails,
    ChangePlaces,
    MarkAttendance,
    MessageAttendees,
)

from .forms import DATES as DETAIL_DATES
from .pages import listing_id_type
from .service import PlacesService

#: Labels of the team page's fields, for its error summary.
LABELS = {
    "places": "Places",
    "title": "Title",
    "description": "Description",
    "location": "Location",
    "joining_link": "Joining link",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "signup_closes_at": "Sign-up closes",
    "subject": "Subject",
    "message": "Message",
    "attendance": "Attendance",
    "reason": "Reason",
    "confirm": "Confirm",
}


def staff_or_none(app: App) -> User | None:
    """The signed-in staff member; None when nobody is signed in (the page sends them to sign in)."""
    user = app.user()
    if user is not None and not user.is_staff:
        raise Forbidden("Only the community team can do this.")
    return user


def register_team(app: App, service: PlacesService[Any], *, view: Callable[[Any], Any], tag: str) -> None:
    """The team's API (details, messages, attendance) and pages (``<path>/<id>/staff``)."""
    kind = service.kind
    base = kind.path
    api = f"/api{base}"
    ListingId = listing_id_type(service)  # noqa: N806

    # -- API ------------------------------------------------------------------------------------
    @app.patch(
        f"{api}/<listing_id>/details",
        tags=[tag],
        summary=f"Change a {kind.noun}'s details (staff): everyone signed up is told, with an updated invitation",
    )
    def change_details(listing_id: ListingId, body: Annotated[ChangeDetails, Body()]) -> Response[str]:  # type: ignore[valid-type]
        listing, _ = service.change_details(listing_id, body.model_dump(exclude_none=True), app.require_staff())
        return Response(200, "application/json", view(listing).model_dump_json())

    @app.post(
        f"{api}/<listing_id>/messages",
        tags=[tag],
        status_code=202,
        summary="Email everyone with a confirmed place (staff)",
    )
    def message(listing_id: ListingId, body: Annotated[MessageAttendees, Body()]) -> Response[str]:  # type: ignore[valid-type]
        service.message_attendees(listing_id, body.subject, body.message, app.require_staff())
        return Response(202, "application/json", '{"status": "sending"}')

    @app.post(f"{api}/<listing_id>/attendance", tags=[tag], summary="Mark who came (staff, once it has started)")
    def attendance(listing_id: ListingId, body: Annotated[MarkAttendance, Body()]) -> AttendanceResult:  # type: ignore[valid-type]
        marks = {m.member_id: m.attended for m in body.marks}
        return AttendanceResult(marked=service.mark_attendance(listing_id, marks, app.require_staff()))

    # -- pages ----------------------------------------------------------------------------------
    def page(
        listing_id: str,
        *,
        user: User | None = None,
        errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response[str]:
        listing, rows = service.attendees(listing_id)
        return app.page(
            "places/staff.html",
            status=status,
            user=user or True,
            listing=listing,
            noun=kind.noun,
            rows=rows,
            errors=errors or {},
            labels=LABELS,
            form=form or {},
            details=details_form(listing),
            now=utcnow(),
            done=app.current_event.get_query_string_value("done", "") or "",
        )

    def acted(listing_id: str, done: str) -> Response[str]:
        return app.redirect(f"{base}/{listing_id}/staff?done={done}")

    def failed(listing_id: str, user: User, form: dict[str, str], errors: dict[str, str], status: int) -> Response[str]:
        return page(listing_id, user=user, errors=errors, form=form, status=status)

    @app.get(f"{base}/<listing_id>/staff", include_in_schema=False)
    def staff_page(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        if staff_or_none(app) is None:
            return app.redirect(f"/auth/sign-in?next={base}/{listing_id}/staff")
        return page(listing_id)

    @app.post(f"{base}/<listing_id>/staff/places", include_in_schema=False)
    def places_submit(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        change, errors = validate(ChangePlaces, {"places": form.get("places", "")})
        if change is None:
            return failed(listing_id, user, form, errors, 422)
        try:
            service.change_places(listing_id, change.places, user)
        except DomainError as error:
            return failed(listing_id, user, form, {"places": error.message}, error.status)
        return acted(listing_id, "places")

    @app.post(f"{base}/<listing_id>/staff/details", include_in_schema=False)
    def details_submit(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        dates, errors = read_all(form, DETAIL_DATES, settings().timezone)
        fields = {k: form.get(k, "") for k in ("title", "description", "location", "joining_link")}
        change, problems = validate(ChangeDetails, {**fields, **dates})
        errors = {**problems, **errors}
        if change is None or errors:
            return failed(listing_id, user, form, errors, 422)
        try:
            _, changed = service.change_details(listing_id, change.model_dump(exclude_none=True), user)
        except DomainError as error:
            return failed(listing_id, user, form, {error.field or "title": error.message}, error.status)
        return acted(listing_id, "details" if changed else "unchanged")

    @app.post(f"{base}/<listing_id>/staff/message", include_in_schema=False)
    def message_submit(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        body, errors = validate(MessageAttendees, {k: form.get(k, "") for k in ("subject", "message")})
        if body is None:
            return failed(listing_id, user, form, errors, 422)
        try:
            service.message_attendees(listing_id, body.subject, body.message, user)
        except DomainError as error:
            return failed(listing_id, user, form, {"message": error.message}, error.status)
        return acted(listing_id, "messaged")

    @app.post(f"{base}/<listing_id>/staff/attendance", include_in_schema=False)
    def attendance_submit(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        choice = {"yes": True, "no": False, "": None}
        marks = {k.removeprefix("attended-"): choice.get(v) for k, v in form.items() if k.startswith("attended-")}
        try:
            service.mark_attendance(listing_id, marks, user)
        except DomainError as error:
            return failed(listing_id, user, form, {"attendance": error.message}, error.status)
        return acted(listing_id, "attendance")

    @app.post(f"{base}/<listing_id>/staff/cancel", include_in_schema=False)
    def cancel_submit(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        cancel, errors = validate(CancelListing, {"reason": form.get("reason", "")})
        if cancel is None:
            return failed(listing_id, user, form, errors, 422)
        if form.get("confirm") != "yes":
            errors = {"confirm": "Tick the box to confirm that everyone signed up should be told."}
            return failed(listing_id, user, form, errors, 422)
        try:
            service.cancel(listing_id, cancel.reason, user)
        except DomainError as error:
            return failed(listing_id, user, form, {"reason": error.message}, error.status)
        return acted(listing_id, "cancelled")


def details_form(listing: Any) -> dict[str, str]:
    """The details form filled in with the listing as it is."""
    tz = settings().timezone
    values = {k: str(getattr(listing, k)) for k in ("title", "description", "location", "joining_link")}
    for name in DETAIL_DATES:
        values.update(form_values(name, getattr(listing, name), tz))
    return values


def register_publishing(
    app: App,
    service: Any,
    *,
    template: str,
    labels: dict[str, str],
    read_form: Callable[[dict[str, str]], tuple[Any, dict[str, str]]],
    context: Callable[[], dict[str, Any]] = dict,
) -> None:
    """The team's publishing form, ``<path>/new``: no format chosen beforehand; a published
    listing opens on its team page. ``service.publish(body, user)`` is the area's use case."""
    base = service.kind.path

    @app.get(f"{base}/new", include_in_schema=False)
    def publish_page() -> Response[str]:
        if staff_or_none(app) is None:
            return app.redirect(f"/auth/sign-in?next={base}/new")
        from functions.chain.pages import offered_origins

        defaults = {"waitlist_mode": "automatic", "offer_hours": "24"}
        origins, refs, errors = offered_origins(app, app.user(acting=False))
        page = {**context(), "origins": origins, "refs": refs}
        return app.page(template, form=defaults, errors=errors, labels=labels, **page)

    @app.post(f"{base}/new", include_in_schema=False)
    def publish_submit() -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        body, errors = read_form(form)
        if body is not None:
            try:
                listing = service.publish(body, user)
                return app.redirect(f"{listing.page_path}/staff?done=published")
            except DomainError as error:
                errors = {error.field or "title": error.message}
        return app.page(template, status=422, user=user, form=form, errors=errors, labels=labels, **context())
