"""Bodies of the newsletter API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
)

from schemas.api.base import ApiModel
from schemas.api.origins import Origins, distinct
from schemas.text import EmailAddress, Text

#: The sections of an issue, in the order they appear. Subscribers choose among them as topics.
Section = Literal["events", "workshops", "visits", "groups", "funding", "news"]
SECTIONS: tuple[Section, ...] = ("events", "workshops", "visits", "groups", "funding", "news")


def _distinct(topics: list[Section]) -> list[Section]:
    """Each topic once, in section order."""
    return [s for s in SECTIONS if s in topics]


Topics = Annotated[list[Section], Field(max_length=len(SECTIONS)), AfterValidator(_distinct)]


Name = Annotated[str, Text(0, 100)]


class Subscribe(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Annotated[EmailAddress, StringConstraints(max_length=254)] = Field(
        description="Where to send the newsletter. A confirmation link is emailed first (double opt-in)."
    )
    name: Name = ""
    topics: Topics = Field(default_factory=list, description="Sections to receive; none means every section.")

    @field_validator("email")
    @classmethod
    def _lower(cls, email: str) -> str:
        return email.lower()


class SubscriptionAccepted(ApiModel):
    message: str = Field(
        description="Always the same answer, whether or not the address was already subscribed, so the API "
        "does not reveal who subscribes; the email sent says which it was."
    )


class Preferences(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name = ""
    topics: Topics = Field(default_factory=list, description="Sections to receive; none means every section.")


class NewItem(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, Text(3, 150)] = Field(examples=["Introducing Liberating Structures: a workshop in May"])
    body: Annotated[str, Text(1, 5000, multiline=True)] = Field(
        description="Markdown (CommonMark). Raw HTML is not allowed: it is shown as text."
    )
    link: HttpUrl | None = Field(default=None, description="Where to read more or sign up (http or https).")
    section: Section
    origins: Origins = Field(default_factory=list)

    _distinct_origins = field_validator("origins")(distinct)

    @field_validator("link")
    @classmethod
    def _short_link(cls, link: HttpUrl | None) -> HttpUrl | None:
        if link is not None and len(str(link)) > 500:
            raise ValueError("Use a link of at most 500 characters.")
        return link


class ItemView(ApiModel):
    item_id: str
    section: Section
    title: str
    body: str = Field(description="Markdown source.")
    link: str | None = None
    source: Literal["staff", "sig", "bid", "visit", "chain", "followups"]
    created_at: str
    status: Literal["pending", "issued", "lapsed"]
    issue_id: str | None = None


class ItemList(ApiModel):
    items: list[ItemView]


class IssueSummary(ApiModel):
    issue_id: str
    title: str
    status: Literal["draft", "approved"]
    created_at: str
    approved_at: str | None = None
    item_count: int
    url: str = Field(description="The issue's public archive page (once approved).")


class IssueList(ApiModel):
    issues: list[IssueSummary]


class IssueSectionView(ApiModel):
    section: Section
    heading: str
    items: list[ItemView]


class IssueView(IssueSummary):
    approved_by: str | None = None
    sections: list[IssueSectionView]
