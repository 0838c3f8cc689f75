"""Special Interest Groups: the rules, in plain Python.

A member proposes a SIG; staff approve or reject it once; members join and leave an
approved SIG; conveners and staff may see who the members are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from functions.common import names
from functions.common.errors import Conflict, Forbidden
from schemas.events.origins import Origin
from schemas.events.sigs import SigApproved, SigProposed, SigRejected

from .keys import SigStatus

if TYPE_CHECKING:  # funding reads SIGs too, and need not load the SIG API's models
    from schemas.api.sigs import ProposeSig


#: Statuses that hold on to their name: a rejected proposal frees it for someone else.
LIVE = frozenset({SigStatus.PROPOSED, SigStatus.APPROVED})


@dataclass(frozen=True)
class Proposer:
    member_id: str
    email: str
    name: str


@dataclass(frozen=True)
class Sig:
    sig_id: str
    name: str
    purpose: str
    themes: list[str]
    status: SigStatus
    proposer: Proposer
    convener_emails: list[str]
    created_at: str
    member_count: int = 0
    decided_by: str | None = None
    decided_at: str | None = None
    decision_note: str = ""
    convener_names: dict[str, str] = field(default_factory=dict)
    #: Co-conveners named by the proposer who have not confirmed yet (address -> when named):
    #: until they confirm by the emailed link they have no rights and are not shown.
    invited: dict[str, str] = field(default_factory=dict)
    #: What the group came from (checked when named: ``functions.chain.origins``).
    origins: tuple[Origin, ...] = ()

    @property
    def name_key(self) -> str:
        return name_key(self.name)

    @property
    def looking_for_convener(self) -> bool:
        """An approved group whose conveners have all left (stepped down or erased)."""
        return self.status == SigStatus.APPROVED and not self.convener_emails

    def is_convener(self, email: str) -> bool:
        return email.lower() in self.convener_emails

    def visible_to(self, email: str | None, is_staff: bool) -> bool:
        return self.status == SigStatus.APPROVED or is_staff or (email is not None and self.is_convener(email))


class AlreadyDecided(Conflict):
    def __init__(self, sig: Sig) -> None:
        super().__init__(f"This proposal was already {sig.status.value} by {sig.decided_by} on {sig.decided_at}.")
        self.sig = sig


def name_key(name: str) -> str:
    """Names that differ only in case, spacing, Unicode form, invisible characters or look-alike
    letters are the same name (UTS #39 skeleton: ``functions.common.names``)."""
    return names.name_key(name)


def propose(
    sig_id: str, proposal: ProposeSig, proposer: Proposer, now: datetime, origins: tuple[Origin, ...] = ()
) -> tuple[Sig, SigProposed]:
    co_conveners = [e for e in proposal.co_convener_emails if e != proposer.email.lower()]
    sig = Sig(
        sig_id=sig_id,
        name=proposal.name,
        purpose=proposal.purpose,
        themes=list(proposal.themes),
        status=SigStatus.PROPOSED,
        proposer=proposer,
        convener_emails=[proposer.email.lower()],
        created_at=now.isoformat(),
        convener_names={proposer.email.lower(): proposer.name},
        invited={email: now.isoformat() for email in co_conveners},
        origins=origins,
    )
    event = SigProposed(
        sig_id=sig.sig_id,
        name=sig.name,
        purpose=sig.purpose,
        themes=sig.themes,
        proposer_id=proposer.member_id,
        proposer_email=proposer.email,
        proposer_name=proposer.name,
        co_convener_emails=co_conveners,
        origins=list(origins),
    )
    return sig, event


def decide(sig: Sig, *, approve: bool, by: str, note: str, now: datetime) -> tuple[Sig, SigApproved | SigRejected]:
    if sig.status != SigStatus.PROPOSED:
        raise AlreadyDecided(sig)
    decided = replace(
        sig,
        status=SigStatus.APPROVED if approve else SigStatus.REJECTED,
        decided_by=by,
        decided_at=now.isoformat(),
        decision_note=note,
    )
    event: SigApproved | SigRejected
    if approve:
        event = SigApproved(
            sig_id=sig.sig_id,
            name=sig.name,
            purpose=sig.purpose,
            proposer_email=sig.proposer.email,
            proposer_name=sig.proposer.name,
            convener_emails=sig.convener_emails,
            decided_by=by,
            note=note,
            origins=list(sig.origins),
            proposer_id=sig.proposer.member_id,
        )
    else:
        event = SigRejected(
            sig_id=sig.sig_id,
            name=sig.name,
            proposer_email=sig.proposer.email,
            proposer_name=sig.proposer.name,
            decided_by=by,
            note=note,
        )
    return decided, event


def ensure_can_list_members(sig: Sig, email: str, is_staff: bool) -> None:
    if not (is_staff or sig.is_convener(email)):
        raise Forbidden("Only the group's conveners and the community team can see who has joined.")


def ensure_invited(sig: Sig, email: str) -> None:
    """A named co-convener may confirm once, while the invitation stands."""
    if sig.is_convener(email):
        raise Conflict(f"You already convene {sig.name}.")
    if email.lower() not in sig.invited:
        raise Conflict(f"There is no invitation for {email} to convene {sig.name} any more.")


def ensure_joinable(sig: Sig) -> None:
    if sig.status != SigStatus.APPROVED:
        raise Conflict("This group is not open to join yet: it is waiting for approval.")
