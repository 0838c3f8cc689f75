"""The signed-in home page ("My Q") and the community at a glance, over HTTP."""

from __future__ import annotations

import uuid

from tests.conftest import Api
from tests.test_funding_helpers import as_staff, open_round, submit
from tests.test_visits_helpers import publish, sign_up


def page(api: Api, headers: dict[str, str] | None = None) -> str:
    cookie = {"Cookie": f"convene_session={headers['Authorization'][7:]}"} if headers else {}
    response = api.get("/", headers=cookie)
    assert response.status_code == 200, response.text
    return response.text


def test_my_q_shows_my_groups_bids_places_and_the_community(api: Api, email) -> None:
    me = email("amara")
    mine = api.auth(me, name="Amara Okafor")
    group = f"Third Sector SIG {uuid.uuid4().hex[:6]}"
    sig_id = api.post("/api/sigs", json={"name": group, "purpose": "Charities and health."}, headers=mine).json()[
        "sig_id"
    ]
    assert api.post(f"/api/sigs/{sig_id}/decision", json={"decision": "approve"}, headers=as_staff(api)).ok
    rnd = open_round(api, [email("reviewer")], decision_rule={"approvals_needed": 1})
    bid = submit(api, rnd["round_id"], me, name="Amara Okafor")
    full = publish(api, places=1)
    assert sign_up(api, full, email()).status_code == 201
    assert sign_up(api, full, me).status_code == 201  # waitlisted, number 1
    api.settle()

    html = page(api, mine)
    assert "<h1>My Q</h1>" in html and "Welcome back, Amara Okafor" in html
    assert f'href="/sigs/{sig_id}">{group}</a>' in html and "convener" in html
    assert f'href="/funding/bids/{bid["bid_id"]}"' in html and "in review" in html, html[html.find("My bids") :][:600]
    assert f'href="/visits/{full}"' in html and "number 1 on the waiting list" in html
    # The community at a glance: what's on next, open rounds, newest groups.
    assert "What's on next" in html and rnd["name"] in html and group in html

    anonymous = page(api)
    assert "Welcome to the" in anonymous and "Sign in with your email" in anonymous
    assert group in anonymous and "What's on next" in anonymous
    assert "My groups" not in anonymous


def test_whats_on_next_includes_events_and_an_open_space_event_links_to_its_conversations(api: Api) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.test_events_api import publish_event
    from tests.test_visits_helpers import iso

    # Sooner than anything else the suite publishes (visits and events start days ahead).
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    title = f"Open Space in Leeds {uuid.uuid4().hex[:6]}"
    event = publish_event(
        api,
        title=title,
        starts_at=iso(start),
        ends_at=iso(start + timedelta(hours=5)),
        signup_closes_at=iso(start - timedelta(hours=1)),
        open_space={
            "slots": [{"starts_at": iso(start + timedelta(hours=1)), "ends_at": iso(start + timedelta(hours=2))}],
            "spaces": [{"name": "Main hall", "capacity": 60}],
            "marketplace_closes_at": iso(start + timedelta(minutes=30)),
        },
    )
    home = page(api)
    assert f'href="/events/{event["event_id"]}"' in home and title in home, home[home.find("What's on next") :][:800]
    event_page = api.get(f"/events/{event['event_id']}").text
    assert f'href="/open-space/{event["event_id"]}"' in event_page
