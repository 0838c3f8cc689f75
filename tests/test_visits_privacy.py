"""A member's Visits data: in their download, and gone when they erase their account, with the
place they held passed to the next person waiting and the counters still matching."""

from __future__ import annotations

import uuid

from tests.conftest import Api
from tests.test_account import everything_mentioning
from tests.test_visits_helpers import attendees, publish, sign_up, statuses


def test_download_and_erase_sign_ups(api: Api, email) -> None:
    me, waiting = email("leaving"), email("waiting")
    name = f"Ottoline Vanderpump {uuid.uuid4().hex[:4]}"
    mine = api.auth(me, name=name)
    visit_id = publish(api, places=1)
    other_visit = publish(api, places=3)
    confirmed = api.post(f"/api/visits/{visit_id}/signups", json={"access_needs": "Hearing loop"}, headers=mine)
    assert confirmed.json()["status"] == "confirmed"
    assert sign_up(api, visit_id, waiting).json()["status"] == "waitlisted"
    assert api.post(f"/api/visits/{other_visit}/signups", json={}, headers=mine).status_code == 201
    api.settle()

    data = api.get("/api/account/data", headers=mine).json()["visits"]["signups"]
    assert {(s["visit_id"], s["status"]) for s in data} == {(visit_id, "confirmed"), (other_visit, "confirmed")}
    assert "Hearing loop" in [s["access_needs"] for s in data]

    erased = api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=mine)
    assert erased.status_code == 200, erased.text
    api.settle()
    assert everything_mentioning(api.runtime, me, name) == []
    assert statuses(api, visit_id) == {waiting: "confirmed"}
    for visit in (visit_id, other_visit):
        listing = attendees(api, visit)
        confirmed = sum(a["status"] == "confirmed" for a in listing["attendees"])
        assert listing["confirmed"] == confirmed
    assert api.get(f"/api/visits/{other_visit}").json()["places_left"] == 3
    assert not api.mail(me, subject="Cancelled")
