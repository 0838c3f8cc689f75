"""The capacity and waiting-list guarantees under concurrency and redelivery: a rush of sign-ups
for a few places, one member's double click, a cancellation event delivered three times, offers
accepted twice or too late, and links that scanners open."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

from functions.visits.repository import offer_expiry_attributes
from tests.conftest import STAFF, Api
from tests.test_visits_helpers import (
    attendees,
    deliver,
    link,
    my_signup,
    outbox_events,
    publish,
    sent_count,
    session,
    set_attributes,
    sign_up,
    statuses,
    token_of,
    wait_for_mail,
)


def test_one_member_signing_up_twice_at_once_gets_one_sign_up(api: Api, email) -> None:
    visit_id = publish(api, places=3)
    for _ in range(5):
        member = email("double")
        auth = api.auth(member)
        barrier = threading.Barrier(2)

        def attempt(auth: dict[str, str] = auth, barrier: threading.Barrier = barrier) -> requests.Response:
            barrier.wait()
            return requests.post(f"{api.url}/api/visits/{visit_id}/signups", json={}, headers=auth, timeout=30)

        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = pool.map(lambda _: attempt(), range(2))
        assert sorted([first.status_code, second.status_code]) == [200, 201], (first.text, second.text)
        assert first.json()["status"] == second.json()["status"]
    listing = attendees(api, visit_id)
    assert len(listing["attendees"]) == 5
    assert Counter(a["status"] for a in listing["attendees"]) == {"confirmed": 3, "waitlisted": 2}
    assert listing["confirmed"] == 3 and listing["waiting"] == 2


def test_a_cancellation_delivered_three_times_promotes_once(api: Api, email) -> None:
    visit_id = publish(api, places=1)
    going, next_up, later = email("going"), email("next"), email("later")
    for member in (going, next_up, later):
        sign_up(api, visit_id, member)
    assert api.delete(f"/api/visits/{visit_id}/signups/me", headers=api.auth(going)).status_code == 204
    api.settle()
    assert statuses(api, visit_id) == {going: "cancelled", next_up: "confirmed", later: "waitlisted"}

    (envelope,) = outbox_events(api, "VisitSignupCancelled", visit_id=visit_id)
    for attempt in range(3):
        result = deliver(api, "visit-waitlist", envelope, f"redelivery-{attempt}")
        assert result == {"batchItemFailures": []}
    # A copy under a new event id gets past the consumer's idempotency record: the conditional
    # writes alone must still refuse to promote anyone into a place that is not free.
    copy = {**envelope, "detail": {**envelope["detail"], "event_id": f"evt_copy{uuid.uuid4().hex[:12]}"}}
    for attempt in range(3):
        assert deliver(api, "visit-waitlist", copy, f"copy-{attempt}") == {"batchItemFailures": []}
    api.settle()

    assert statuses(api, visit_id) == {going: "cancelled", next_up: "confirmed", later: "waitlisted"}
    listing = attendees(api, visit_id)
    assert (listing["confirmed"], listing["waiting"]) == (1, 1)
    assert len(api.mail(next_up, subject="Your place is confirmed")) == 1
    assert len(outbox_events(api, "VisitSignupPromoted", visit_id=visit_id)) == 1
    assert my_signup(api, visit_id, later)["position"] == 1


def _offer_visit(api: Api, email) -> tuple[str, str, str, str]:
    visit_id = publish(api, places=1, waitlist_mode="offer", offer_hours=6)
    going, offered, next_up = email("going"), email("offered"), email("nextup")
    for member in (going, offered, next_up):
        sign_up(api, visit_id, member)
    assert api.delete(f"/api/visits/{visit_id}/signups/me", headers=api.auth(going)).status_code == 204
    api.settle()
    assert statuses(api, visit_id) == {going: "cancelled", offered: "offered", next_up: "waitlisted"}
    return visit_id, going, offered, next_up


def test_an_offer_accepted_twice_confirms_once_and_links_are_safe_to_open(api: Api, email) -> None:
    visit_id, _, offered, next_up = _offer_visit(api, email)
    mine = my_signup(api, visit_id, offered)
    expires = datetime.fromisoformat(mine["offer_expires_at"])
    assert timedelta(hours=5, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=6)
    path = link(api, offered, "A place is free", "/offer?token=")

    # Mail scanners open the link: nothing changes.
    for method in ("HEAD", "GET", "HEAD"):
        assert api.request(method, path).status_code == 200
    assert "Accept the place" in api.get(path).text
    assert my_signup(api, visit_id, offered)["status"] == "offered"

    token = token_of(path)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pages = list(
            pool.map(
                lambda _: requests.post(
                    f"{api.url}/visits/{visit_id}/offer", data={"token": token, "decision": "accept"}, timeout=30
                ),
                range(2),
            )
        )
    assert all(p.status_code in (200, 409) for p in pages), [p.text for p in pages]
    assert all("you accepted it on" in p.text for p in pages)
    again = api.post(f"/visits/{visit_id}/offer", data={"token": token, "decision": "accept"})
    assert "you accepted it on" in again.text

    api.settle()
    assert statuses(api, visit_id)[offered] == "confirmed"
    listing = attendees(api, visit_id)
    assert (listing["confirmed"], listing["waiting"]) == (1, 1)
    assert api.get(f"/api/visits/{visit_id}").json()["places_left"] == 0
    assert len(api.mail(offered, subject="Your place is confirmed")) == 1
    assert not api.mail(next_up, subject="A place is free")


def test_an_offer_accepted_after_it_expired_changes_nothing_and_passes_on(api: Api, email) -> None:
    visit_id, _, offered, next_up = _offer_visit(api, email)
    path = link(api, offered, "A place is free", "/offer?token=")
    member_id = my_signup(api, visit_id, offered)["member_id"]
    lapsed = offer_expiry_attributes(visit_id, member_id, datetime.now(UTC) - timedelta(minutes=1))
    set_attributes(api, {"pk": f"VISIT#{visit_id}", "sk": f"SIGNUP#{member_id}"}, **lapsed)

    late = api.post(f"/visits/{visit_id}/offer", data={"token": token_of(path), "decision": "accept"})
    assert late.status_code == 409
    assert "expired" in late.text and "Nothing has changed" in late.text
    by_api = api.post(f"/api/visits/{visit_id}/signups/me/acceptance", headers=api.auth(offered))
    assert by_api.status_code == 409 and "expired" in by_api.json()["message"]
    assert statuses(api, visit_id)[offered] == "offered"
    assert attendees(api, visit_id)["confirmed"] == 0

    # The schedule expires the offer and the place is offered to the next person waiting.
    assert api.runtime.run_schedule("visit-offer-expiry")["offers_expired"] >= 1
    api.settle()
    assert statuses(api, visit_id)[offered] == "offer_expired"
    assert statuses(api, visit_id)[next_up] == "offered"
    assert api.one_mail(offered, "passed on")
    assert api.one_mail(next_up, "A place is free")
    # The old link still changes nothing.
    assert api.post(f"/visits/{visit_id}/offer", data={"token": token_of(path), "decision": "accept"}).status_code in (
        200,
        409,
    )
    assert statuses(api, visit_id)[offered] == "offer_expired"
    assert api.runtime.run_schedule("visit-offer-expiry")["offers_expired"] == 0


def test_an_open_offer_on_a_cancelled_visit_ends_quietly_when_it_runs_out(api: Api, email) -> None:
    visit_id, _, offered, _ = _offer_visit(api, email)
    staff = api.auth(STAFF, staff=True)
    cancelled = api.post(f"/api/visits/{visit_id}/cancellation", json={"reason": "The host is unwell."}, headers=staff)
    assert cancelled.status_code == 200, cancelled.text
    api.settle()
    assert api.one_mail(offered, "Cancelled")
    member_id = my_signup(api, visit_id, offered)["member_id"]
    lapsed = offer_expiry_attributes(visit_id, member_id, datetime.now(UTC) - timedelta(minutes=1))
    set_attributes(api, {"pk": f"VISIT#{visit_id}", "sk": f"SIGNUP#{member_id}"}, **lapsed)

    assert api.runtime.run_schedule("visit-offer-expiry")["offers_expired"] == 1
    api.settle()
    assert statuses(api, visit_id)[offered] == "offer_expired"
    assert not api.mail(offered, subject="has passed on")  # the cancellation already told them
    # It has left the index of open offers: the next run reads nothing for it.
    assert api.runtime.run_schedule("visit-offer-expiry")["offers_expired"] == 0


def test_declining_an_offer_passes_it_on(api: Api, email) -> None:
    visit_id, _, offered, next_up = _offer_visit(api, email)
    path = link(api, offered, "A place is free", "/offer?token=")
    declined = api.post(f"/visits/{visit_id}/offer", data={"token": token_of(path), "decision": "decline"})
    assert declined.status_code == 200 and "You declined this place" in declined.text
    api.settle()
    assert statuses(api, visit_id)[next_up] == "offered"
    assert api.one_mail(next_up, "A place is free")
    staff_view = api.get(f"/api/visits/{visit_id}", headers=api.auth(STAFF, staff=True)).json()
    assert staff_view["places_left"] == 0 and staff_view["waiting"] == 0


# Last in the file: it leaves 200 sign-ups in the tables, and moto copies a whole table for
# every transaction, so tests after it run slower.
def test_a_rush_of_sign_ups_fills_exactly_the_places(api: Api, email) -> None:
    visit_id = publish(api, places=10)
    headers = [session(email(f"rush{i}")) for i in range(200)]
    url = f"{api.url}/api/visits/{visit_id}/signups"
    local = threading.local()
    sent_before = sent_count(api)

    def attempt(auth: dict[str, str]) -> requests.Response:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return local.session.post(url, json={}, headers=auth, timeout=60)

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(attempt, headers))

    assert Counter(r.status_code for r in responses) == {201: 200}, [r.text for r in responses if r.status_code != 201]
    results = [r.json() for r in responses]
    assert Counter(r["status"] for r in results) == {"confirmed": 10, "waitlisted": 190}
    positions = sorted(r["position"] for r in results if r["status"] == "waitlisted")
    assert positions == list(range(1, 191))

    listing = attendees(api, visit_id)
    stored = Counter(a["status"] for a in listing["attendees"])
    assert stored == {"confirmed": 10, "waitlisted": 190}
    assert listing["confirmed"] == stored["confirmed"] == 10  # the place counter
    assert listing["waiting"] == 190
    visit = api.get(f"/api/visits/{visit_id}").json()
    assert visit["places"] - visit["places_left"] == 10
    assert sorted(a["position"] for a in listing["attendees"] if a["position"]) == list(range(1, 191))
    # Everyone hears back (a confirmation or their place in the queue) before the next test.
    wait_for_mail(api, sent_before + 200, timeout=60)
