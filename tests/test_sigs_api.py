"""SIGs end to end over HTTP against the local runtime: propose, staff review by email
link, approval emails, join, leave, member lists, and the rules around them."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlparse

from tests.conftest import STAFF, Api


def unique_name(base: str = "Kindness SIG") -> str:
    return f"{base} {uuid.uuid4().hex[:6]}"


def propose(api: Api, proposer: str, name: str, **extra: object) -> str:
    response = api.post(
        "/api/sigs",
        json={"name": name, "purpose": "Cultivating kindness in health and care teams.", **extra},
        headers=api.auth(proposer, name="Amara Okafor"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "proposed"
    return str(response.json()["sig_id"])


def review_link(api: Api, name: str) -> str:
    message = api.one_mail(STAFF, subject=name)
    links = [link for link in message["links"] if "/review?token=" in link]
    assert len(links) == 1
    return links[0].replace("http://127.0.0.1:3000", api.url)


def test_propose_review_approve_join_leave(api: Api, email) -> None:
    proposer, co_convener, joiner = email("proposer"), email("co"), email("joiner")
    name = unique_name()
    sig_id = propose(api, proposer, name, themes=["kindness", "Kindness", "teams"], co_convener_emails=[co_convener])

    # Not public until approved; the proposer can see it.
    assert api.get(f"/api/sigs/{sig_id}").status_code == 404
    assert api.get(f"/api/sigs/{sig_id}", headers=api.auth(proposer)).json()["status"] == "proposed"
    assert sig_id not in [s["sig_id"] for s in api.get("/api/sigs").json()["sigs"]]

    link = review_link(api, name)
    path = urlparse(link).path + "?" + urlparse(link).query

    # Scanners GET and HEAD the link: nothing changes.
    for _ in range(2):
        assert api.request("HEAD", path).status_code == 200
        page = api.get(path)
        assert page.status_code == 200 and "Approve" in page.text
    assert api.get(f"/api/sigs/{sig_id}", headers=api.auth(proposer)).json()["status"] == "proposed"

    token = parse_qs(urlparse(link).query)["token"][0]
    decided = api.post(f"/sigs/{sig_id}/review", data={"token": token, "decision": "approve", "note": "Welcome!"})
    assert decided.status_code == 200
    assert "was <strong>approved</strong> by community.team@q.example.org" in decided.text

    # A second decision with the same link changes nothing and says who decided.
    again = api.post(f"/sigs/{sig_id}/review", data={"token": token, "decision": "reject", "note": "no"})
    assert "approved</strong> by community.team@q.example.org" in again.text
    assert api.get(f"/api/sigs/{sig_id}").json()["status"] == "approved"

    # Proposer and co-convener are told; the group is in the directory with its proposer as member.
    assert "approved" in api.one_mail(proposer, subject=name)["subject"]
    # The named co-convener convenes once they confirm by their link (tests/test_trust_names.py).
    invitation = api.one_mail(co_convener, subject="named you as a co-convener")
    confirm = next(x for x in invitation["links"] if "/conveners/confirm?token=" in x)
    confirm_token = parse_qs(urlparse(confirm).query)["token"][0]
    assert api.post(f"/sigs/{sig_id}/conveners/confirm", data={"token": confirm_token}).status_code == 200
    listed = {s["sig_id"]: s for s in api.get("/api/sigs").json()["sigs"]}
    assert listed[sig_id]["member_count"] == 1
    assert "@" not in "".join(listed[sig_id]["conveners"])

    joined = api.post(f"/api/sigs/{sig_id}/members", headers=api.auth(joiner))
    assert joined.status_code == 201 and joined.json()["status"] == "joined"
    twice = api.post(f"/api/sigs/{sig_id}/members", headers=api.auth(joiner))
    assert twice.status_code == 200 and twice.json()["status"] == "already a member"
    assert api.get(f"/api/sigs/{sig_id}").json()["member_count"] == 2

    # Members' emails: conveners and staff only.
    assert api.get(f"/api/sigs/{sig_id}/members", headers=api.auth(joiner)).status_code == 403
    assert api.get(f"/api/sigs/{sig_id}/members").status_code == 401
    for viewer in (api.auth(proposer), api.auth(co_convener), api.auth(email("staff"), staff=True)):
        members = api.get(f"/api/sigs/{sig_id}/members", headers=viewer).json()["members"]
        assert {m["email"] for m in members} == {proposer, joiner}

    assert api.delete(f"/api/sigs/{sig_id}/members/me", headers=api.auth(joiner)).status_code == 204
    assert api.delete(f"/api/sigs/{sig_id}/members/me", headers=api.auth(joiner)).status_code == 404
    assert api.get(f"/api/sigs/{sig_id}").json()["member_count"] == 1


def test_rejection_emails_the_note_and_frees_the_name(api: Api, email) -> None:
    proposer = email("proposer")
    name = unique_name("Open Space SIG")
    sig_id = propose(api, proposer, name)
    staff = api.auth(email("staff"), staff=True)
    response = api.post(
        f"/api/sigs/{sig_id}/decision",
        json={"decision": "reject", "note": "Please join the Coaching SIG"},
        headers=staff,
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    message = api.one_mail(proposer, subject=name)
    assert "Please join the Coaching SIG" in message["text"]
    assert api.post(f"/api/sigs/{sig_id}/decision", json={"decision": "approve"}, headers=staff).status_code == 409
    # The name is free again once the proposal is rejected.
    propose(api, proposer, name)


def test_duplicate_names_are_refused_ignoring_case_and_spacing(api: Api, email) -> None:
    name = unique_name("Coaching  SIG")
    propose(api, email(), name)
    clash = api.post(
        "/api/sigs",
        json={"name": "  " + name.upper().replace("  ", " ") + " ", "purpose": "Another coaching group for members."},
        headers=api.auth(email()),
    )
    assert clash.status_code == 409
    assert clash.json()["errors"][0]["field"] == "name"


def test_a_failed_proposal_publishes_no_event(api: Api, email, runtime) -> None:
    name = unique_name()
    propose(api, email(), name)
    api.settle()
    before = sum(p.delivered for p in runtime.stream_pollers)
    assert (
        api.post(
            "/api/sigs",
            json={"name": name, "purpose": "A duplicate that must not be announced."},
            headers=api.auth(email()),
        ).status_code
        == 409
    )
    api.settle()
    assert sum(p.delivered for p in runtime.stream_pollers) == before
    assert len(api.mail(STAFF, subject=name)) == 1


def test_proposing_needs_a_session(api: Api) -> None:
    response = api.post("/api/sigs", json={"name": "Anonymous SIG", "purpose": "Nobody signed in here."})
    assert response.status_code == 401
    bad = api.post(
        "/api/sigs",
        json={"name": "Anonymous SIG", "purpose": "x" * 20},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert bad.status_code == 401
    assert "sign in" in bad.json()["message"].lower()


def test_non_staff_cannot_decide_or_list_proposals(api: Api, email) -> None:
    sig_id = propose(api, email(), unique_name())
    member = api.auth(email())
    assert api.post(f"/api/sigs/{sig_id}/decision", json={"decision": "approve"}, headers=member).status_code == 403
    assert api.get("/api/sigs?status=proposed", headers=member).status_code == 403
    staff = api.auth(email(), staff=True)
    proposed = api.get("/api/sigs?status=proposed", headers=staff).json()["sigs"]
    assert sig_id in [s["sig_id"] for s in proposed]


def test_cannot_join_a_proposal(api: Api, email) -> None:
    proposer = email()
    sig_id = propose(api, proposer, unique_name())
    assert api.post(f"/api/sigs/{sig_id}/members", headers=api.auth(email())).status_code == 404
    assert api.post(f"/api/sigs/{sig_id}/members", headers=api.auth(proposer)).status_code == 409
