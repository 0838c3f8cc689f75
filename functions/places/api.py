"""The API of a place, for any kind of listing: one listing, its places and cancellation, its
attendees (JSON and CSV), and a member's sign-up (sign up, read, give up, accept an offer).

Each area gives its own view models (``VisitView``, ``EventView`` ...), so the OpenAPI document
names them. No ``from __future__ import annotations``: the path parameter's type, the body and
the response models are given per kind at registration, and Powertools reads them as objects.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.common.errors import NotFound
from functions.common.http import App, User, attachment
from schemas.api.places import CancelListing, ChangePlaces

from .domain import Listing, Signup
from .pages import listing_id_type
from .service import PlacesService


@dataclass(frozen=True)
class PlaceModels:
    """An area's view models and how it makes them."""

    tag: str
    listing: type[Any]
    #: ``(listing, joining link or None)`` -> the listing's view
    listing_view: Callable[[Any, str | None], Any]
    signup: type[Any]
    #: ``(listing, signup, position, joining link or None)`` -> the sign-up's view
    signup_view: Callable[[Any, Signup, int | None, str | None], Any]
    attendees: type[Any]
    #: ``(listing, rows)`` -> the attendee list
    attendees_view: Callable[[Any, list[tuple[Signup, int | None]]], Any]
    #: The sign-up body, and the use case taking it
    signup_body: type[Any]
    sign_up: Callable[[str, User, Any], Any]


def json(status: int, model: Any) -> Response[str]:
    return Response(status, "application/json", model.model_dump_json())


def register_place_api(app: App, service: PlacesService[Any], models: PlaceModels) -> None:
    kind = service.kind
    api = f"/api{kind.path}"
    tag = models.tag
    ListingId = listing_id_type(service)  # noqa: N806
    ListingModel, SignupModel, AttendeesModel = models.listing, models.signup, models.attendees  # noqa: N806
    SignupBody = models.signup_body  # noqa: N806

    def staff_view(listing: Listing) -> Any:
        return models.listing_view(listing, listing.joining_link or None)

    def mine(listing: Listing, user: User, signup: Signup, position: int | None = None) -> Any:
        shown = position if position is not None else service.position(signup)
        return models.signup_view(listing, signup, shown, service.joining_link_for(listing, user, signup))

    @app.get(f"{api}/<listing_id>", tags=[tag], summary=f"One {kind.noun}")
    def get_one(listing_id: ListingId) -> ListingModel:  # type: ignore[valid-type]
        listing = service.get(listing_id)
        user = app.user()
        signup = service.signup_of(listing_id, user.member_id) if user else None
        return models.listing_view(listing, service.joining_link_for(listing, user, signup))

    @app.patch(f"{api}/<listing_id>", tags=[tag], summary="Change the number of places (staff)")
    def change_places(listing_id: ListingId, body: Annotated[ChangePlaces, Body()]) -> ListingModel:  # type: ignore[valid-type]
        return staff_view(service.change_places(listing_id, body.places, app.require_staff()))

    @app.post(f"{api}/<listing_id>/cancellation", tags=[tag], summary=f"Cancel a {kind.noun} (staff)")
    def cancel(listing_id: ListingId, body: Annotated[CancelListing, Body()]) -> ListingModel:  # type: ignore[valid-type]
        return staff_view(service.cancel(listing_id, body.reason, app.require_staff()))

    @app.get(f"{api}/<listing_id>/attendees", tags=[tag], summary="Everyone signed up, with needs (staff)")
    def attendees(listing_id: ListingId) -> AttendeesModel:  # type: ignore[valid-type]
        app.require_staff()
        return models.attendees_view(*service.attendees(listing_id))

    @app.get(
        f"{api}/<listing_id>/attendees.csv",
        tags=[tag],
        summary="Everyone signed up, as CSV (staff)",
        response_description="text/csv, one row per sign-up",
    )
    def attendees_export(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        app.require_staff()
        _, rows = service.attendees(listing_id)
        from .export import attendees_csv  # the csv module, for the team's download only

        return attachment(attendees_csv(rows), f"{listing_id}-attendees.csv", "text/csv; charset=utf-8")

    @app.post(
        f"{api}/<listing_id>/signups",
        tags=[tag],
        status_code=201,
        summary="Sign up: a place if one is left, else the waiting list (200 with the existing sign-up)",
    )
    def sign_up(listing_id: ListingId, body: Annotated[SignupBody | None, Body()] = None) -> Response[str]:  # type: ignore[valid-type]
        user = app.require_user()
        # Every field is optional, so no body at all is a sign-up with nothing to add.
        result = models.sign_up(listing_id, user, body or SignupBody())
        return json(201 if result.created else 200, mine(result.listing, user, result.signup, result.position))

    @app.get(f"{api}/<listing_id>/signups/me", tags=[tag], summary="My sign-up and waiting-list position")
    def my_signup(listing_id: ListingId) -> SignupModel:  # type: ignore[valid-type]
        user = app.require_user()
        listing = service.get(listing_id)
        signup = service.signup_of(listing_id, user.member_id)
        if signup is None:
            raise NotFound(f"You have not signed up for this {kind.noun}.")
        return mine(listing, user, signup)

    @app.delete(
        f"{api}/<listing_id>/signups/me",
        tags=[tag],
        status_code=204,
        summary="Cancel my place, decline my offer, or leave the waiting list",
    )
    def give_up(listing_id: ListingId) -> Response[str]:  # type: ignore[valid-type]
        service.give_up(listing_id, app.require_user().member_id)
        return Response(204, None, "")

    @app.post(f"{api}/<listing_id>/signups/me/acceptance", tags=[tag], summary="Accept an offered place")
    def accept(listing_id: ListingId) -> SignupModel:  # type: ignore[valid-type]
        user = app.require_user()
        signup = service.accept_offer(listing_id, user.member_id)
        return mine(service.get(listing_id), user, signup)
