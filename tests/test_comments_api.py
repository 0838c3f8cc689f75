"""Comments from members over HTTP on the local runtime (issue 11 §4): a member's first comment
waits for the team, who decide it from an emailed, scanner-safe link (GET and HEAD change nothing;
the POST decides once); later comments are shown at once; targets are checked; anyone signed in
reports a comment once; only the team hides it; erasure and export reach comments."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import STAFF, Api
from tests.test_form_errors import cookie, csrf_of
from tests.test_openspace_api import propose, publish, signed_up

HELD_SUBJECT = "A first comment to approve on"


def _event(api: Api) -> tuple[str, str]:
    """A published event with a unique title (the team's emails name it)."""
    title = f"Q community event: Bristol {uuid.uuid4().hex[:6]}"
    return publish(api, title=title), title


def _post(api: Api, headers: dict[str, str], target: str, text: str) -> Any:
    return api.post("/api/comments", json={"target": target, "text": text}, headers=headers)


def _moderation_link(api: Api, title: str) -> str:
    message = api.one_mail(STAFF, f"{HELD_SUBJECT} How ideas from {title}")
    (link,) = [u for u in message["links"] if "/comments/moderate?token=" in u]
    return api.path(link)


def _thread(api: Api, target: str) -> list[dict[str, Any]]:
    response = api.get("/api/comments", params={"target": target})
    assert response.status_code == 200, response.text
    return list(response.json()["comments"])


def _token(link: str) -> str:
    return link.split("token=", 1)[1]


def test_a_first_comment_is_held_decided_once_from_the_emailed_link_and_later_ones_are_shown(api: Api, email) -> None:
    event_id, title = _event(api)
    target = f"taken-forward:{event_id}"
    author = email("priya")
    as_author = api.auth(author, name="Priya Shah")
    text = "Since Bristol our team runs a monthly learning-from-failure huddle. <b>bold</b>"
    posted = _post(api, as_author, target, text)
    assert posted.status_code == 201, posted.text
    assert posted.json()["status"] == "held" and "approved" in posted.json()["message"]
    comment_id = posted.json()["comment_id"]
    assert _thread(api, target) == []
    assert api.get(f"/api/comments/{comment_id}", headers=as_author).json()["status"] == "held"
    assert api.get(f"/api/comments/{comment_id}", headers=api.auth(email("other"))).status_code == 404

    # The team's email names the page, never the member's text or name; the team home counts it.
    message = api.one_mail(STAFF, f"{HELD_SUBJECT} How ideas from {title}")
    assert "huddle" not in message["text"] and "Priya" not in message["text"] and "huddle" not in message["html"]
    link = _moderation_link(api, title)
    staff = api.auth(STAFF, staff=True)
    assert f"comment-{comment_id}" in api.get("/staff", headers=staff).text

    # A mail scanner's GET and HEAD show the comment and change nothing.
    for method in ("GET", "HEAD", "GET"):
        page = api.request(method, link)
        assert page.status_code == 200
    assert "huddle" in page.text and "Approve" in page.text and "&lt;b&gt;bold" in page.text
    assert api.get(f"/api/comments/{comment_id}", headers=as_author).json()["status"] == "held"
    assert _thread(api, target) == []

    # The POST decides, once; the author hears it; the comment is shown, with the name, no address.
    token = _token(link)
    decided = api.post("/comments/moderate", data={"token": token, "decision": "approve"})
    assert decided.status_code == 200 and "approved" in decided.text
    (shown,) = _thread(api, target)
    assert shown["comment_id"] == comment_id and shown["author"] == "Priya Shah" and shown["text"] == text
    assert author not in api.get(f"/chain/events/{event_id}").text
    told = api.one_mail(author, "is shown")
    assert f"#comment-{comment_id}" in "".join(told["links"])
    assert f"comment-{comment_id}" not in api.get("/staff", headers=staff).text

    # The spent link says so (and changes nothing); a changed one too.
    again = api.post("/comments/moderate", data={"token": token, "decision": "reject"})
    assert again.status_code == 410 and "already been used" in again.text
    assert api.get(link).status_code == 410
    tampered = api.get(f"/comments/moderate?token={token[:-3]}abc")
    assert tampered.status_code == 400 and "This link cannot be used" in tampered.text
    assert api.get(f"/api/comments/{comment_id}").json()["status"] == "published"

    # Approved once: the member's later comments are shown at once (and nobody is emailed).
    later = _post(api, as_author, target, "And a second thought.")
    assert later.status_code == 201 and later.json()["status"] == "published"
    assert [c["text"] for c in _thread(api, target)] == [text, "And a second thought."]


def test_an_expired_link_and_one_of_a_former_team_member_change_nothing(api: Api, email, monkeypatch) -> None:
    from functions.common import tokens

    event_id, title = _event(api)
    comment_id = _post(api, api.auth(email("sam")), f"taken-forward:{event_id}", "Kindness matters.").json()[
        "comment_id"
    ]
    link = _moderation_link(api, title)
    monkeypatch.setitem(tokens.LIFETIMES, "comment-moderation", timedelta(seconds=-1))
    expired = api.post("/comments/moderate", data={"token": _token(link), "decision": "approve"})
    assert expired.status_code == 410 and "expired" in expired.text
    monkeypatch.undo()
    stranger = tokens.issue("comment-moderation", "not.staff@example.org", comment_id=comment_id)
    refused = api.get(f"/comments/moderate?token={stranger}")
    assert refused.status_code == 400 and "no longer on the team" in refused.text
    wrong = tokens.issue("sig-review", STAFF, sig_id="sig_1")
    assert "different action" in api.get(f"/comments/moderate?token={wrong}").text
    assert api.get(f"/api/comments/{comment_id}", headers=api.auth(STAFF, staff=True)).json()["status"] == "held"


def test_the_team_rejects_from_its_page_and_the_member_stays_held(api: Api, email) -> None:
    event_id, title = _event(api)
    target = f"taken-forward:{event_id}"
    author = email("jo")
    as_author = api.auth(author, name="Jo")
    comment_id = _post(api, as_author, target, "Buy my course!").json()["comment_id"]
    staff_session, _ = cookie(api, STAFF, name="Team")
    page = api.get("/comments/staff", headers=staff_session)
    assert page.status_code == 200 and "Buy my course!" in page.text
    member_session, _ = cookie(api, email("member"))
    assert api.get("/comments/staff", headers=member_session).status_code == 403
    no_csrf = api.post(f"/comments/{comment_id}/decision", data={"decision": "reject"}, headers=staff_session)
    assert no_csrf.status_code == 403
    form = {"decision": "reject", "csrf_token": csrf_of(page.text)}
    rejected = api.post(f"/comments/{comment_id}/decision", data=form, headers=staff_session)
    assert rejected.status_code == 303 and rejected.headers["Location"] == "/comments/staff?done=rejected"
    api.one_mail(author, "was not approved")
    # The emailed link now shows the outcome rather than the buttons.
    outcome = api.get(_moderation_link(api, title))
    assert "rejected" in outcome.text and 'value="approve"' not in outcome.text
    assert _post(api, as_author, target, "A real thought.").json()["status"] == "held"
    assert api.get(f"/comments/{comment_id}", headers=as_author).status_code == 200  # its author sees it
    decided = api.post(f"/api/comments/{comment_id}/decision", json={"decision": "approve"}, headers=api.auth(STAFF))
    assert decided.status_code == 409


def test_targets_are_checked_and_bad_input_is_refused_readably(api: Api, email) -> None:
    member = api.auth(email("kim"))
    event_id, _ = _event(api)
    assert _post(api, {}, f"taken-forward:{event_id}", "Hello").status_code == 401
    for target in ("taken-forward:event_nosuchevent", f"proceedings:{event_id}", "newsletter:nl_nosuchissue"):
        refused = _post(api, member, target, "Hello")
        assert refused.status_code == 404, (target, refused.text)
        assert refused.json()["errors"][0]["field"] == "target"
    for body in (
        {"target": "sig:sig_1", "text": "Hello"},
        {"target": f"taken-forward:{event_id}", "text": "   "},
        {"target": f"taken-forward:{event_id}", "text": "x" * 2001},
        {"target": f"taken-forward:{event_id}", "text": "Hi", "email": "me@example.org"},
    ):
        response = api.post("/api/comments", json=body, headers=member)
        assert response.status_code == 422 and response.json()["message"], body
    assert api.get("/api/comments", params={"target": "nonsense"}).status_code == 422

    # The form: CSRF for cookie sessions; a readable error page that keeps what was typed.
    session, _ = cookie(api, email("lee"))
    page = api.get(f"/chain/events/{event_id}", headers=session)
    assert 'action="/comments"' in page.text and 'href="/comments/policy"' in page.text
    form = {"target": f"taken-forward:{event_id}", "text": ""}
    assert api.post("/comments", data=form, headers=session).status_code == 403
    form["csrf_token"] = csrf_of(page.text)
    empty = api.post("/comments", data=form, headers=session)
    assert empty.status_code == 422 and "Write your comment" in empty.text
    form["text"] = "Thank you for hosting."
    sent = api.post("/comments", data=form, headers=session)
    assert sent.status_code == 303 and sent.headers["Location"].startswith("/comments/comment_")
    assert "approved" in api.get(sent.headers["Location"], headers=session).text


def test_signed_out_readers_are_asked_to_log_in_and_come_back(api: Api, email) -> None:
    event_id, _ = _event(api)
    host = email("tom")
    headers = signed_up(api, event_id, host)
    conversation_id = propose(api, event_id, headers, "Responding to failure")["conversation_id"]
    harvest = {"discussed": "Honesty.", "next_steps": "A Coaching SIG.", "keep_going": ""}
    path = f"/api/open-space/{event_id}/conversations/{conversation_id}/harvest"
    assert api.post(path, json=harvest, headers=headers).status_code == 200
    assert api.post(f"/api/open-space/{event_id}/proceedings", headers=api.auth(STAFF, staff=True)).status_code == 200
    page = api.get(f"/open-space/{event_id}/proceedings")
    assert "log in before posting your comment" in page.text
    assert f'href="/auth/sign-in?next=/open-space/{event_id}/proceedings%23comments"' in page.text
    assert 'href="/comments/policy"' in page.text and 'action="/comments"' not in page.text
    policy = api.get("/comments/policy")
    assert policy.status_code == 200 and "first comment" in policy.text
    assert _post(api, headers, f"proceedings:{event_id}", "Thanks, Tom.").status_code == 201


def test_reports_once_per_person_and_only_the_team_hides(api: Api, email) -> None:
    event_id, _ = _event(api)
    target = f"taken-forward:{event_id}"
    as_author = api.auth(email("ola"), name="Ola")
    comment_id = _post(api, as_author, target, "Something unkind.").json()["comment_id"]
    staff = api.auth(STAFF, staff=True)
    assert api.post(f"/api/comments/{comment_id}/decision", json={"decision": "approve"}, headers=staff).ok
    reader, other = api.auth(email("raj")), api.auth(email("eve"))
    report = api.post(f"/api/comments/{comment_id}/reports", json={"reason": "Unkind."}, headers=reader)
    assert report.status_code == 201, report.text
    assert api.post(f"/api/comments/{comment_id}/reports", json={}, headers=reader).status_code == 409
    assert api.post(f"/api/comments/{comment_id}/reports", json={}, headers=as_author).status_code == 409
    assert api.post(f"/api/comments/{comment_id}/reports", json={}, headers={}).status_code == 401
    assert api.post(f"/api/comments/{comment_id}/reports", json={}, headers=other).status_code == 201
    api.settle()
    queue = api.get("/api/comments/moderation", headers=staff).json()
    (reported,) = [c for c in queue["reported"] if c["comment_id"] == comment_id]
    assert reported["reports"] == 2
    assert api.get("/api/comments/moderation", headers=reader).status_code == 403
    assert f"comment-{comment_id}" in api.get("/staff", headers=staff).text

    hide = f"/api/comments/{comment_id}/hiding"
    assert api.post(hide, json={"reason": "Unkind."}, headers=reader).status_code == 403
    assert api.post(hide, json={"reason": ""}, headers=staff).status_code == 422
    assert _thread(api, target)[0]["comment_id"] == comment_id
    hidden = api.post(hide, json={"reason": "Breaks the policy: unkind."}, headers=staff)
    assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"
    assert _thread(api, target) == []
    assert "Something unkind." not in api.get(f"/chain/events/{event_id}").text
    assert api.post(hide, json={"reason": "Again."}, headers=staff).status_code == 409
    assert api.post(f"/api/comments/{comment_id}/reports", json={}, headers=api.auth(email("x"))).status_code == 404
    api.settle()
    assert all(
        c["comment_id"] != comment_id for c in api.get("/api/comments/moderation", headers=staff).json()["reported"]
    )
    assert f"comment-{comment_id}" not in api.get("/staff", headers=staff).text


def test_the_team_keeps_a_reported_comment_from_its_page(api: Api, email) -> None:
    event_id, _ = _event(api)
    target = f"taken-forward:{event_id}"
    comment_id = _post(api, api.auth(email("amara")), target, "Fair criticism.").json()["comment_id"]
    assert api.post(f"/api/comments/{comment_id}/decision", json={"decision": "approve"}, headers=api.auth(STAFF)).ok
    session, _ = cookie(api, email("reader"))
    report_page = api.get(f"/comments/{comment_id}/report", headers=session)
    assert report_page.status_code == 200 and "Report this comment" in report_page.text
    sent = api.post(
        f"/comments/{comment_id}/report", data={"csrf_token": csrf_of(report_page.text), "reason": ""}, headers=session
    )
    assert sent.status_code == 303 and "Thank you" in api.get(sent.headers["Location"], headers=session).text
    assert api.get(f"/comments/{comment_id}/report").status_code == 303  # signed out: sign in first
    staff_session, _ = cookie(api, STAFF, name="Team")
    page = api.get("/comments/staff", headers=staff_session)
    assert "Fair criticism." in page.text
    kept = api.post(f"/comments/{comment_id}/keep", data={"csrf_token": csrf_of(page.text)}, headers=staff_session)
    assert kept.status_code == 303
    assert "Fair criticism." not in api.get("/comments/staff", headers=staff_session).text
    assert [c["comment_id"] for c in _thread(api, target)] == [comment_id]


@pytest.mark.parametrize("state", ["held", "published"])
def test_comments_are_in_the_export_and_go_with_erasure(api: Api, email, state: str) -> None:
    event_id, _ = _event(api)
    target = f"taken-forward:{event_id}"
    address = email("leaving")
    member = api.auth(address, name="Sam Leaving")
    comment_id = _post(api, member, target, "My own words.").json()["comment_id"]
    if state == "published":
        staff = api.auth(STAFF, staff=True)
        assert api.post(f"/api/comments/{comment_id}/decision", json={"decision": "approve"}, headers=staff).ok
    other = _post(api, api.auth(email("stays")), target, "Another's words.").json()["comment_id"]
    api.post(f"/api/comments/{other}/decision", json={"decision": "approve"}, headers=api.auth(STAFF, staff=True))
    assert api.post(f"/api/comments/{other}/reports", json={"reason": "Mine to give."}, headers=member).status_code in (
        201,
        404,
    )
    data = api.get("/api/account/data", headers=member).json()["comments"]
    (mine,) = data["comments"]
    assert mine["text"] == "My own words." and mine["status"] == state and mine["name_shown"] == "Sam Leaving"
    erased = api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=member)
    assert erased.status_code == 200, erased.text
    api.settle()
    staff = api.auth(STAFF, staff=True)
    assert api.get(f"/api/comments/{comment_id}", headers=staff).status_code == 404
    assert [c["comment_id"] for c in _thread(api, target)] == [other]
    assert f"comment-{comment_id}" not in api.get("/staff", headers=staff).text
    assert api.get(f"/api/comments/{other}", headers=staff).json()["reports"] == 1  # the count stays


def test_members_comment_on_a_sent_issue_not_on_a_draft(api: Api, email) -> None:
    from functions.common.store import Put, Store

    tag = uuid.uuid4().hex[:8]
    for status in ("approved", "draft"):
        issue = {"pk": f"NEWSLETTER#nl_{status}{tag}", "sk": "ISSUE", "issue_id": f"nl_{status}{tag}"}
        Store().write([Put({**issue, "title": f"Q-municate {tag}", "status": status, "created_at": "2026-11-01"})])
    member = api.auth(email("gareth"))
    sent = _post(api, member, f"newsletter:nl_approved{tag}", "Great news about the Coaching SIG.")
    assert sent.status_code == 201, sent.text
    assert api.get(f"/api/comments/{sent.json()['comment_id']}", headers=member).json()["target_title"] == (
        f"Q-municate {tag}"
    )
    assert _post(api, member, f"newsletter:nl_draft{tag}", "Too early.").status_code == 404
    assert api.get("/api/comments", params={"target": f"newsletter:nl_draft{tag}"}).status_code == 404


def test_a_member_not_yet_approved_cannot_flood_the_team(api: Api, email) -> None:
    event_id, _ = _event(api)
    member = api.auth(email("flood"))
    codes = [_post(api, member, f"taken-forward:{event_id}", f"Comment {n}").status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = _post(api, member, f"taken-forward:{event_id}", "Again")
    assert refused.status_code == 429 and refused.headers["Retry-After"] and "waiting for the team" in refused.text
