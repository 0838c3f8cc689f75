"""API views of listings and sign-ups: the fields every kind shares (areas add their own id)."""

from __future__ import annotations

from typing import Any

from functions.common.ids import utcnow
from schemas.api.places import AttendeeView

from .domain import Listing, Signup, SignupStatus


def _came_from(listing: Listing) -> list[Any]:
    if not listing.origins:  # the chain's code is loaded only for a listing that names an origin
        return []
    from functions.chain.pages import origin_view

    return [origin_view(o) for o in listing.origins]


def listing_fields(listing: Listing, joining_link: str | None) -> dict[str, Any]:
    return {
        "title": listing.title,
        "description": listing.description,
        "format": listing.format.value,
        "location": listing.location,
        "starts_at": listing.starts_at,
        "ends_at": listing.ends_at,
        "signup_closes_at": listing.signup_closes_at,
        "places": listing.places,
        "places_left": listing.places_left,
        "waiting": listing.waiting,
        "waitlist_mode": listing.waitlist_mode.value,
        "offer_hours": listing.offer_hours,
        "status": listing.status.value,
        "open_for_signup": listing.open_for_signup(utcnow()),
        "joining_link": joining_link,
        "came_from": _came_from(listing),
    }


def place_fields(signup: Signup, position: int | None, joining_link: str | None) -> dict[str, Any]:
    return {
        "member_id": signup.member_id,
        "status": signup.status.value,
        "position": position,
        "offer_expires_at": signup.offer_expires_at if signup.status == SignupStatus.OFFERED else None,
        "signed_up_at": signup.signed_up_at,
        "access_needs": signup.access_needs,
        "dietary_needs": signup.dietary_needs,
        "note": signup.note,
        "joining_link": joining_link,
    }


def attendee_view(signup: Signup, position: int | None) -> AttendeeView:
    return AttendeeView(
        member_id=signup.member_id,
        name=signup.name,
        email=signup.email,
        status=signup.status.value,  # type: ignore[arg-type]
        position=position,
        access_needs=signup.access_needs,
        dietary_needs=signup.dietary_needs,
        note=signup.note,
        signed_up_at=signup.signed_up_at,
        answers=list(signup.answers),
        attended=signup.attended,
    )
