"""Demo content for the Q community, in its own words (see shared/notes/domain.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime import LocalRuntime

DEMO_MEMBERS = (
    ("amara.okafor@example.org", "Amara Okafor"),
    ("tom.hughes@example.org", "Tom Hughes"),
    ("priya.shah@example.org", "Priya Shah"),
    ("gareth.evans@example.org", "Gareth Evans"),
)

DEMO_SIGS = (
    (
        "Third Sector SIG",
        "For members working in and with charities, community groups and social enterprises: how the "
        "third sector and the NHS can work together to effect improvement across the wider patch.",
        ["third sector", "collaboration", "communities"],
        0,
    ),
    (
        "Coaching SIG",
        "A peer space for members who use coaching approaches to support improvement, build resilience "
        "in the workforce and cultivate kindness in teams.",
        ["coaching", "resilience", "kindness"],
        1,
    ),
    (
        "Liberating Structures in Healthcare SIG",
        "Exploring Liberating Structures to make collaboration fully inclusive, so that everyone in the "
        "room, including patients and carers, can shape the conversation.",
        ["liberating structures", "inclusion", "facilitation"],
        2,
    ),
)


def seed(runtime: LocalRuntime) -> None:
    """Seed the SIGs here, then every ``infra/local/demo_<area>.py`` module's ``seed(runtime)``."""
    import importlib
    import pkgutil
    from pathlib import Path

    seed_sigs()
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("demo_"))
    modules = [importlib.import_module(f"infra.local.{name}") for name in names]
    # A module whose content builds on the others' (``LATE = True``) is seeded after all of them.
    for module in sorted(modules, key=lambda m: bool(getattr(m, "LATE", False))):
        module.seed(runtime)


def seed_sigs() -> None:
    from functions.members.repository import MemberRepository
    from functions.sigs.domain import Proposer, Sig, SigStatus
    from functions.sigs.repository import SigMember, SigRepository
    from schemas.api.sigs import ProposeSig

    members_repo = MemberRepository()
    members = [members_repo.get_or_create(email, name)[0] for email, name in DEMO_MEMBERS]
    staff = members_repo.get_or_create("community.team@q.example.org", "Q community team")[0]
    sigs = SigRepository()
    start = datetime(2022, 11, 1, 10, 0, tzinfo=UTC)
    for index, (name, purpose, themes, convener_index) in enumerate(DEMO_SIGS):
        convener = members[convener_index]
        proposal = ProposeSig(name=name, purpose=purpose, themes=themes)
        created = start + timedelta(days=index * 7)
        sig = Sig(
            sig_id=f"sig_demo{index + 1}",
            name=proposal.name,
            purpose=proposal.purpose,
            themes=list(proposal.themes),
            status=SigStatus.APPROVED,
            proposer=Proposer(convener.member_id, convener.email, convener.name),
            convener_emails=[convener.email],
            convener_names={convener.email: convener.name},
            created_at=created.isoformat(),
            decided_by=staff.email,
            decided_at=(created + timedelta(days=2)).isoformat(),
        )
        joiners = [convener, *(m for m in members if m is not convener)][: 2 + index]
        sig = replace(sig, member_count=len(joiners))
        sigs.import_sig(
            sig,
            [SigMember(m.member_id, m.name, m.email, (created + timedelta(days=3)).isoformat()) for m in joiners],
        )
