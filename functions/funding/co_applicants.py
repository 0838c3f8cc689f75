"""The pages behind a co-applicant's emailed link: GET shows the bid and a button (mail
scanners open links), the POST confirms. Until then the name counts for nothing."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.common import tokens
from functions.common.errors import DomainError
from functions.common.http import App
from functions.common.web import parse_form

from .service import FundingService

BidId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
TEMPLATE = "funding/confirm_co_applicant.html"


def register(app: App, service: FundingService) -> None:
    @app.get("/funding/bids/<bid_id>/co-applicants/confirm", include_in_schema=False)
    def co_applicant_invitation(bid_id: BidId) -> Response[str]:
        token = app.current_event.get_query_string_value("token", "") or ""
        bid, email = service.co_applicant_invitation(bid_id, token)
        return app.page(
            TEMPLATE, bid=bid, email=email, token=token, done=email in bid.confirmed_co_applicants, user=None
        )

    @app.post("/funding/bids/<bid_id>/co-applicants/confirm", include_in_schema=False)
    def co_applicant_confirm(bid_id: BidId) -> Response[str]:
        token = parse_form(app.body_text).get("token", "")
        try:
            bid = service.confirm_co_applicant(bid_id, token)
        except (tokens.TokenRejected, DomainError):
            bid, email = service.co_applicant_invitation(bid_id, token)
            if email not in bid.confirmed_co_applicants:  # already confirmed: show the outcome
                raise
        email = service.co_applicant_invitation(bid_id, token)[1]
        return app.page(TEMPLATE, bid=bid, email=email, token="", done=True, user=None)
