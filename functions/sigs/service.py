"""SIG use cases: each call is one thing a member or staff member does."""

from __future__ import annotations

from dataclasses import dataclass

from functions.common import tokens
from functions.common.errors import Conflict, NotFound
from functions.common.identity import User, is_staff_now
from functions.common.ids import new_id, utcnow
from functions.common.store import Store
from functions.members.model import display_name
from functions.members.repository import MemberRepository
from schemas.api.sigs import ProposeSig

from . import domain
from .domain import AlreadyDecided, Proposer, Sig, SigStatus
from .repository import NameTaken, NotInvited, NotProposed, SigMember, SigRepository, TokenAlreadyUsed


@dataclass(frozen=True)
class Joined:
    member: SigMember
    created: bool


class SigService:
    def __init__(self, repository: SigRepository | None = None, store: Store | None = None) -> None:
        self.store = store or Store()
        self.sigs = repository or SigRepository(self.store)

    def propose(self, proposal: ProposeSig, user: User) -> Sig:
        proposer = Proposer(user.member_id, user.email, display_name(user.name))
        from functions.chain.origins import resolve

        origins = tuple(resolve(proposal.origins, user, self.store))
        sig, event = domain.propose(new_id("sig"), proposal, proposer, utcnow(), origins)
        try:
            self.sigs.create(sig, event)
        except NameTaken:
            raise Conflict(
                f"There is already a SIG called “{proposal.name}” (or one waiting for approval). "
                "Join it, or choose another name.",
                field="name",
            ) from None
        return sig

    def get(self, sig_id: str, viewer: User | None = None) -> Sig:
        sig = self.sigs.get(sig_id) if sig_id.startswith("sig_") and len(sig_id) < 64 else None
        if sig is None or not sig.visible_to(viewer.email if viewer else None, bool(viewer and viewer.is_staff)):
            raise NotFound("There is no such Special Interest Group.")
        return sig

    def directory(self, status: SigStatus = SigStatus.APPROVED) -> list[Sig]:
        return self.sigs.by_status(status)

    # -- review -----------------------------------------------------------------------------
    def review_claims(self, sig_id: str, token: str) -> tokens.Claims:
        claims = tokens.verify(token, "sig-review")
        if claims.data.get("sig_id") != sig_id:
            raise tokens.TokenRejected("This review link is for a different proposal.", code="wrong-subject")
        if not is_staff_now(claims.subject):
            # The role is checked when the button is pressed, not only when the email was sent.
            raise tokens.TokenRejected("This review link's reviewer is no longer on the team.", code="not-staff")
        return claims

    def decide_by_link(self, sig_id: str, token: str, *, approve: bool, note: str) -> Sig:
        claims = self.review_claims(sig_id, token)
        spend = self.store.use_token_op(claims.jti, claims.expires_at, claims.subject)
        return self._decide(sig_id, approve=approve, note=note, by=claims.subject, spend=spend)

    def decide_as_staff(self, sig_id: str, user: User, *, approve: bool, note: str) -> Sig:
        return self._decide(sig_id, approve=approve, note=note, by=user.email, spend=None)

    def _decide(self, sig_id: str, *, approve: bool, note: str, by: str, spend: object) -> Sig:
        sig = self.get(sig_id, _STAFF)
        decided, event = domain.decide(sig, approve=approve, by=by, note=note, now=utcnow())
        try:
            self.sigs.save_decision(decided, event, spend)  # type: ignore[arg-type]
        except NotProposed:
            current = self.sigs.get(sig_id)
            raise AlreadyDecided(current or decided) from None
        except TokenAlreadyUsed:
            raise tokens.TokenRejected("This review link has already been used.", code="used") from None
        return self.sigs.get(sig_id) or decided

    # -- named co-conveners confirm ----------------------------------------------------------
    def invitation(self, sig_id: str, token: str) -> tuple[Sig, str]:
        """The SIG and the address a co-convener link is for. Reading only: scanners open links."""
        claims = tokens.verify(token, "sig-co-convener")
        if claims.data.get("sig_id") != sig_id:
            raise tokens.TokenRejected("This link is for a different group.", code="wrong-subject")
        sig = self.sigs.get(sig_id) if sig_id.startswith("sig_") and len(sig_id) < 64 else None
        if sig is None or sig.status == SigStatus.REJECTED:
            raise tokens.TokenRejected("This group is no longer proposed or running.", code="unknown")
        return sig, claims.subject.lower()

    def confirm_convener(self, sig_id: str, token: str) -> Sig:
        """The named person agrees: from now on they convene (see members, are shown)."""
        sig, email = self.invitation(sig_id, token)
        claims = tokens.verify(token, "sig-co-convener")
        domain.ensure_invited(sig, email)
        member = MemberRepository(self.store).by_email(email)
        spend = self.store.use_token_op(claims.jti, claims.expires_at, email)
        try:
            self.sigs.confirm_convener(sig_id, email, member.name if member else "", spend)
        except NotInvited:
            domain.ensure_invited(self.sigs.get(sig_id) or sig, email)  # says why (already convenes)
            raise Conflict("This invitation changed while you confirmed it. Open the link again.") from None
        except TokenAlreadyUsed:
            raise tokens.TokenRejected("This link has already been used.", code="used") from None
        return self.sigs.get(sig_id) or sig

    # -- membership -------------------------------------------------------------------------
    def join(self, sig_id: str, user: User) -> Joined:
        sig = self.get(sig_id, user)
        domain.ensure_joinable(sig)
        member = SigMember(user.member_id, display_name(user.name), user.email, utcnow().isoformat())
        if self.sigs.join(sig, member):
            return Joined(member, True)
        existing = self.sigs.membership(sig_id, user.member_id)
        return Joined(existing or member, False)

    def leave(self, sig_id: str, user: User) -> None:
        self.get(sig_id, user)
        if not self.sigs.leave(sig_id, user.member_id):
            raise NotFound("You are not a member of this group.")

    def is_member(self, sig_id: str, member_id: str) -> bool:
        return self.sigs.membership(sig_id, member_id) is not None

    def members(self, sig_id: str, user: User) -> tuple[Sig, list[SigMember]]:
        sig = self.get(sig_id, user)
        domain.ensure_can_list_members(sig, user.email, user.is_staff)
        return sig, self.sigs.members(sig_id)


#: Staff see every SIG whatever its status; used where the caller's right was already proven.
_STAFF = User(member_id="", email="", name="", is_staff=True, session_id="", via_cookie=False)
