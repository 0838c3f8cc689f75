"""The member's pages of a place, for any kind of listing: leaving (with a confirmation, as the
email link asks), accepting an offer, the email links' pages (a GET or HEAD shows, only the
page's POST acts), and "Add to calendar" for confirmed members.

No ``from __future__ import annotations`` here: the path parameter's type is built per kind at
registration, and Powertools reads the annotations as objects.
"""

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.common import tokens
from functions.common.errors import DomainError, NotFound
from functions.common.http import App
from functions.common.ids import utcnow
from functions.common.settings import settings
from functions.common.web import parse_form

from . import domain
from .domain import ListingStatus
from .service import PlacesService


def sign_up_from_form(
    app: App,
    body_type: Any,
    fields: dict[str, Any],
    *,
    sign_up: Callable[[Any], object],
    page: Callable[..., Response[str]],
    done: str,
) -> Response[str]:
    """A member's sign-up from a listing's page: the form checked against ``body_type``, then
    ``sign_up(body)``; the page again with the errors (per field), or a redirect to ``done``."""
    from functions.common.forms import validate

    body, errors = validate(body_type, fields)
    if body is None:
        return page(errors=errors, status=422)
    try:
        sign_up(body)
    except DomainError as error:
        return page(errors={error.field or "signup": error.message}, status=error.status)
    return app.redirect(done)


def listing_id_type(service: PlacesService[Any]) -> Any:
    """The path parameter of one kind's pages: ``visit_...``, ``event_...``."""
    return Annotated[str, Path(max_length=64, pattern=f"^{service.kind.id_prefix}_[A-Za-z0-9]+$")]


def register_member_pages(app: App, service: PlacesService[Any]) -> None:
    kind = service.kind
    base = kind.path
    ListingId = listing_id_type(service)  # noqa: N806

    @app.get(f"{base}/<listing_id>/leave", include_in_schema=False)
    def leave_page(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        listing = service.get(listing_id)
        user = app.user(acting=False)
        if user is None:
            return app.redirect(f"/auth/sign-in?next={base}/{listing_id}")
        signup = service.signup_of(listing_id, user.member_id)
        if signup is None or not signup.active:
            return app.redirect(f"{base}/{listing_id}")
        return app.page("places/leave.html", user=user, listing=listing, signup=signup, noun=kind.noun, now=utcnow())

    @app.post(f"{base}/<listing_id>/leave", include_in_schema=False)
    def leave_submit(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        service.give_up(listing_id, user.member_id)
        return app.redirect(f"{base}/{listing_id}?done=cancelled")

    @app.post(f"{base}/<listing_id>/accept", include_in_schema=False)
    def accept_submit(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        service.accept_offer(listing_id, user.member_id)
        return app.redirect(f"{base}/{listing_id}?done=accepted")

    @app.get(f"{base}/<listing_id>/calendar.ics", include_in_schema=False)
    def calendar_download(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        """The invitation a confirmed member was emailed, to add again (same UID and SEQUENCE)."""
        from . import calendar  # icalendar only when someone downloads one (cold starts)

        listing = service.get(listing_id)
        user = app.user(acting=False)
        signup = service.signup_of(listing_id, user.member_id) if user else None
        if signup is None or not signup.confirmed or listing.status != ListingStatus.PUBLISHED:
            raise NotFound(f"Only members with a confirmed place can add this {kind.noun} to their calendar.")
        invite = calendar.invitation(
            listing,
            signup,
            method="REQUEST",
            sequence=domain.calendar_sequence(listing, signup),
            sender=settings().sender,
            organiser_name=settings().community_name,
            page_url=settings().url(listing.page_path),
            now=utcnow(),
        )
        return Response(
            200,
            "text/calendar; charset=utf-8",
            invite.content.decode(),
            headers={"Content-Disposition": f'attachment; filename="{listing_id}.ics"', "Cache-Control": "no-store"},
        )

    def link_page(
        listing_id: str,
        token: str,
        purpose: str,
        template: str,
        *,
        acted: bool = False,
        problem: str = "",
        status: int = 200,
    ) -> Response[str]:
        """A link's page: what it would do (with the button that does it), or what was done and when."""
        claims = service.link_claims(listing_id, token, purpose)
        listing = service.get(listing_id)
        signup = service.signup_of(listing_id, claims.subject)
        if signup is None or signup.signup_id != claims.data.get("signup_id"):
            raise tokens.TokenRejected(
                "This link was sent for an earlier sign-up of yours, which has since ended.", code="superseded"
            )
        return app.page(
            template,
            status=status,
            listing=listing,
            noun=kind.noun,
            signup=signup,
            offer_id=claims.data.get("offer_id"),
            token=token,
            acted=acted,
            problem=problem,
            now=utcnow(),
            cancelled_listing=listing.status == ListingStatus.CANCELLED,
        )

    @app.get(f"{base}/<listing_id>/cancel-place", include_in_schema=False)
    def cancel_link_page(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        token = app.current_event.get_query_string_value("token", "") or ""
        return link_page(listing_id, token, kind.cancel_purpose, "places/cancel_place.html")

    @app.post(f"{base}/<listing_id>/cancel-place", include_in_schema=False)
    def cancel_link_submit(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        token = parse_form(app.body_text).get("token", "")
        claims = service.link_claims(listing_id, token, kind.cancel_purpose)
        try:
            service.give_up(listing_id, claims.subject, claims)
        except tokens.TokenRejected as rejected:
            if rejected.code != "used":
                raise
        except NotFound:
            pass  # cancelled already (by this link or on the page): the page shows when
        return link_page(listing_id, token, kind.cancel_purpose, "places/cancel_place.html", acted=True)

    @app.get(f"{base}/<listing_id>/offer", include_in_schema=False)
    def offer_link_page(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        token = app.current_event.get_query_string_value("token", "") or ""
        return link_page(listing_id, token, kind.offer_purpose, "places/offer.html")

    @app.post(f"{base}/<listing_id>/offer", include_in_schema=False)
    def offer_link_submit(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        form = parse_form(app.body_text)
        token = form.get("token", "")
        claims = service.link_claims(listing_id, token, kind.offer_purpose)
        problem = ""
        status = 200
        try:
            if form.get("decision") == "decline":
                service.give_up(listing_id, claims.subject, claims)
            else:
                service.accept_offer(listing_id, claims.subject, claims)
        except tokens.TokenRejected as rejected:
            if rejected.code != "used":
                raise
        except DomainError as error:
            problem, status = error.message, error.status
        return link_page(
            listing_id, token, kind.offer_purpose, "places/offer.html", acted=True, problem=problem, status=status
        )
