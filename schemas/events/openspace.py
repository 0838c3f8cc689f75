"""Open Space at an event: the marketplace, the agenda, the harvest and the proceedings."""

from __future__ import annotations

from pydantic import Field

from .base import DomainEvent


class ConversationProposed(DomainEvent):
    """A member with a place proposed a conversation; each named co-host is asked to confirm."""

    gathering_id: str
    conversation_id: str
    title: str
    question: str
    host_name: str
    co_host_emails: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    host_member_id: str = ""


class CoHostConfirmed(DomainEvent):
    gathering_id: str
    conversation_id: str
    title: str
    co_host_email: str


class OpenSpaceAgendaPublished(DomainEvent):
    """An agenda (version ``version``) was built and published. ``changed`` are the
    conversations whose slot or space differs from the previous version: only their hosts and
    the people who marked them are told (everyone, the first time)."""

    gathering_id: str
    title: str
    version: int
    first: bool
    changed: list[str] = Field(default_factory=list)
    trigger: str = Field(description="`marketplace_closed` or `staff`")


class ConversationEnded(DomainEvent):
    """A conversation's slot has ended: its hosts are sent the link to record the harvest."""

    gathering_id: str
    conversation_id: str
    title: str
    host_emails: list[str]


class ConversationHarvested(DomainEvent):
    gathering_id: str
    conversation_id: str
    title: str
    by_name: str
    addition: bool = False


class OpenSpaceProceedingsPublished(DomainEvent):
    """Staff published the proceedings (every harvest of the event); attendees are emailed."""

    gathering_id: str
    title: str
    harvests: int
