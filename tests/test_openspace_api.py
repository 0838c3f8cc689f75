"""Open Space at an event, through the API and the pages, on the local runtime: the Bristol
event with slots and spaces; members sign up, propose and mark conversations; a co-host confirms
by link; the agenda is built with no host clash; a host harvests from the emailed link; the
proceedings are published and emailed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import STAFF, Api
from tests.test_visits_helpers import iso, set_attributes, token_of


def event_body(**overrides: Any) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=20)
    body: dict[str, Any] = {
        "kind": "community_event",
        "title": "Q community event: Bristol",
        "description": "A day of Open Space conversations hosted by members, in Bristol.",
        "format": "in_person",
        "location": "Watershed, Bristol",
        "starts_at": iso(start),
        "ends_at": iso(start + timedelta(hours=7)),
        "places": 10,
        "signup_closes_at": iso(start - timedelta(days=1)),
        "waitlist_mode": "automatic",
        "open_space": {
            "slots": [
                {"starts_at": iso(start + timedelta(hours=1)), "ends_at": iso(start + timedelta(hours=2))},
                {"starts_at": iso(start + timedelta(hours=3)), "ends_at": iso(start + timedelta(hours=4))},
            ],
            "spaces": [{"name": "Cinema 1", "capacity": 30}, {"name": "Waiting room", "capacity": 6}],
            "marketplace_closes_at": iso(start + timedelta(minutes=45)),
        },
    }
    body.update(overrides)
    return body


def publish(api: Api, **overrides: Any) -> str:
    response = api.post("/api/events", json=event_body(**overrides), headers=api.auth(STAFF, staff=True))
    assert response.status_code == 201, response.text
    return str(response.json()["event_id"])


def signed_up(api: Api, event_id: str, member: str) -> dict[str, str]:
    headers = api.auth(member, name=member.split(".", maxsplit=1)[0].title())
    response = api.post(f"/api/events/{event_id}/signups", json={}, headers=headers)
    assert response.status_code == 201, response.text
    return headers


def propose(api: Api, event_id: str, headers: dict[str, str], title: str, **extra: Any) -> dict[str, Any]:
    body = {"title": title, "question": f"What can we learn about {title.lower()}?", **extra}
    response = api.post(f"/api/open-space/{event_id}/conversations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def mark(api: Api, event_id: str, conversation_id: str, headers: dict[str, str]) -> None:
    response = api.post(f"/api/open-space/{event_id}/conversations/{conversation_id}/mark", headers=headers)
    assert response.status_code == 200, response.text


def link_in(api: Api, to: str, subject: str, marker: str) -> str:
    message = api.one_mail(to, subject)
    found = [u for u in message["links"] if marker in u]
    assert len(found) == 1, message["links"]
    return api.path(found[0])


@pytest.fixture
def bristol(api: Api, email: Any) -> dict[str, Any]:
    """The Bristol event with ten members signed up and two conversations sharing an audience."""
    event_id = publish(api)
    people = [email(n) for n in ("amara", "tom", "priya", "sam", "jo", "lee", "kim", "ola", "raj", "eve")]
    headers = {p: signed_up(api, event_id, p) for p in people}
    return {"event_id": event_id, "people": people, "headers": headers}


def test_the_bristol_event_from_marketplace_to_proceedings(api: Api, email: Any, bristol: dict[str, Any]) -> None:
    event_id, people, headers = bristol["event_id"], bristol["people"], bristol["headers"]
    amara, tom, priya = people[:3]
    staff = api.auth(STAFF, staff=True)

    # The eleventh member waits, and someone on the waiting list cannot propose.
    eleventh = email("late")
    waiting = api.post(f"/api/events/{event_id}/signups", json={}, headers=api.auth(eleventh))
    assert waiting.status_code == 201 and waiting.json()["status"] == "waitlisted", waiting.text
    refused = api.post(
        f"/api/open-space/{event_id}/conversations",
        json={"title": "Kindness", "question": "How do we cultivate kindness?"},
        headers=api.auth(eleventh),
    )
    assert refused.status_code == 403, refused.text

    # Amara proposes with Tom as co-host: he is a co-host only once he confirms.
    kindness = propose(api, event_id, headers[amara], "Cultivating kindness", themes=["kindness"], co_host_emails=[tom])
    assert kindness["hosts"] == ["Amara"]
    failure = propose(api, event_id, headers[tom], "Responding to failure honestly")
    patients = propose(api, event_id, headers[priya], "Involving patients in the wider patch")
    confirm = link_in(api, tom, "Will you co-host", "/open-space/co-host")
    page = api.get(confirm)  # what a mail scanner does
    assert page.status_code == 200 and "Confirm I will co-host" in page.text
    market = api.get(f"/api/open-space/{event_id}").json()
    assert {c["title"]: c["hosts"] for c in market["conversations"]}["Cultivating kindness"] == ["Amara"]
    done = api.post("/open-space/co-host", data={"token": token_of(confirm), "name": "Tom"})
    assert done.status_code == 200 and "You (" in done.text
    again = api.post("/open-space/co-host", data={"token": token_of(confirm), "name": "Tom"})
    assert again.status_code == 200  # the outcome, not an error
    assert api.one_mail(amara, "will co-host")

    # Everyone wants kindness and failure; so Tom, hosting both, must never be in two places.
    for person in people[3:]:
        mark(api, event_id, kindness["conversation_id"], headers[person])
        mark(api, event_id, failure["conversation_id"], headers[person])
    mark(api, event_id, patients["conversation_id"], headers[people[3]])
    market = api.get(f"/api/open-space/{event_id}", headers=headers[people[3]]).json()
    by_title = {c["title"]: c for c in market["conversations"]}
    assert by_title["Cultivating kindness"]["interested"] == 7
    assert by_title["Cultivating kindness"]["hosts"] == ["Amara", "Tom"]
    assert by_title["Cultivating kindness"]["marked_by_you"] is True

    # Staff build the agenda: each conversation one slot and one space; no host clash.
    built = api.post(f"/api/open-space/{event_id}/agenda", headers=staff)
    assert built.status_code == 200, built.text
    agenda = built.json()
    assert agenda["version"] == 1 and not agenda["unplaced"]
    slot_of = {p["title"]: p["slot_id"] for p in agenda["placements"]}
    assert slot_of["Cultivating kindness"] != slot_of["Responding to failure honestly"]
    big = next(p for p in agenda["placements"] if p["title"] == "Cultivating kindness")
    assert big["space"] == "Cinema 1" and big["why_space"] and big["why_slot"]
    # Everyone with a place hears about the first agenda.
    assert api.one_mail(people[5], "Open Space agenda for")
    page = api.get(f"/open-space/{event_id}/agenda")
    assert page.status_code == 200 and "Cultivating kindness" in page.text and "@media print" in page.text
    assert "Your conversations" not in page.text
    mine = api.get(f"/open-space/{event_id}/agenda", headers=headers[people[3]])
    assert "Your conversations" in mine.text and ": Involving patients in the wider patch (yours)" in mine.text
    ics = api.get(f"/open-space/{event_id}/conversations/{kindness['conversation_id']}/calendar.ics")
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text and "Cultivating kindness" in ics.text

    # Pin patients where kindness is; rebuild: only the people of moved conversations hear.
    kindness_slot = slot_of["Cultivating kindness"]
    patients_slot = slot_of["Involving patients in the wider patch"]
    target = next(s["slot_id"] for s in market["slots"] if s["slot_id"] != patients_slot)
    pinned = api.post(
        f"/api/open-space/{event_id}/conversations/{patients['conversation_id']}/pin",
        json={"slot_id": target, "space_id": "waiting-room"},
        headers=staff,
    )
    assert pinned.status_code == 200, pinned.text
    rebuilt = api.post(f"/api/open-space/{event_id}/agenda", headers=staff).json()
    moved = next(p for p in rebuilt["placements"] if p["title"] == "Involving patients in the wider patch")
    assert (moved["slot_id"], moved["space_id"], moved["pinned"]) == (target, "waiting-room", True)
    api.settle()
    assert api.mail(priya, subject="has changed")  # her conversation moved
    assert api.mail(people[3], subject="has changed")  # he marked it
    assert not api.mail(people[6], subject="has changed")  # nothing he hosts or marked moved
    assert kindness_slot  # (kindness may or may not have moved; the rule is what matters)

    # When a slot ends, the schedule sends the hosts the harvest link (once).
    conversation_key = {"pk": f"OS#{event_id}", "sk": f"CONV#{kindness['conversation_id']}"}
    past = iso(datetime.now(UTC) - timedelta(minutes=5))
    set_attributes(api, conversation_key, gsi1sk=f"{past}#{event_id}#{kindness['conversation_id']}")
    assert api.runtime.run_schedule("openspace-harvest")["harvests_requested"] >= 1
    assert api.runtime.run_schedule("openspace-harvest")["harvests_requested"] == 0
    harvest = link_in(api, amara, "What came out of", "/open-space/harvest")
    assert api.mail(tom, subject="What came out of")  # the confirmed co-host too
    form = api.get(harvest)
    assert form.status_code == 200 and "Record the harvest" in form.text
    empty = api.post("/open-space/harvest", data={"token": token_of(harvest), "discussed": ""})
    assert empty.status_code == 422 and "There is a problem" in empty.text
    recorded = api.post(
        "/open-space/harvest",
        data={
            "token": token_of(harvest),
            "discussed": "Kindness as a practice in teams under pressure.",
            "next_steps": "A welcome event for a new SIG.",
            "keep_going": "Amara, Tom and Jo",
        },
    )
    assert recorded.status_code == 200 and "the harvest is recorded" in recorded.text
    # A rebuild after a harvest link went out still publishes (and sends no second link).
    assert api.post(f"/api/open-space/{event_id}/agenda", headers=staff).json()["version"] == 3
    assert api.runtime.run_schedule("openspace-harvest")["harvests_requested"] == 0
    # Any participant can add to it.
    added = api.post(
        f"/api/open-space/{event_id}/conversations/{kindness['conversation_id']}/harvest/additions",
        json={"text": "Try a kindness check-in at the start of meetings."},
        headers=headers[people[4]],
    )
    assert added.status_code == 201 and added.json()["additions"][0].endswith("check-in at the start of meetings.")

    # The proceedings are the team's until published; then one page, emailed to attendees.
    assert api.get(f"/api/open-space/{event_id}/proceedings", headers=headers[people[4]]).status_code == 404
    published = api.post(f"/api/open-space/{event_id}/proceedings", headers=staff)
    assert published.status_code == 200, published.text
    assert [h["title"] for h in published.json()["harvests"]] == ["Cultivating kindness"]
    page = api.get(f"/open-space/{event_id}/proceedings")
    assert page.status_code == 200 and "Kindness as a practice" in page.text
    assert api.one_mail(people[8], "Proceedings of")
    assert not api.mail(eleventh, subject="Proceedings of")  # a waiting-list place is not a place


def test_the_marketplace_closing_builds_the_agenda(api: Api, bristol: dict[str, Any]) -> None:
    event_id, people, headers = bristol["event_id"], bristol["people"], bristol["headers"]
    first = propose(api, event_id, headers[people[0]], "How we relate across difference")
    mark(api, event_id, first["conversation_id"], headers[people[1]])
    assert api.get(f"/api/open-space/{event_id}/agenda").status_code == 404
    past = iso(datetime.now(UTC) - timedelta(minutes=1))
    set_attributes(api, {"pk": f"OS#{event_id}", "sk": "MARKET"}, gsi1sk=f"{past}#{event_id}")
    assert api.runtime.run_schedule("openspace-agenda")["agendas_built"] >= 1
    agenda = api.get(f"/api/open-space/{event_id}/agenda")
    assert agenda.status_code == 200 and agenda.json()["placements"][0]["title"] == "How we relate across difference"
    # Built once: the next run leaves it alone.
    api.runtime.run_schedule("openspace-agenda")
    assert api.get(f"/api/open-space/{event_id}/agenda").json()["version"] == 1


def test_who_may_do_what(api: Api, email: Any, bristol: dict[str, Any]) -> None:
    event_id, people, headers = bristol["event_id"], bristol["people"], bristol["headers"]
    conversation = propose(api, event_id, headers[people[0]], "Effective collaboration and accessibility")
    cid = conversation["conversation_id"]
    body = {"title": "A title", "question": "A question long enough"}
    assert api.post(f"/api/open-space/{event_id}/conversations", json=body).status_code == 401
    outsider = api.auth(email("outsider"))
    assert api.post(f"/api/open-space/{event_id}/conversations", json=body, headers=outsider).status_code == 403
    assert api.post(f"/api/open-space/{event_id}/conversations/{cid}/mark", headers=outsider).status_code == 403
    assert api.post(f"/api/open-space/{event_id}/agenda", headers=headers[people[0]]).status_code == 403
    pin = api.post(f"/api/open-space/{event_id}/conversations/{cid}/pin", json={}, headers=headers[people[0]])
    assert pin.status_code == 403
    harvest = {"discussed": "Plenty."}
    assert (
        api.post(
            f"/api/open-space/{event_id}/conversations/{cid}/harvest", json=harvest, headers=headers[people[1]]
        ).status_code
        == 403
    )
    assert (
        api.post(
            f"/api/open-space/{event_id}/conversations/{cid}/harvest", json=harvest, headers=headers[people[0]]
        ).status_code
        == 200
    )
    assert api.post(f"/api/open-space/{event_id}/proceedings", headers=headers[people[0]]).status_code == 403


def test_bad_input_gets_a_clear_4xx(api: Api, bristol: dict[str, Any]) -> None:
    event_id, people, headers = bristol["event_id"], bristol["people"], bristol["headers"]
    staff = api.auth(STAFF, staff=True)
    member = headers[people[0]]
    assert api.get("/api/open-space/event_nope").status_code == 404
    assert api.get(f"/api/open-space/{event_id}/conversations/conv_nope").status_code == 404
    assert api.post(f"/api/open-space/{event_id}/conversations/conv_nope/mark", headers=member).status_code == 404
    short = api.post(f"/api/open-space/{event_id}/conversations", json={"title": "x", "question": "y"}, headers=member)
    assert short.status_code == 422 and short.json()["errors"]
    a = propose(api, event_id, member, "Making collaboration fully inclusive")
    b = propose(api, event_id, member, "Organisations working together")
    pin_to = f"/api/open-space/{event_id}/conversations/{{}}/pin"
    unknown = api.post(pin_to.format(a["conversation_id"]), json={"slot_id": "nope"}, headers=staff)
    assert unknown.status_code == 400 and "no such time slot" in unknown.json()["message"]
    slot = api.get(f"/api/open-space/{event_id}").json()["slots"][0]["slot_id"]
    assert api.post(pin_to.format(a["conversation_id"]), json={"slot_id": slot}, headers=staff).status_code == 200
    clash = api.post(pin_to.format(b["conversation_id"]), json={"slot_id": slot}, headers=staff)
    assert clash.status_code == 409 and "share a host" in clash.json()["message"]
    assert api.get("/open-space/harvest?token=forged").status_code == 400
    assert api.post("/open-space/co-host", data={"token": "forged"}).status_code == 400
    no_event = api.post(f"/api/events/{event_id}/signups", json={}, headers=member)
    assert no_event.status_code in (200, 201)
    plain = publish(api, open_space=None)
    assert api.get(f"/api/open-space/{plain}").status_code == 404


def test_a_member_downloads_and_erases_their_open_space_data(api: Api, bristol: dict[str, Any]) -> None:
    from tests.test_account import everything_mentioning

    event_id, people, headers = bristol["event_id"], bristol["people"], bristol["headers"]
    me, other = people[0], people[1]
    mine = propose(api, event_id, headers[me], "Meaningfully involving patients", co_host_emails=[people[2]])
    theirs = propose(api, event_id, headers[other], "How different organisations work together")
    mark(api, event_id, theirs["conversation_id"], headers[me])
    mark(api, event_id, mine["conversation_id"], headers[other])
    added = api.post(
        f"/api/open-space/{event_id}/conversations/{theirs['conversation_id']}/harvest/additions",
        json={"text": "Shared budgets make it real."},
        headers=headers[me],
    )
    assert added.status_code == 201
    api.settle()
    data = api.get("/api/account/data", headers=headers[me]).json()["openspace"]
    assert [c["title"] for c in data["conversations_hosted"]] == ["Meaningfully involving patients"]
    assert [c["title"] for c in data["conversations_marked"]] == ["How different organisations work together"]
    assert [a["text"] for a in data["added_to_harvests"]] == ["Shared budgets make it real."]

    erased = api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=headers[me])
    assert erased.status_code == 200, erased.text
    api.settle()
    assert everything_mentioning(api.runtime, me) == []
    market = {c["title"]: c for c in api.get(f"/api/open-space/{event_id}").json()["conversations"]}
    # What others rely on stays: the conversation (as a former member's), its marks, the addition's text.
    assert market["Meaningfully involving patients"]["hosts"] == ["Former member"]
    assert market["Meaningfully involving patients"]["interested"] == 1
    assert market["How different organisations work together"]["interested"] == 0
    proceedings = api.post(f"/api/open-space/{event_id}/proceedings", headers=api.auth(STAFF, staff=True)).json()
    harvest = {h["title"]: h for h in proceedings["harvests"]}["How different organisations work together"]
    assert harvest["additions"] == ["Former member: Shared budgets make it real."]


def test_the_team_pins_from_the_marketplace_page(api: Api, bristol: dict[str, Any]) -> None:
    event_id, people, headers = bristol["event_id"], bristol["people"], bristol["headers"]
    staff = api.auth(STAFF, staff=True)
    a = propose(api, event_id, headers[people[0]], "Making collaboration fully inclusive")
    b = propose(api, event_id, headers[people[0]], "Organisations working together")
    slot = api.get(f"/api/open-space/{event_id}").json()["slots"][1]["slot_id"]
    page = f"/open-space/{event_id}/conversations/{{}}/pin"
    pinned = api.post(page.format(a["conversation_id"]), data={"slot_id": slot, "space_id": ""}, headers=staff)
    assert pinned.status_code == 303 and pinned.headers["Location"].endswith("?done=pinned")
    clash = api.post(page.format(b["conversation_id"]), data={"slot_id": slot, "space_id": ""}, headers=staff)
    assert clash.status_code == 409 and "share a host" in clash.text and "There is a problem" in clash.text
    refused = api.post(page.format(a["conversation_id"]), data={"slot_id": ""}, headers=headers[people[1]])
    assert refused.status_code == 403
    conversations = {c["title"]: c for c in api.get(f"/api/open-space/{event_id}").json()["conversations"]}
    assert conversations["Making collaboration fully inclusive"]["pinned_slot"] == slot
    assert conversations["Organisations working together"]["pinned_slot"] is None
    marketplace = api.get(f"/open-space/{event_id}", headers=staff)
    assert "Pin it (team)" in marketplace.text
