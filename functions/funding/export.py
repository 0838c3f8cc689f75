"""A round's bids as CSV, for the community team's spreadsheets (formula-safe: see
``functions.common.spreadsheet``)."""

from __future__ import annotations

from collections.abc import Iterable

from functions.common.spreadsheet import csv_document, safe_cell
from functions.common.web import format_pounds

from .domain import Bid, Decision, Round

COLUMNS = (
    "bid_id",
    "submitted_at",
    "status",
    "title",
    "applicant_name",
    "applicant_email",
    "co_applicant_emails",
    "sig_name",
    "amount_pence",
    "amount",
    "budget_lines",
    "approvals",
    "rejections",
    "abstentions",
    "reviews_pending",
    "approvals_needed",
    "decided_at",
    "decision_reason",
    "consent_to_be_named",
)


def bids_csv(bids: Iterable[Bid]) -> str:
    return csv_document(
        COLUMNS,
        (
            (
                bid.bid_id,
                bid.submitted_at,
                bid.status.value,
                bid.title,
                bid.applicant.name,
                bid.applicant.email,
                "; ".join(bid.co_applicant_emails),
                bid.sig.name if bid.sig else "",
                bid.amount_pence,
                format_pounds(bid.amount_pence),
                "; ".join(f"{line.description}: {format_pounds(line.amount_pence)}" for line in bid.budget_lines),
                bid.count(Decision.APPROVE),
                bid.count(Decision.REJECT),
                bid.count(Decision.ABSTAIN),
                bid.pending,
                bid.approvals_needed,
                bid.decided_at or "",
                bid.decision_reason,
                "yes" if bid.consent_to_be_named else "no",
            )
            for bid in sorted(bids, key=lambda b: b.submitted_at)
        ),
    )


def filename(rnd: Round) -> str:
    # ASCII only: the name goes into a Content-Disposition header.
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in rnd.name.lower())
    return f"{'-'.join(part for part in safe.split('-') if part) or 'round'}-bids.csv"


__all__ = ["COLUMNS", "bids_csv", "filename", "safe_cell"]
