"""Naming another person gives them nothing until they confirm by link; decision links check the
role as the button is pressed; look-alike names are the same name."""

from __future__ import annotations

import uuid

from tests.conftest import STAFF, Api


def _link(api: Api, to: str, subject: str, marker: str) -> str:
    message = api.one_mail(to, subject=subject)
    return Api.path(next(link for link in message["links"] if marker in link))


def _token(path: str) -> str:
    return path.split("token=", 1)[1]


def test_a_named_co_convener_has_no_rights_and_is_not_shown_until_they_confirm(api: Api, email) -> None:
    proposer, named = email("proposer"), email("named")
    body = {
        "name": f"Named Conveners {uuid.uuid4().hex[:6]}",
        "purpose": "Proving that naming someone gives them nothing.",
        "co_convener_emails": [named],
    }
    created = api.post("/api/sigs", json=body, headers=api.auth(proposer, name="Pat Proposer"))
    assert created.status_code == 201, created.text
    sig_id = created.json()["sig_id"]
    as_named = api.auth(named, name="Nadia Named")

    # Before confirming: the proposal is not visible to them, and once approved they cannot see members.
    assert api.get(f"/api/sigs/{sig_id}", headers=as_named).status_code == 404
    review = _link(api, STAFF, body["name"], f"/sigs/{sig_id}/review?token=")
    decided = api.post(f"/sigs/{sig_id}/review", data={"token": _token(review), "decision": "approve"})
    assert decided.status_code == 200
    api.settle()
    assert api.get(f"/api/sigs/{sig_id}/members", headers=as_named).status_code == 403
    assert api.get(f"/api/sigs/{sig_id}").json()["conveners"] == ["Pat Proposer"]
    assert not api.mail(named, subject="has been approved")  # the outcome goes to conveners only

    # The invitation: GET and HEAD show a button and change nothing.
    invitation = _link(api, named, "named you as a co-convener", "/conveners/confirm?token=")
    for method in ("HEAD", "GET", "GET"):
        assert api.request(method, invitation).status_code == 200
    assert api.get(f"/api/sigs/{sig_id}/members", headers=as_named).status_code == 403
    page = api.get(invitation)
    assert "Yes, I convene this group" in page.text and 'method="post"' in page.text

    confirmed = api.post(f"/sigs/{sig_id}/conveners/confirm", data={"token": _token(invitation)})
    assert confirmed.status_code == 200 and "You now convene" in confirmed.text
    assert api.get(f"/api/sigs/{sig_id}/members", headers=as_named).status_code == 200
    assert "Nadia Named" in api.get(f"/api/sigs/{sig_id}").json()["conveners"]
    # Pressing the button again shows the outcome; the link cannot be used for anything else.
    again = api.post(f"/sigs/{sig_id}/conveners/confirm", data={"token": _token(invitation)})
    assert again.status_code == 200 and "You now convene" in again.text


def test_an_invitation_link_is_bound_to_its_group_and_person(api: Api, email) -> None:
    proposer, named = email("proposer"), email("named")
    name = f"Bound Invitation {uuid.uuid4().hex[:6]}"
    body = {"name": name, "purpose": "Links are bound to one group.", "co_convener_emails": [named]}
    sig_id = api.post("/api/sigs", json=body, headers=api.auth(proposer)).json()["sig_id"]
    other = api.post(
        "/api/sigs", json={**body, "name": name + " two", "co_convener_emails": []}, headers=api.auth(proposer)
    ).json()["sig_id"]
    invitation = _link(api, named, "named you as a co-convener", "/conveners/confirm?token=")
    wrong = api.post(f"/sigs/{other}/conveners/confirm", data={"token": _token(invitation)})
    assert wrong.status_code == 400
    forged = api.post(f"/sigs/{sig_id}/conveners/confirm", data={"token": _token(invitation)[:-3] + "abc"})
    assert forged.status_code == 400


def test_a_sig_review_link_checks_the_staff_role_when_pressed(api: Api, email, monkeypatch) -> None:
    from functions.common import settings

    proposer = email("proposer")
    body = {"name": f"Role Now {uuid.uuid4().hex[:6]}", "purpose": "A reviewer who has left the team."}
    sig_id = api.post("/api/sigs", json=body, headers=api.auth(proposer)).json()["sig_id"]
    review = _link(api, STAFF, body["name"], f"/sigs/{sig_id}/review?token=")
    monkeypatch.setenv("STAFF_EMAILS", "someone.else@q.example.org")
    settings.settings.cache_clear()
    try:
        refused = api.post(f"/sigs/{sig_id}/review", data={"token": _token(review), "decision": "approve"})
        assert refused.status_code == 400 and "no longer on the team" in refused.text
    finally:
        monkeypatch.undo()
        settings.settings.cache_clear()
    assert api.get(f"/api/sigs/{sig_id}", headers=api.auth(proposer)).json()["status"] == "proposed"
    # Back on the team, the same link works.
    assert api.post(f"/sigs/{sig_id}/review", data={"token": _token(review), "decision": "approve"}).status_code == 200


def test_a_look_alike_sig_name_is_taken(api: Api, email) -> None:
    base = f"Kindness Circle {uuid.uuid4().hex[:4]}"
    body = {"name": base, "purpose": "The first group with this name."}
    assert api.post("/api/sigs", json=body, headers=api.auth(email("first"))).status_code == 201
    for look_alike in (
        base.replace("i", "\u0456"),  # Cyrillic і
        base.replace("C", "\u0421"),  # Cyrillic С
        base.replace("K", "\uff2b"),  # fullwidth Ｋ
        base.replace("nd", "n\u200bd"),  # zero-width space
        base.upper(),
        base.replace(" ", "  "),
    ):
        taken = api.post("/api/sigs", json={**body, "name": look_alike}, headers=api.auth(email("second")))
        assert taken.status_code == 409, (look_alike, taken.text)


def test_a_named_co_applicant_takes_no_one_off_the_panel_until_they_confirm(api: Api, email) -> None:
    """Naming panel members as co-applicants cannot choose one's reviewers: unconfirmed names
    leave the panel as it is and staff are told why; a confirmed co-applicant loses the review."""
    from test_funding_helpers import (
        bid,
        confirm_co_applicant,
        history,
        open_round,
        review,
        review_link,
        staff,
        submit,
    )

    applicant, named, other = email("applicant"), email("named"), email("reviewer")
    rnd = open_round(api, [other, named], decision_rule={"approvals_needed": 1})
    made = submit(api, rnd["round_id"], applicant, co_applicant_emails=[named])
    bid_id = made["bid_id"]
    api.settle()
    assert sorted(r["email"] for r in bid(api, bid_id)["reviewers"]) == sorted([other, named])
    alert = api.one_mail(staff(api), subject=f"A bid names reviewers as co-applicants: {made['title']}")
    assert named in alert["text"] and "have not confirmed" in alert["text"]
    assert "flagged to staff" in [h["action"] for h in history(api, bid_id)]
    their_link = review_link(api, named, bid_id)

    # GET of the invitation changes nothing; the POST confirms, and the review is theirs no more.
    invitation = next(
        x for x in api.one_mail(named, subject="named you as a co-applicant")["links"] if "co-applicants/confirm" in x
    )
    assert api.get(Api.path(invitation)).status_code == 200
    assert named in [r["email"] for r in bid(api, bid_id)["reviewers"]]
    confirmed = confirm_co_applicant(api, named, bid_id)
    assert confirmed.status_code == 200 and "You are a co-applicant" in confirmed.text
    api.settle()
    assert [r["email"] for r in bid(api, bid_id)["reviewers"]] == [other]
    refused = review(api, their_link, "approve")
    assert refused.status_code == 403 and bid(api, bid_id)["status"] == "in_review"


def test_a_newsletter_approval_link_checks_the_editor_role_when_pressed(api: Api, monkeypatch) -> None:
    """A link sent to an editor who has since left the team approves nothing."""
    from functions.common import settings, tokens

    left = "left.the.team@q.example.org"
    monkeypatch.setenv("STAFF_EMAILS", f"{STAFF},{left}")
    settings.settings.cache_clear()
    token = tokens.issue("newsletter-approve", left, issue_id="nl_00000000000000000000000000")
    monkeypatch.setenv("STAFF_EMAILS", STAFF)  # they leave the team after the email was sent
    settings.settings.cache_clear()
    try:
        refused = api.post("/newsletter/issues/nl_00000000000000000000000000/review", data={"token": token})
        assert refused.status_code == 400 and "no longer on the team" in refused.text
    finally:
        monkeypatch.undo()
        settings.settings.cache_clear()
