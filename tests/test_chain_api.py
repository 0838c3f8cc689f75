"""The chain of ideas end to end over HTTP on the local runtime (issue 11): a member's Open Space
conversation at the Bristol event leads to a SIG, the SIG to a funded convener bid, the bid to a
newsletter item; each names where it came from (checked: it exists and its namer can see it),
shows it ("Came from" / "Led to"), and the event's "taken forward" page and the staff write-up
tell the story from the read model the ``chain-links`` consumer keeps."""

from __future__ import annotations

from typing import Any

import pytest
from test_funding_helpers import as_staff, links_for, open_round, review, submit, unique

from tests.conftest import Api
from tests.test_openspace_api import propose, publish, signed_up


def _sig(api: Api, headers: dict[str, str], **extra: Any) -> Any:
    body = {"name": unique("Coaching SIG"), "purpose": "Coaching approaches to support improvement.", **extra}
    return api.post("/api/sigs", json=body, headers=headers)


def _approve(api: Api, sig_id: str) -> None:
    decided = api.post(f"/api/sigs/{sig_id}/decision", json={"decision": "approve"}, headers=as_staff(api))
    assert decided.status_code == 200, decided.text


@pytest.fixture()
def conversation(api: Api, email) -> dict[str, Any]:
    event_id = publish(api)
    host = email("tom")
    headers = signed_up(api, event_id, host)
    made = propose(api, event_id, headers, "Responding to failure", themes=["failure", "kindness"])
    return {
        "event_id": event_id,
        "conversation_id": made["conversation_id"],
        "ref": f"conversation:{event_id}:{made['conversation_id']}",
        "host": host,
        "headers": headers,
    }


def test_a_conversation_leads_to_a_sig_a_funded_bid_and_a_newsletter_item(api: Api, email, conversation) -> None:
    event_id, ref, host = conversation["event_id"], conversation["ref"], conversation["host"]
    proposer = api.auth(host, name="Tom Hughes")
    proposed = _sig(api, proposer, origins=[ref, ref])
    assert proposed.status_code == 201, proposed.text
    sig_id = proposed.json()["sig_id"]
    came = api.get(f"/api/sigs/{sig_id}", headers=proposer).json()["came_from"]
    assert [(o["kind"], o["ref"], o["title"]) for o in came] == [("conversation", ref, "Responding to failure")]
    _approve(api, sig_id)

    r1, r2 = email("reviewer"), email("reviewer")
    rnd = open_round(api, [r1, r2])
    made = submit(
        api,
        rnd["round_id"],
        host,
        name="Tom Hughes",
        sig_id=sig_id,
        origins=[f"sig:{sig_id}"],
        consent_to_be_named=True,
    )
    links = links_for(api, made["bid_id"], [r1, r2])
    for reviewer in (r1, r2):
        assert review(api, links[reviewer], "approve").status_code == 200
    bid_ref = f"bid:{made['bid_id']}"
    item = {
        "title": "Coaching SIG funds a convener",
        "body": "Read all about it.",
        "section": "funding",
        "origins": [bid_ref],
    }
    added = api.post("/api/newsletter/items", json=item, headers=as_staff(api))
    assert added.status_code == 201, added.text
    api.settle()

    story = api.get(f"/api/chain/events/{event_id}").json()
    assert story["followed_count"] == 3
    themes = {t["theme"]: t["conversations"] for t in story["themes"]}
    assert set(themes) == {"failure", "kindness"}
    (chain,) = themes["failure"]
    assert chain["hosts"] == [conversation["host"].split(".")[0].title()]
    assert [f["kind"] for f in chain["followed"]] == ["sig", "bid", "newsletter"]
    kinds = {f["kind"]: f for f in chain["followed"]}
    assert kinds["bid"]["people"] == chain["hosts"] and kinds["bid"]["via"].startswith("Coaching SIG")
    assert kinds["newsletter"]["via"] == made["title"]
    assert kinds["sig"]["url"] == f"/sigs/{sig_id}" and kinds["sig"]["via"] == ""

    led = api.get("/api/chain/led-to", params={"ref": ref}).json()["led_to"]
    assert [f["ref"] for f in led] == [f"sig:{sig_id}"]
    assert [f["ref"] for f in api.get("/api/chain/led-to", params={"ref": f"sig:{sig_id}"}).json()["led_to"]] == [
        bid_ref
    ]
    page = api.get(f"/chain/events/{event_id}")
    assert page.status_code == 200 and "How ideas from Q community event: Bristol are being taken forward" in page.text
    assert "Responding to failure" in page.text and "Coaching SIG funds a convener" in page.text
    sig_page = api.get(f"/sigs/{sig_id}").text
    assert "Came from" in sig_page and "Led to" in sig_page and made["title"] in sig_page
    assert any(e["gathering_id"] == event_id for e in api.get("/api/chain").json()["events"])
    assert "Coaching SIG funds a convener" in api.get("/chain").text

    # The staff write-up tells the same story, in Markdown; staff edit and publish it.
    assert api.get(f"/api/chain/events/{event_id}/write-up", headers=proposer).status_code == 403
    draft = api.get(f"/api/chain/events/{event_id}/write-up", headers=as_staff(api)).json()
    assert (
        not draft["edited"] and "Responding to failure" in draft["markdown"] and chain["hosts"][0] in draft["markdown"]
    )
    edited = draft["markdown"] + "\n\nWith thanks to everyone in Bristol."
    saved = api.request(
        "PUT", f"/api/chain/events/{event_id}/write-up", json={"markdown": edited}, headers=as_staff(api)
    )
    assert saved.status_code == 200 and saved.json()["edited"]
    published = api.post(f"/api/chain/events/{event_id}/write-up/publication", headers=as_staff(api))
    assert published.status_code == 201, published.text
    again = api.post(f"/api/chain/events/{event_id}/write-up/publication", headers=as_staff(api))
    assert again.status_code == 409
    pending = api.get("/api/newsletter/items", headers=as_staff(api)).json()["items"]
    (write_up,) = [i for i in pending if i["item_id"] == published.json()["item_id"]]
    assert write_up["body"].endswith("With thanks to everyone in Bristol.")
    api.settle()
    story = api.get(f"/api/chain/events/{event_id}").json()
    assert [f["kind"] for f in story["from_the_event"]] == ["newsletter"]


def test_an_origin_that_does_not_exist_or_cannot_be_seen_is_refused(api: Api, email, conversation) -> None:
    member = api.auth(email("member"), name="Priya Shah")
    event_id = conversation["event_id"]
    missing = _sig(api, member, origins=[f"conversation:{event_id}:conv_nosuchthing"])
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "origins"
    assert "that you can see" in missing.json()["message"]
    assert _sig(api, member, origins=["sig:sig_nosuchgroup"]).status_code == 422
    assert _sig(api, member, origins=["event:event_nosuchevent"]).status_code == 422
    # Someone else's proposal (not approved yet) is not theirs to see: the same answer.
    other = _sig(api, api.auth(email("other"), name="Gareth Evans")).json()["sig_id"]
    hidden = _sig(api, member, origins=[f"sig:{other}"])
    assert hidden.status_code == 422 and hidden.json()["message"] == missing.json()["message"].replace(
        "Open Space conversation", "Special Interest Group"
    ).replace(f"conversation:{event_id}:conv_nosuchthing", f"sig:{other}")
    # A bid that is not funded (and not theirs) cannot be named either.
    rnd = open_round(api, [email("reviewer")])
    pending = submit(api, rnd["round_id"], email("applicant"), consent_to_be_named=True)
    assert _sig(api, member, origins=[f"bid:{pending['bid_id']}"]).status_code == 422
    # Malformed or too many origins: the schema says so, 422 with the field.
    bad = _sig(api, member, origins=["SELECT * FROM sigs"])
    assert bad.status_code == 422 and "origins" in bad.text
    assert _sig(api, member, origins=[f"sig:sig_{i}" for i in range(6)]).status_code == 422
    assert api.get("/api/chain/led-to", params={"ref": "nonsense"}).status_code == 422
    assert api.get("/api/chain/events/event_nosuchevent").status_code == 404
    assert api.get("/chain/events/event_nosuchevent").status_code == 404


def test_start_a_sig_from_this_conversation_prefills_the_origin(api: Api, email, conversation) -> None:
    event_id, ref = conversation["event_id"], conversation["ref"]
    member = api.auth(email("member"), name="Amara Okafor")
    page = api.get("/sigs/new", params={"origin": ref}, headers=member)
    assert page.status_code == 200
    assert "This comes from:" in page.text and "Responding to failure" in page.text
    assert f'name="origins" value="{ref}"' in page.text
    unknown = api.get("/sigs/new", params={"origin": f"conversation:{event_id}:conv_missing"}, headers=member)
    assert unknown.status_code == 200 and "that you can see" in unknown.text and 'name="origins"' not in unknown.text
    rounds = api.get("/funding", params={"origin": ref})
    assert rounds.status_code == 200
    sent = api.post(
        "/sigs/new",
        data={"name": unique("Kindness SIG"), "purpose": "Cultivating kindness in teams.", "origins": ref},
        headers=member,
    )
    assert sent.status_code == 303, sent.text
    sig_id = sent.headers["Location"].split("/sigs/")[1].split("?")[0]
    assert api.get(f"/api/sigs/{sig_id}", headers=member).json()["came_from"][0]["ref"] == ref
    refused = api.post(
        "/sigs/new",
        data={"name": unique("Kindness SIG"), "purpose": "Cultivating kindness in teams.", "origins": "sig:sig_gone"},
        headers=member,
    )
    assert refused.status_code == 422 and "that you can see" in refused.text


def test_a_visit_and_an_event_from_a_conversation_are_taken_forward(api: Api, email, conversation) -> None:
    from tests.test_openspace_api import event_body
    from tests.test_visits_helpers import visit_body

    event_id, ref = conversation["event_id"], conversation["ref"]
    visit = api.post("/api/visits", json={**visit_body(places=5), "origins": [ref]}, headers=as_staff(api))
    assert visit.status_code == 201, visit.text
    assert visit.json()["came_from"][0]["ref"] == ref
    follow_up = {**event_body(title="Responding to failure: a follow-up workshop"), "kind": "workshop"}
    follow_up.pop("open_space")
    made = api.post("/api/events", json={**follow_up, "origins": [f"event:{event_id}"]}, headers=as_staff(api))
    assert made.status_code == 201, made.text
    refused = api.post(
        "/api/visits", json={**visit_body(places=5), "origins": ["sig:sig_nosuch"]}, headers=as_staff(api)
    )
    assert refused.status_code == 422
    api.settle()
    story = api.get(f"/api/chain/events/{event_id}").json()
    (chain,) = story["themes"][0]["conversations"]
    assert [f["kind"] for f in chain["followed"]] == ["visit"]
    assert [f["title"] for f in story["from_the_event"]] == ["Responding to failure: a follow-up workshop"]
    page = api.get(f"/visits/{visit.json()['visit_id']}").text
    assert "Came from" in page and "Responding to failure" in page
    form = api.get("/visits/new", params={"origin": ref}, headers=as_staff(api))
    assert form.status_code == 200 and f'name="origins" value="{ref}"' in form.text


def test_the_monthly_issue_has_a_since_the_event_item(api: Api, email, conversation) -> None:
    from datetime import UTC, datetime

    from functions.chain.newsletter import since_items

    event_id, ref = conversation["event_id"], conversation["ref"]
    proposer = api.auth(conversation["host"], name="Tom Hughes")
    sig_id = _sig(api, proposer, origins=[ref]).json()["sig_id"]
    _approve(api, sig_id)
    api.settle()
    items = {i.item_id: i for i in since_items(datetime.now(UTC))}  # type: ignore[attr-defined]
    item = items[f"since-{event_id}-{datetime.now(UTC):%Y-%m}"]
    assert item.title == "Since Q community event: Bristol"  # type: ignore[attr-defined]
    assert "Special Interest Group started" in item.body and "Coaching SIG" in item.body  # type: ignore[attr-defined]
    assert item.link.endswith(f"/chain/events/{event_id}")  # type: ignore[attr-defined]


def test_the_write_up_page_explains_a_missing_write_up(api: Api, conversation) -> None:
    page = f"/chain/events/{conversation['event_id']}/write-up"
    assert api.get(page, headers=as_staff(api)).status_code == 200
    refused = api.post(page, data={"markdown": ""}, headers=as_staff(api))
    assert refused.status_code == 422 and "There is a problem" in refused.text, refused.text[-800:]
    member = api.auth("someone@example.org", name="Someone")
    assert api.post(page, data={"markdown": "Ten letters or more."}, headers=member).status_code == 403
    assert api.get(page).status_code == 303
