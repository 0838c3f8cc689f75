"""The scenarios of the events area and of the team's and members' pages of a place (shared by
visits and events) for ``bench/calls.py``: every route, event type and schedule they add."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.calls import Bench


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC).replace(microsecond=0) + delta).isoformat()


def event_body(*, places: int, starts_in: timedelta = timedelta(days=30), **changes: Any) -> dict[str, Any]:
    return {
        "kind": "workshop",
        "title": "An introduction to Liberating Structures",
        "description": "A hands-on workshop introducing Liberating Structures for health and care teams.",
        "format": "hybrid",
        "location": "The Studio, Leeds",
        "joining_link": "https://meet.example.org/liberating-structures",
        "starts_at": _at(starts_in),
        "ends_at": _at(starts_in + timedelta(hours=3)),
        "places": places,
        "signup_closes_at": _at(starts_in - timedelta(hours=12)),
        "access_questions": ["Do you need step-free access?"],
        **changes,
    }


def _move(b: Bench, key: dict[str, str], **attributes: str) -> None:
    """Move stored times (an offer running out, a start passing) as the hours going by would."""
    b.runtime.client("dynamodb").update_item(
        TableName=b.runtime.resources.tables["main"],
        Key={k: {"S": v} for k, v in key.items()},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in attributes),
        ExpressionAttributeNames={f"#{k}": k for k in attributes},
        ExpressionAttributeValues={f":{k}": {"S": v} for k, v in attributes.items()},
    )


def team(b: Bench, base: str, listing_id: str, as_staff: dict[str, str], member: dict[str, str]) -> None:
    """The team's view and the member's pages of one place (``base``: ``/visits`` or ``/events``),
    ending with the listing started and its attendance marked."""
    from functions.common.dates import form_values

    page = f"{base}/{listing_id}"
    shown = b.call("one listing", "GET", f"/api{page}", 200).json()
    details = {"title": "Changed title", "description": "A changed description for the bench."}
    for name in ("starts_at", "ends_at", "signup_closes_at"):
        details |= form_values(name, datetime.fromisoformat(shown[name]), "Europe/London")
    steps: list[tuple[str, str, str, int, dict[str, Any]]] = [
        ("member page: leave, confirmation", "GET", f"{page}/leave", 200, {"headers": member}),
        ("member page: add to calendar", "GET", f"{page}/calendar.ics", 200, {"headers": member}),
        ("team: change details", "PATCH", f"/api{page}/details", 200, {"json": {"location": "Room 4"}}),
        (
            "team: message the confirmed",
            "POST",
            f"/api{page}/messages",
            202,
            {"json": {"subject": "Notes", "message": "See you soon."}},
        ),
        (
            "team page: change details",
            "POST",
            f"{page}/staff/details",
            303,
            {"data": details},
        ),
        (
            "team page: message",
            "POST",
            f"{page}/staff/message",
            303,
            {"data": {"subject": "Again", "message": "A second note."}},
        ),
    ]
    for operation, method, path, status, extra in steps:
        b.call(operation, method, path, status, **{"headers": as_staff, **extra})
    started = _at(-timedelta(minutes=1))
    prefix = base.strip("/").upper().rstrip("S")
    _move(b, {"pk": f"{prefix}#{listing_id}", "sk": prefix}, starts_at=started)
    mine = b.call("my sign-up", "GET", f"/api{page}/signups/me", 200, headers=member).json()
    marks = {"marks": [{"member_id": mine["member_id"], "attended": True}]}
    b.call("team: mark attendance", "POST", f"/api{page}/attendance", 200, json=marks, headers=as_staff)
    field = {f"attended-{mine['member_id']}": "no"}
    b.call("team page: mark attendance", "POST", f"{page}/staff/attendance", 303, data=field, headers=as_staff)


def events(b: Bench) -> None:
    from bench.calls import _address, form, token_of

    as_staff = b.auth(_address("staff"), staff=True)
    people = {n: _address(n) for n in ("amy", "bo", "cy", "di", "ed", "flo", "gus")}
    bearer = {n: b.auth(e, name=n.capitalize()) for n, e in people.items()}

    # An offer-mode workshop with one place: the waiting list, offers, accepting, declining, expiring.
    body = event_body(places=1, waitlist_mode="offer", offer_hours=24)
    workshop = b.call("publish (staff)", "POST", "/api/events", 201, json=body, headers=as_staff).json()["event_id"]
    api = f"/api/events/{workshop}"
    b.call("list upcoming", "GET", "/api/events?format=hybrid&kind=workshop", 200)
    b.call("one event", "GET", api, 200)
    answered = {"answers": ["Yes"], "access_needs": "Captions"}
    b.call("sign up: confirmed", "POST", f"{api}/signups", 201, json=answered, headers=bearer["amy"])
    for n in ("bo", "cy", "di", "ed"):
        b.call("sign up: waitlisted", "POST", f"{api}/signups", 201, json={}, headers=bearer[n])
    b.call("my sign-up", "GET", f"{api}/signups/me", 200, headers=bearer["bo"])
    b.call("cancel my place", "DELETE", f"{api}/signups/me", 204, headers=bearer["amy"])  # offered to Bo
    link = b.mail_link(people["bo"], f"/events/{workshop}/offer?token=")
    b.call("offer link page", "GET", link, 200)
    decline = {"token": token_of(link), "decision": "decline"}
    b.call("offer link: decline", "POST", f"/events/{workshop}/offer", 200, data=decline)  # offered to Cy
    b.call("accept my offer", "POST", f"{api}/signups/me/acceptance", 200, headers=bearer["cy"])
    b.call("change places (staff)", "PATCH", api, 200, json={"places": 2}, headers=as_staff)  # offered to Di
    b.call("event page: accept my offer", "POST", f"/events/{workshop}/accept", 303, headers=bearer["di"])
    b.call(
        "team page: change places",
        "POST",
        f"/events/{workshop}/staff/places",
        303,
        data={"places": "3"},
        headers=as_staff,
    )
    ed = b.call("my sign-up", "GET", f"{api}/signups/me", 200, headers=bearer["ed"]).json()
    from functions.places.repository import offer_expiry_attributes

    lapsed = offer_expiry_attributes(workshop, ed["member_id"], datetime.now(UTC) - timedelta(minutes=1))
    _move(b, {"pk": f"EVENT#{workshop}", "sk": f"SIGNUP#{ed['member_id']}"}, **lapsed)
    b.schedule("offer expiry run", "event-offer-expiry")
    b.call("attendees (staff)", "GET", f"{api}/attendees", 200, headers=as_staff)
    b.call("attendees as CSV (staff)", "GET", f"{api}/attendees.csv", 200, headers=as_staff)
    b.call("team page", "GET", f"/events/{workshop}/staff", 200, headers=as_staff)
    reason = {"reason": "The trainer is unwell."}
    b.call("cancel the event (staff)", "POST", f"{api}/cancellation", 200, json=reason, headers=as_staff)

    # A community event with one place, on the pages: sign up, the cancel link, a promotion.
    b.call("publish form (staff)", "GET", "/events/new", 200, headers=as_staff)
    page_body = form(event_body(places=1, kind="community_event", starts_in=timedelta(hours=36)))
    page_body |= {"access_questions": "Do you need step-free access?", "offer_hours": "", "waitlist_mode": "automatic"}
    page_body |= {"open_space": "yes", "spaces": "Main hall, 60\nBreakout, 10, online", "slots": "10:00-11:00"}
    made = b.call("publish form: publish (staff)", "POST", "/events/new", 303, data=page_body, headers=as_staff)
    soon = made.headers["Location"].split("/")[2]
    signup = {"answer_1": "No", "access_needs": "", "dietary_needs": "", "note": ""}
    b.call("event page: sign up", "POST", f"/events/{soon}/signup", 303, data=signup, headers=bearer["flo"])
    b.call("sign up: waitlisted", "POST", f"/api/events/{soon}/signups", 201, json={}, headers=bearer["gus"])
    b.call("event page", "GET", f"/events/{soon}", 200, headers=bearer["gus"])
    b.call("events page", "GET", "/events?kind=community_event&format=hybrid", 200)
    b.call("event page: leave the waiting list", "POST", f"/events/{soon}/leave", 303, headers=bearer["gus"])
    b.call("sign up: waitlisted", "POST", f"/api/events/{soon}/signups", 201, json={}, headers=bearer["gus"])
    link = b.mail_link(people["flo"], f"/events/{soon}/cancel-place?token=")
    b.call("cancel link page", "GET", link, 200)
    b.call("cancel link: cancel", "POST", f"/events/{soon}/cancel-place", 200, data={"token": token_of(link)})
    b.schedule("reminder run", "event-reminders")
    team(b, "/events", soon, as_staff, bearer["gus"])
    cancel = {"reason": "", "confirm": "yes"}
    b.call("publish (staff)", "POST", "/api/events", 201, json=event_body(places=3), headers=as_staff)
    later = b.call("publish (staff)", "POST", "/api/events", 201, json=event_body(places=3), headers=as_staff)
    b.call(
        "team page: cancel the event",
        "POST",
        f"/events/{later.json()['event_id']}/staff/cancel",
        303,
        data=cancel,
        headers=as_staff,
    )

    # A series taken whole or by session.
    b.call("start a series form (staff)", "GET", "/series/new", 200, headers=as_staff)
    series_form = {
        "title": "Building resilience in the workforce",
        "description": "Three sessions on resilience.",
        "signup_mode": "either",
    }
    started = b.call(
        "start a series form: start (staff)", "POST", "/series/new", 303, data=series_form, headers=as_staff
    )
    del started
    series = b.call("start a series (staff)", "POST", "/api/series", 201, json=series_form, headers=as_staff).json()[
        "series_id"
    ]
    for week in (1, 2):
        session = event_body(places=5, kind="series_session", series_id=series, starts_in=timedelta(days=7 * week))
        b.call("publish a session (staff)", "POST", "/api/events", 201, json=session, headers=as_staff)
    b.call("one series", "GET", f"/api/series/{series}", 200)
    b.call("sign up for the series", "POST", f"/api/series/{series}/signups", 201, json={}, headers=bearer["amy"])
    b.call("series page", "GET", f"/series/{series}", 200, headers=bearer["bo"])
    b.call(
        "series page: sign up",
        "POST",
        f"/series/{series}/signup",
        303,
        data={"access_needs": "Captions"},
        headers=bearer["bo"],
    )


def visits_team(b: Bench) -> None:
    """The team's and members' pages of a visit (shared with events)."""
    from bench.calls import _address, visit_body

    as_staff = b.auth(_address("staff"), staff=True)
    member = b.auth(_address("hal"), name="Hal")
    visit = b.call("publish (staff)", "POST", "/api/visits", 201, json=visit_body(places=3), headers=as_staff)
    visit_id = visit.json()["visit_id"]
    b.call("sign up: confirmed", "POST", f"/api/visits/{visit_id}/signups", 201, json={}, headers=member)
    team(b, "/visits", visit_id, as_staff, member)
