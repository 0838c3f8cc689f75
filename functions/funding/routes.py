"""Funding API and pages."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any, Literal
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query

from functions.common import tokens
from functions.common.dates import read_all
from functions.common.errors import DomainError, Forbidden
from functions.common.forms import Messages, lines, validate
from functions.common.http import App, User, attachment
from functions.common.ids import utcnow
from functions.common.settings import settings
from functions.common.web import parse_form
from schemas.api.funding import (
    AddReviewer,
    BidCreated,
    BidHistory,
    BidList,
    BidSummary,
    BidView,
    BudgetLineView,
    CreateBid,
    CreateRound,
    DecisionRuleView,
    HistoryEntryView,
    ReviewBid,
    ReviewCounts,
    ReviewerView,
    RoundList,
    RoundStaffView,
    RoundView,
)
from schemas.events.origins import Origin

from . import co_applicants, export
from .domain import STATUS_LABELS, AlreadyReviewed, Bid, BidDecided, BidStatus, Decision, Problems, Round, RoundState
from .service import FundingService, RequestKeyReused

RoundId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
BidId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]

#: Rows of budget lines on the bid form (plain HTML: no script adds rows).
LINE_ROWS = 8
_POUNDS = re.compile(r"^\d{1,8}(\.\d{1,2})?$")


# -- views ----------------------------------------------------------------------------------------
def round_view(rnd: Round, bids: list[Bid] | None = None) -> RoundView:
    """The public view of a round; with ``bids`` (staff only) the money and the bids too."""
    staff = None
    if bids is not None:
        by_status: dict[str, list[BidSummary]] = {s.value: [] for s in BidStatus}
        for bid in bids:
            by_status[bid.status.value].append(bid_summary(bid, staff=True))
        staff = RoundStaffView(
            awarded_pence=rnd.awarded_pence,
            remaining_pence=rnd.remaining_pence,
            reviewer_emails=list(rnd.reviewer_emails),
            bids_by_status=by_status,
        )
    return RoundView(
        round_id=rnd.round_id,
        name=rnd.name,
        description=rnd.description,
        state=rnd.state(utcnow()).value,  # type: ignore[arg-type]
        opens_at=rnd.opens_at.isoformat(),
        closes_at=rnd.closes_at.isoformat(),
        review_ends_at=rnd.review_ends_at.isoformat(),
        budget_pence=rnd.budget_pence,
        max_award_pence=rnd.max_award_pence,
        decision_rule=DecisionRuleView(
            approvals_needed=rnd.rule.approvals_needed,
            higher_amount_pence=rnd.rule.higher_amount_pence,
            approvals_needed_above=rnd.rule.approvals_needed_above,
            description=rnd.rule.describe(),
        ),
        review_period_days=rnd.review_period_days,
        staff=staff,
    )


def bid_summary(bid: Bid, *, staff: bool = False) -> BidSummary:
    return BidSummary(
        bid_id=bid.bid_id,
        round_id=bid.round_id,
        title=bid.title,
        amount_pence=bid.amount_pence,
        status=bid.status.value,  # type: ignore[arg-type]
        submitted_at=bid.submitted_at,
        decided_at=bid.decided_at,
        applicant_name=bid.applicant.name if staff else None,
    )


def bid_view(bid: Bid, *, staff: bool) -> BidView:
    from functions.chain.pages import origin_view

    return BidView(
        bid_id=bid.bid_id,
        round_id=bid.round_id,
        round_name=bid.round_name,
        title=bid.title,
        summary=bid.summary,
        amount_pence=bid.amount_pence,
        sig_id=bid.sig.sig_id if bid.sig else None,
        sig_name=bid.sig.name if bid.sig else None,
        budget_lines=[BudgetLineView(description=b.description, amount_pence=b.amount_pence) for b in bid.budget_lines],
        co_applicant_emails=list(bid.co_applicant_emails),
        consent_to_be_named=bid.consent_to_be_named,
        status=bid.status.value,  # type: ignore[arg-type]
        submitted_at=bid.submitted_at,
        decided_at=bid.decided_at,
        decision_reason=bid.decision_reason,
        reviews=ReviewCounts(
            approvals=bid.count(Decision.APPROVE),
            rejections=bid.count(Decision.REJECT),
            abstentions=bid.count(Decision.ABSTAIN),
            pending=bid.awaiting_review,
            not_needed=bid.reviews_not_needed,
            approvals_needed=bid.approvals_needed,
        ),
        # Comments reach the applicant with the decision, never who wrote them.
        comments=bid.comments if not bid.undecided else [],
        reviewers=(
            [
                ReviewerView(
                    email=r.reviewer,
                    assigned_at=r.assigned_at,
                    decision=r.decision.value if r.decision else None,  # type: ignore[arg-type]
                    comment=r.comment,
                    reviewed_at=r.reviewed_at,
                    reminded_at=r.reminded_at,
                )
                for r in bid.reviews
            ]
            if staff
            else None
        ),
        needs_reviewers=bid.needs_reviewers if staff else False,
        came_from=[origin_view(o) for o in bid.origins],
    )


# -- form parsing -----------------------------------------------------------------------------------
def parse_pounds(raw: str) -> int | None:
    """ "1,250.50" or "£1250.5" as pence; None if it is not an amount of money."""
    text = raw.strip().removeprefix("£").replace(",", "").strip()
    if not _POUNDS.match(text):
        return None
    whole, _, part = text.partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


_POUNDS_HINT = "Enter an amount in pounds, like 1250 or 1,250.50."

#: The bid form's fields in the order it shows them: its error summary follows this order.
BID_FIELDS = ["title", "summary", "amount_pence", "sig_id", "budget_lines"]
BID_FIELDS += [f"line_{part}_{row}" for row in range(1, LINE_ROWS + 1) for part in ("description", "amount")]
BID_FIELDS += ["co_applicant_emails", "consent_to_be_named", "round_id", "request_key"]

#: GOV.UK-style messages for the bid form, in its own words.
BID_MESSAGES: Messages = {
    "title": {
        "missing": "Enter a title for your bid",
        "too_long": "The title must be 120 characters or fewer",
        "*": "Enter a title of at least 3 characters",
    },
    "summary": {
        "missing": "Say what the funding will do",
        "too_long": "What the funding will do must be 4,000 characters or fewer",
        "*": "Say what the funding will do in at least 10 characters",
    },
    "co_applicant_emails": {
        "too_long": "Name at most 5 co-applicants",
        "*": "Enter co-applicant {line}'s email address in the correct format, like name@example.com",
    },
}


def in_form_order(errors: dict[str, str], fields: list[str]) -> dict[str, str]:
    order = {name: index for index, name in enumerate(fields)}
    return dict(sorted(errors.items(), key=lambda kv: order.get(kv[0], len(order))))


def budget_rows(form: dict[str, str], *, add: bool = False) -> int:
    """How many budget rows the form shows: one to start with (a phone shows no wall of empty
    rows), every row in use, and one more when the member asks for it."""
    used = [
        row for row in range(1, LINE_ROWS + 1) if form.get(f"line_description_{row}") or form.get(f"line_amount_{row}")
    ]
    try:
        shown = int(form.get("line_rows", "1"))
    except ValueError:
        shown = 1
    rows = max([1, min(max(shown, 1), LINE_ROWS), *used])
    return min(rows + (1 if add else 0), LINE_ROWS)


def budget_total(form: dict[str, str]) -> int:
    """The sum of the budget lines typed so far, in pence (lines that are not amounts count 0)."""
    return sum(parse_pounds(form.get(f"line_amount_{row}", "")) or 0 for row in range(1, LINE_ROWS + 1))


def bid_from_form(form: dict[str, str]) -> tuple[CreateBid | None, dict[str, str]]:
    errors: dict[str, str] = {}
    amount = parse_pounds(form.get("amount_pence", ""))
    if amount is None:
        errors["amount_pence"] = "Enter the amount you are asking for in pounds, like 1250 or 1,250.50"
    budget: list[dict[str, Any]] = []
    for row in range(1, LINE_ROWS + 1):
        description = form.get(f"line_description_{row}", "").strip()
        raw_amount = form.get(f"line_amount_{row}", "").strip()
        if not description and not raw_amount:
            continue
        line_amount = parse_pounds(raw_amount)
        if not description:
            errors[f"line_description_{row}"] = f"Enter what budget line {row} pays for"
        if line_amount is None:
            errors[f"line_amount_{row}"] = f"Enter budget line {row}'s amount in pounds, like 1250 or 1,250.50"
        budget.append({"description": description, "amount_pence": line_amount or 0})
    bid, invalid = validate(
        CreateBid,
        {
            "title": form.get("title", ""),
            "summary": form.get("summary", ""),
            "amount_pence": amount or 0,
            "sig_id": form.get("sig_id") or None,
            "budget_lines": budget,
            "co_applicant_emails": lines(form.get("co_applicant_emails", "")),
            "consent_to_be_named": form.get("consent_to_be_named") == "yes",
            "origins": form.get("origins", "").split(),
        },
        BID_MESSAGES,
    )
    if any(name.startswith("line_") for name in errors):
        invalid.pop("budget_lines", None)  # the lines at fault are named one by one
    # Our own messages (in pounds) beat the model's (about pence) for the same field.
    return (bid if not errors else None), in_form_order({**invalid, **errors}, BID_FIELDS)


def _whole(raw: str) -> int | None:
    text = raw.strip()
    return int(text) if text.isdigit() and len(text) < 6 else None


def round_from_form(form: dict[str, str]) -> tuple[CreateRound | None, dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    dates, errors = read_all(
        form, {"opens_at": "the round opens", "closes_at": "the round closes"}, settings().timezone
    )
    values.update(dates)
    for name in ("budget_pence", "max_award_pence"):
        values[name] = parse_pounds(form.get(name, ""))
        if values[name] is None:
            errors[name] = _POUNDS_HINT
    for name in ("approvals_needed", "review_period_days", "reminder_after_days"):
        values[name] = _whole(form.get(name, ""))
        if values[name] is None:
            errors[name] = "Enter a whole number."
    higher = form.get("higher_amount_pence", "").strip()
    above = form.get("approvals_needed_above", "").strip()
    rule: dict[str, Any] = {"approvals_needed": values.pop("approvals_needed") or 1}
    if higher or above:
        rule["higher_amount_pence"] = parse_pounds(higher)
        rule["approvals_needed_above"] = _whole(above)
        if rule["higher_amount_pence"] is None:
            errors["higher_amount_pence"] = _POUNDS_HINT
        if rule["approvals_needed_above"] is None:
            errors["approvals_needed_above"] = "Enter a whole number, or leave both higher-amount fields empty."
    draft, invalid = validate(
        CreateRound,
        {
            **{k: (v if v is not None else 0) for k, v in values.items()},
            "opens_at": values.get("opens_at") or utcnow(),
            "closes_at": values.get("closes_at") or utcnow(),
            "name": form.get("name", ""),
            "description": form.get("description", ""),
            "reviewer_emails": lines(form.get("reviewer_emails", "")),
            "decision_rule": rule,
        },
    )
    return (draft if not errors else None), {**invalid, **errors}


def register(app: App) -> None:
    service = FundingService()

    def sign_in_first() -> Response[str]:
        # Back to this very page once signed in (the sign-in flow accepts only local paths).
        return app.redirect("/auth/sign-in?next=" + quote(app.current_event.path))

    def staff_bids(rnd: Round, user: User | None) -> list[Bid] | None:
        return service.round_with_bids(rnd.round_id, user)[1] if user and user.is_staff else None

    # -- API: rounds ------------------------------------------------------------------------------
    @app.post("/api/rounds", tags=["Funding"], status_code=201, summary="Open a funding round (staff)")
    def open_round(body: Annotated[CreateRound, Body()]) -> RoundView:
        return round_view(service.open_round(body, app.require_staff()), [])

    @app.get("/api/rounds", tags=["Funding"], summary="List funding rounds (open ones by default)")
    def list_rounds(
        state: Annotated[Literal["open", "upcoming", "closed", "all"], Query()] = "open",
    ) -> RoundList:
        rounds = service.rounds(None if state == "all" else RoundState(state))
        return RoundList(rounds=[round_view(r) for r in rounds])

    @app.get(
        "/api/rounds/<round_id>",
        tags=["Funding"],
        summary="One round; staff also see the money awarded and remaining, and the bids by status",
    )
    def get_round(round_id: RoundId) -> RoundView:
        rnd = service.get_round(round_id)
        return round_view(rnd, staff_bids(rnd, app.user()))

    @app.get(
        "/api/rounds/<round_id>/bids.csv",
        tags=["Funding"],
        summary="Export a round's bids as CSV (staff)",
        response_description="text/csv; cells that could run as spreadsheet formulas start with an apostrophe",
    )
    def export_round(round_id: RoundId) -> Response[str]:
        rnd, bids = service.round_with_bids(round_id, app.require_staff())
        return attachment(export.bids_csv(bids), export.filename(rnd), "text/csv; charset=utf-8")

    @app.post(
        "/api/rounds/<round_id>/bids",
        tags=["Funding"],
        status_code=201,
        summary="Bid in an open round",
        description="Send an `Idempotency-Key` to make retries safe. A repeat of the same request (same key, or "
        "the same bid by the same member) answers 200 with the bid already made and `Idempotent-Replayed: true`.",
    )
    def submit_bid(
        round_id: RoundId,
        body: Annotated[CreateBid, Body()],
        idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
    ) -> Response[str]:
        submitted = service.submit(round_id, body, app.require_user(), idempotency_key)
        created = BidCreated(bid_id=submitted.bid.bid_id, status=submitted.bid.status.value)  # type: ignore[arg-type]
        headers = {"Location": f"/api/bids/{submitted.bid.bid_id}"}
        if not submitted.created:
            headers["Idempotent-Replayed"] = "true"
        return Response(201 if submitted.created else 200, "application/json", created.model_dump_json(), headers)

    # -- API: bids --------------------------------------------------------------------------------
    @app.get("/api/bids", tags=["Funding"], summary="My bids")
    def my_bids() -> BidList:
        return BidList(bids=[bid_summary(b) for b in service.my_bids(app.require_user())])

    @app.get("/api/bids/<bid_id>", tags=["Funding"], summary="One bid (its applicant and staff)")
    def get_bid(bid_id: BidId) -> BidView:
        user = app.require_user()
        return bid_view(service.get_bid(bid_id, user), staff=user.is_staff)

    @app.post("/api/bids/<bid_id>/withdraw", tags=["Funding"], summary="Withdraw my bid (until it is decided)")
    def withdraw_bid(bid_id: BidId) -> BidView:
        user = app.require_user()
        return bid_view(service.withdraw(bid_id, user), staff=user.is_staff)

    @app.get("/api/bids/<bid_id>/history", tags=["Funding"], summary="A bid's audit history (staff)")
    def bid_history(bid_id: BidId) -> BidHistory:
        entries = service.history(bid_id, app.require_staff())
        return BidHistory(bid_id=bid_id, entries=[HistoryEntryView(**e.__dict__) for e in entries])

    @app.post(
        "/api/bids/<bid_id>/reviewers",
        tags=["Funding"],
        summary="Add a reviewer to a bid (staff), e.g. when conflicts of interest left too few",
    )
    def add_reviewer(bid_id: BidId, body: Annotated[AddReviewer, Body()]) -> BidView:
        return bid_view(service.add_reviewer(bid_id, body.email, app.require_staff()), staff=True)

    # -- pages: rounds ----------------------------------------------------------------------------
    @app.get("/funding", include_in_schema=False)
    def rounds_page() -> Response[str]:
        now = utcnow()
        rounds = service.rounds(now=now)
        by_state = {s.value: [r for r in rounds if r.state(now) == s] for s in RoundState}
        # "Bid for funding for this" (a harvest) passes on what the bid would come from.
        origin = app.current_event.get_query_string_value("origin", "") or ""
        return app.page("funding/rounds.html", by_state=by_state, origin=origin)

    @app.get("/funding/rounds/new", include_in_schema=False)
    def new_round_page() -> Response[str]:
        user = app.user()
        if user is None:
            return sign_in_first()
        if not user.is_staff:
            raise Forbidden("Only the community team can open a funding round.")
        return app.page("funding/new_round.html", form=_round_defaults(), errors={})

    @app.post("/funding/rounds/new", include_in_schema=False)
    def new_round_submit() -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        draft, errors = round_from_form(form)
        if draft is not None:
            try:
                rnd = service.open_round(draft, user)
            except Problems as problems:
                errors = problems.problems
            else:
                return app.redirect(f"/funding/rounds/{rnd.round_id}/staff?opened=1")
        return app.page("funding/new_round.html", status=422, form=form, errors=errors, user=user)

    def round_page(
        rnd: Round,
        user: User | None,
        form: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
        *,
        add_line: bool = False,
    ) -> Response[str]:
        from functions.chain.pages import offered_origins

        origins: list[Origin] = []
        refs = form.get("origins", "").split()
        if not form:  # the form opened afresh, perhaps from "Bid for funding for this"
            origins, refs, origin_errors = offered_origins(app, user)
            errors = {**origin_errors, **errors}
        return app.page(
            "funding/round.html",
            status=status,
            user=user,
            round=rnd,
            state=rnd.state(utcnow()).value,
            sigs=service.approved_sigs() if user else [],
            form=form,
            errors=errors,
            rows=range(1, budget_rows(form, add=add_line) + 1),
            max_rows=LINE_ROWS,
            total=budget_total(form),
            asked=parse_pounds(form.get("amount_pence", "")),
            errors_in_order=in_form_order(errors, BID_FIELDS),
            # One key per rendering of the form: a double click or a re-post of it makes one bid.
            request_key=form.get("request_key") or secrets.token_urlsafe(16),
            origins=origins,
            refs=refs,
        )

    @app.get("/funding/rounds/<round_id>", include_in_schema=False)
    def round_page_get(round_id: RoundId) -> Response[str]:
        return round_page(service.get_round(round_id), app.user(), {}, {})

    @app.post("/funding/rounds/<round_id>/bids", include_in_schema=False)
    def bid_submit(round_id: RoundId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.user(form=form)
        if user is None:
            return app.redirect(f"/auth/sign-in?next=/funding/rounds/{round_id}")
        rnd = service.get_round(round_id)
        if form.get("action") == "add-line":  # "Add another budget line": the form again, nothing sent
            return round_page(rnd, user, form, {}, add_line=True)
        if form.get("action") == "total":  # "Update the total": the form again, nothing sent
            return round_page(rnd, user, form, {})
        draft, errors = bid_from_form(form)
        if draft is None:
            return round_page(rnd, user, form, errors, 422)
        try:
            submitted = service.submit(round_id, draft, user, form.get("request_key") or None)
        except Problems as problems:
            return round_page(rnd, user, form, problems.problems, problems.status)
        except RequestKeyReused:
            # This rendering of the form already made a bid (the browser went back and the form
            # was changed): say so, and give the form a fresh key for a deliberate new bid.
            message = "This form was already used to send a bid. To make another bid, check it and send it again."
            fresh = {k: v for k, v in form.items() if k != "request_key"}
            return round_page(rnd, user, fresh, {"request_key": message}, 409)
        except DomainError as error:
            return round_page(rnd, user, form, {error.field or "title": error.message}, error.status)
        return app.redirect(f"/funding/bids/{submitted.bid.bid_id}?submitted=1")

    @app.get("/funding/rounds/<round_id>/staff", include_in_schema=False)
    def round_staff_page(round_id: RoundId) -> Response[str]:
        user = app.user()
        if user is None:
            return sign_in_first()
        rnd, bids = service.round_with_bids(round_id, user)
        by_status = {s: [b for b in bids if b.status == s] for s in BidStatus}
        opened = app.current_event.get_query_string_value("opened") == "1"
        return app.page("funding/round_staff.html", round=rnd, by_status=by_status, labels=STATUS_LABELS, opened=opened)

    # -- pages: bids ------------------------------------------------------------------------------
    @app.get("/funding/bids", include_in_schema=False)
    def my_bids_page() -> Response[str]:
        user = app.user()
        if user is None:
            return sign_in_first()
        return app.page("funding/my_bids.html", bids=service.my_bids(user), labels=STATUS_LABELS)

    def bid_page(bid: Bid, user: User, errors: dict[str, str] | None = None, status: int = 200) -> Response[str]:
        from functions.chain.pages import led_to

        flags = {k: app.current_event.get_query_string_value(k) == "1" for k in ("submitted", "withdrawn", "added")}
        return app.page(
            "funding/bid.html",
            status=status,
            user=user,
            bid=bid,
            labels=STATUS_LABELS,
            is_applicant=bid.is_applicant(user.email),
            history=service.funding.history(bid.bid_id) if user.is_staff else [],
            flags=flags,
            errors=errors or {},
            led_to=led_to(f"bid:{bid.bid_id}", service.store) if bid.status == BidStatus.APPROVED else [],
        )

    @app.get("/funding/bids/<bid_id>", include_in_schema=False)
    def bid_page_get(bid_id: BidId) -> Response[str]:
        user = app.user()
        if user is None:
            return sign_in_first()
        return bid_page(service.get_bid(bid_id, user), user)

    @app.post("/funding/bids/<bid_id>/withdraw", include_in_schema=False)
    def withdraw_submit(bid_id: BidId) -> Response[str]:
        user = app.require_user(form=parse_form(app.body_text))
        service.withdraw(bid_id, user)
        return app.redirect(f"/funding/bids/{bid_id}?withdrawn=1")

    @app.post("/funding/bids/<bid_id>/reviewers", include_in_schema=False)
    def add_reviewer_submit(bid_id: BidId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        body, errors = validate(AddReviewer, {"email": form.get("email", "")})
        if body is not None:
            try:
                service.add_reviewer(bid_id, body.email, user)
            except DomainError as error:
                errors = {"email": error.message}
            else:
                return app.redirect(f"/funding/bids/{bid_id}?added=1")
        return bid_page(service.get_bid(bid_id, user), user, errors, 422)

    # -- pages: the review link -------------------------------------------------------------------
    def review_page(
        bid_id: str, token: str, *, errors: dict[str, str], status: int = 200, recorded: bool = False
    ) -> Response[str]:
        context = service.review_context(bid_id, token)
        bid, reviewer = context.bid, context.reviewer
        review = bid.review_by(reviewer)
        if context.link_used and not recorded:
            status = 410  # the link was spent: say so, and show what it did
        elif review is None and bid.undecided:
            status = 403
        can_review = bid.undecided and review is not None and review.pending and not context.link_used
        return app.page(
            "funding/review.html",
            status=status,
            bid=bid,
            review=review,
            reviewer=reviewer,
            token=token if can_review else "",
            link_used=context.link_used and not recorded,
            recorded=recorded,
            labels=STATUS_LABELS,
            errors=errors,
            form=parse_form(app.body_text) if errors else {},
            user=None,
        )

    @app.get("/funding/bids/<bid_id>/review", include_in_schema=False)
    def review_get(bid_id: BidId) -> Response[str]:
        # Mail scanners open this link: showing the bid changes nothing.
        token = app.current_event.get_query_string_value("token", "") or ""
        return review_page(bid_id, token, errors={})

    @app.post("/funding/bids/<bid_id>/review", include_in_schema=False)
    def review_post(bid_id: BidId) -> Response[str]:
        form = parse_form(app.body_text)
        token = form.get("token", "")
        service.review_claims(bid_id, token)  # a bad link is refused before anything else
        body, errors = validate(
            ReviewBid,
            {"decision": form.get("decision", ""), "comment": form.get("comment", "")},
            {
                "decision": "Choose whether to approve, reject or abstain",
                "comment": "Keep your comment to 2,000 characters or fewer",
            },
        )
        if body is None:
            return review_page(bid_id, token, errors=errors, status=422)
        try:
            service.review(bid_id, token, Decision(body.decision), body.comment)
        except (BidDecided, AlreadyReviewed):
            return review_page(bid_id, token, errors={}, status=409)
        except tokens.TokenRejected as rejected:
            if rejected.code != "used":
                raise
            return review_page(bid_id, token, errors={}, status=410)
        return review_page(bid_id, token, errors={}, recorded=True)

    co_applicants.register(app, service)  # named co-applicants confirm by link


def _round_defaults() -> dict[str, str]:
    return {"approvals_needed": "2", "review_period_days": "28", "reminder_after_days": "3"}


__all__ = ["register"]
