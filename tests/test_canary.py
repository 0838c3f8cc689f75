"""The deployment canary: staff post an event through the outbox and read that a consumer got it."""

from __future__ import annotations

from tests.conftest import STAFF, Api


def test_a_canary_goes_through_the_outbox_to_its_consumer(api: Api) -> None:
    staff = api.auth(STAFF, staff=True)
    posted = api.post("/api/canaries", headers=staff)
    assert posted.status_code == 202
    canary = posted.json()
    assert canary["status"] == "posted" and posted.headers["Location"] == f"/api/canaries/{canary['canary_id']}"
    api.settle()
    read = api.get(f"/api/canaries/{canary['canary_id']}", headers=staff)
    assert read.status_code == 200
    assert read.json()["status"] == "received" and read.json()["received_at"]


def test_only_staff_post_or_read_canaries(api: Api, email) -> None:
    member = api.auth(email("member"))
    assert api.post("/api/canaries", headers=member).status_code == 403
    assert api.post("/api/canaries").status_code == 401
    staff = api.auth(STAFF, staff=True)
    canary_id = api.post("/api/canaries", headers=staff).json()["canary_id"]
    assert api.get(f"/api/canaries/{canary_id}", headers=member).status_code == 403
    assert api.get("/api/canaries/can_0123456789abcdef", headers=staff).status_code == 404
    assert api.get("/api/canaries/../../x", headers=staff).status_code in (404, 422)
    assert api.get("/api/canaries/not-a-canary", headers=staff).status_code == 422
