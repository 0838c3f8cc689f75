"""Bodies of the Special Interest Group API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from schemas.api.base import ApiModel
from schemas.api.origins import Origins, OriginView, distinct
from schemas.text import NamedAddresses, Text, Themes


class ProposeSig(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Text(3, 80)] = Field(
        description="The group's name, unique among live SIGs (ignoring case and spacing).",
        examples=["Coaching SIG"],
    )
    purpose: Annotated[str, Text(10, 2000, multiline=True)] = Field(
        description="What the group is for and who it is for."
    )
    themes: Themes = Field(default_factory=list, max_length=10)
    co_convener_emails: NamedAddresses = Field(
        default_factory=list, max_length=5, description="Members who will convene the group with you."
    )
    origins: Origins = Field(default_factory=list)

    _distinct_origins = field_validator("origins")(distinct)


class SigDecision(ApiModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "reject"]
    note: Annotated[str, Text(0, 2000, multiline=True)] = ""


class SigCreated(ApiModel):
    sig_id: str
    status: Literal["proposed"]


class SigView(ApiModel):
    sig_id: str
    name: str
    purpose: str
    themes: list[str]
    status: Literal["proposed", "approved", "rejected"]
    conveners: list[str] = Field(description="Conveners' display names (never their email addresses).")
    member_count: int
    created_at: str
    decided_at: str | None = None
    came_from: list[OriginView] = Field(default_factory=list, description="What the group came from (issue 11).")


class SigList(ApiModel):
    sigs: list[SigView]


class SigMemberView(ApiModel):
    member_id: str
    name: str
    email: str
    joined_at: str
    convener: bool


class SigMembers(ApiModel):
    sig_id: str
    members: list[SigMemberView]


class Membership(ApiModel):
    sig_id: str
    member_id: str
    joined_at: str
    status: Literal["joined", "already a member"]
