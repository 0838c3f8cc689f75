"""A round's bids as CSV, for the community team's spreadsheets.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some,
a tab or carriage return) as a formula, so anything a member typed could become one. Such
cells get a leading apostrophe, which spreadsheets show as text (OWASP's advice). Quoting and
embedded line breaks are left to the ``csv`` module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from functions.common.web import format_pounds

from .domain import Bid, Decision, Round

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def bids_csv(bids: Iterable[Bid]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(COLUMNS)
    for bid in sorted(bids, key=lambda b: b.submitted_at):
        writer.writerow(
            safe_cell(value)
            for value in (
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
        )
    return out.getvalue()


def filename(rnd: Round) -> str:
    # ASCII only: the name goes into a Content-Disposition header.
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in rnd.name.lower())
    return f"{'-'.join(part for part in safe.split('-') if part) or 'round'}-bids.csv"
