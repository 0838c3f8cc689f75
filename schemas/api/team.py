"""Bodies of the team home's API (staff only)."""

from __future__ import annotations

from pydantic import Field

from .base import ApiModel


class AttentionCount(ApiModel):
    key: str = Field(description="What it counts: sigs, reviewers, overdue, offers, waiting, items, drafts.")
    heading: str
    count: int
    link: str = Field(description="Where the team deals with it (a path on this site).")


class ChartBar(ApiModel):
    label: str
    value: int
    total: int


class Chart(ApiModel):
    key: str
    title: str
    unit: str = Field(description="pounds (values in pence) or people")
    value_label: str
    total_label: str
    bars: list[ChartBar]


class TeamSummary(ApiModel):
    needing_attention: int
    counts: list[AttentionCount]
    charts: list[Chart]
    month: str
    newsletter_emails_queued: int = Field(description="Newsletter emails queued to send this month.")
    newsletter_unsubscribed: int = Field(description="Addresses unsubscribed from the newsletter, in total.")
    newsletter_opens_tracked: bool = Field(False, description="Always false: opens are not tracked.")
