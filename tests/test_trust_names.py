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
