"""The Open Space agenda builder: properties over generated events, and worked examples.

Small events are checked against brute force (every slot assignment tried), so "everyone is
placed whenever possible" and "spaces fit as well as they can" are tested, not assumed.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from functions.openspace.agenda import (
    Agenda,
    Conversation,
    PinConflict,
    Slot,
    Space,
    attendee_clashes,
    build_agenda,
    first_come,
)

PEOPLE = [f"person{i}" for i in range(8)]


Event = tuple[list[Conversation], list[Slot], list[Space]]


@st.composite
def events(draw: st.DrawFn, max_conversations: int = 7, pins: bool = True) -> Event:
    slots = [Slot(f"slot{i}", f"1{i}:00") for i in range(draw(st.integers(1, 3)))]
    spaces = [
        Space(f"space{i}", f"Room {i}", draw(st.integers(1, 6)), online=draw(st.booleans()))
        for i in range(draw(st.integers(1, 3)))
    ]
    conversations = []
    for i in range(draw(st.integers(0, max_conversations))):
        hosts = frozenset(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=2)))
        interested = frozenset(draw(st.lists(st.sampled_from(PEOPLE), max_size=6)))
        pinned_slot = draw(st.one_of(st.none(), st.sampled_from([s.id for s in slots]))) if pins else None
        pinned_space = draw(st.one_of(st.none(), st.sampled_from([s.id for s in spaces]))) if pins else None
        if pins and draw(st.integers(0, 3)):  # pins are the exception
            pinned_slot = pinned_space = None
        conversations.append(
            Conversation(
                f"c{i}",
                f"Conversation {i}",
                hosts,
                interested,
                proposed=f"{draw(st.integers(0, 99)):02d}",
                pinned_slot=pinned_slot,
                pinned_space=pinned_space,
            )
        )
    return conversations, slots, spaces


def build(conversations: list[Conversation], slots: list[Slot], spaces: list[Space]) -> Agenda:
    try:
        return build_agenda(conversations, slots, spaces)
    except PinConflict:
        assume(False)
        raise


def feasible(conversations: list[Conversation], slots: list[Slot], spaces: list[Space]) -> bool:
    """Brute force: is there any slot per conversation that keeps every rule?"""
    for choice in itertools.product(range(len(slots)), repeat=len(conversations)):
        ok = True
        for s in range(len(slots)):
            here = [c for c, t in zip(conversations, choice, strict=True) if t == s]
            hosts = [h for c in here for h in c.hosts]
            pinned = [c.pinned_space for c in here if c.pinned_space]
            if (
                len(here) > len(spaces)
                or len(hosts) != len(set(hosts))
                or len(pinned) != len(set(pinned))
                or any(c.pinned_slot not in (None, slots[s].id) for c in here)
            ):
                ok = False
                break
        if ok:
            return True
    return False


def best_seats_short(conversations: list[Conversation], spaces: list[Space], agenda: Agenda) -> int:
    """Brute force: the fewest seats short any choice of spaces gives the agenda's slots."""
    by_id = {c.id: c for c in conversations}
    total = 0
    for slot in {p.slot_id for p in agenda.placements}:
        here = [by_id[p.conversation_id] for p in agenda.placements if p.slot_id == slot]
        best = min(
            sum(max(0, len(c.people) - room.capacity) for c, room in zip(here, rooms, strict=True))
            for rooms in itertools.permutations(spaces, len(here))
            if all(c.pinned_space in (None, room.id) for c, room in zip(here, rooms, strict=True))
        )
        total += best
    return total


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(events())
def test_the_rules_are_never_broken(event: Event) -> None:
    conversations, slots, spaces = event
    agenda = build(conversations, slots, spaces)
    by_id = {c.id: c for c in conversations}
    placed = [p.conversation_id for p in agenda.placements]
    # Each conversation once: placed or explained.
    assert sorted(placed + [u.conversation_id for u in agenda.unplaced]) == sorted(by_id)
    assert len(set(placed)) == len(placed)
    # A space holds one conversation per slot.
    cells = Counter((p.slot_id, p.space_id) for p in agenda.placements)
    assert max(cells.values(), default=1) == 1
    # No host or co-host in two places at once.
    hosting = Counter((p.slot_id, h) for p in agenda.placements for h in by_id[p.conversation_id].hosts)
    assert max(hosting.values(), default=1) == 1
    # Pins hold.
    for p in agenda.placements:
        c = by_id[p.conversation_id]
        assert c.pinned_slot in (None, p.slot_id)
        assert c.pinned_space in (None, p.space_id)
        assert p.audience == len(c.people)
        assert p.capacity == next(s.capacity for s in spaces if s.id == p.space_id)
        assert p.why_slot and p.why_space
    # The totals are what an independent count gives.
    slot_of = {p.conversation_id: p.slot_id for p in agenda.placements}
    assert agenda.attendee_clashes == attendee_clashes(conversations, slot_of)
    assert agenda.seats_short == sum(p.seats_short for p in agenda.placements)
    # The clashes each placement reports are exactly the shared people in its slot.
    for p in agenda.placements:
        mine = by_id[p.conversation_id].people
        expected = {
            q.conversation_id: len(mine & by_id[q.conversation_id].people)
            for q in agenda.placements
            if q.slot_id == p.slot_id and q is not p and mine & by_id[q.conversation_id].people
        }
        assert {x.conversation_id: x.people for x in p.clashes} == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(events(max_conversations=6))
def test_everyone_is_placed_whenever_possible(event: Event) -> None:
    conversations, slots, spaces = event
    agenda = build(conversations, slots, spaces)
    assert (not agenda.unplaced) == feasible(conversations, slots, spaces)
    assert all(u.reason for u in agenda.unplaced)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(events(max_conversations=6))
def test_spaces_fit_the_audience_as_well_as_any_choice_of_spaces(
    event: Event,
) -> None:
    conversations, slots, spaces = event
    agenda = build(conversations, slots, spaces)
    assert agenda.seats_short == best_seats_short(conversations, spaces, agenda)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(events(max_conversations=10))
def test_never_worse_than_first_come_on_clashes(event: Event) -> None:
    conversations, slots, spaces = event
    agenda = build(conversations, slots, spaces)
    baseline = first_come(conversations, slots, spaces)
    assert agenda.first_come_clashes == baseline.attendee_clashes
    assert len(agenda.unplaced) <= len(baseline.unplaced)
    if not baseline.unplaced:
        assert agenda.attendee_clashes <= baseline.attendee_clashes
        assert agenda.attendee_clashes + agenda.seats_short <= baseline.attendee_clashes + baseline.seats_short


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(events(max_conversations=10), st.randoms(use_true_random=False))
def test_the_same_input_gives_the_same_agenda(event: Event, rnd: random.Random) -> None:
    conversations, slots, spaces = event
    agenda = build(conversations, slots, spaces)
    shuffled = list(conversations)
    rnd.shuffle(shuffled)
    assert build_agenda(shuffled, slots, spaces) == agenda
    assert build_agenda(conversations, slots, spaces) == agenda


def conv(cid: str, hosts: set[str], interested: set[str] | None = None, **kw: str) -> Conversation:
    kw.setdefault("proposed", cid)
    return Conversation(cid, cid.title(), frozenset(hosts), frozenset(interested or ()), **kw)


SLOTS = [Slot("morning", "10:00"), Slot("afternoon", "14:00")]
ROOMS = [Space("hall", "Main hall", 30), Space("small", "Small room", 8)]


def test_conversations_sharing_people_go_in_different_slots() -> None:
    crowd = {f"p{i}" for i in range(6)}
    conversations = [
        conv("kindness", {"amara"}, crowd, proposed="1"),
        conv("failure", {"tom"}, crowd, proposed="2"),
        conv("patients", {"priya"}, {"q1"}, proposed="3"),
        conv("access", {"sam"}, {"q2"}, proposed="4"),
    ]
    agenda = build_agenda(conversations, SLOTS, ROOMS)
    slot = {p.conversation_id: p.slot_id for p in agenda.placements}
    assert slot["kindness"] != slot["failure"]
    assert agenda.attendee_clashes == 0
    # First come puts the first two proposals in the morning, together.
    assert agenda.first_come_clashes == 6
    assert "First come would have given 6 attendee clashes" in " ".join(agenda.summary)


def test_a_host_is_never_in_two_places_even_when_that_costs_clashes() -> None:
    crowd = {f"p{i}" for i in range(6)}
    conversations = [
        conv("a", {"amara"}),
        conv("b", {"amara", "tom"}),
        conv("c", {"priya"}, crowd),
        conv("d", {"sam"}, crowd),
    ]
    agenda = build_agenda(conversations, SLOTS, ROOMS)
    slot = {p.conversation_id: p.slot_id for p in agenda.placements}
    assert slot["a"] != slot["b"]
    assert slot["c"] != slot["d"]


def test_the_biggest_audience_gets_the_biggest_room_and_says_why() -> None:
    conversations = [conv("big", {"amara"}, {f"p{i}" for i in range(20)}), conv("small", {"tom"}, {"q1"})]
    agenda = build_agenda(conversations, [Slot("morning", "10:00")], ROOMS)
    big = agenda.placement("big")
    small = agenda.placement("small")
    assert big is not None and small is not None
    assert big.space_id == "hall"
    assert small.space_id == "small"
    assert big.why_space == "Main hall holds 30; 21 expected (hosts and people who marked it)."
    assert agenda.seats_short == 0


def test_an_audience_too_big_for_every_room_is_explained() -> None:
    conversations = [
        conv("big", {"amara"}, {f"p{i}" for i in range(40)}),
        conv("bigger", {"tom"}, {f"q{i}" for i in range(50)}),
    ]
    agenda = build_agenda(conversations, [Slot("morning", "10:00")], ROOMS)
    big = agenda.placement("big")
    assert big is not None and big.space_id == "small"
    assert big.seats_short == 41 - 8
    assert "largest space left at 10:00" in big.why_space
    assert "Main hall" in big.why_space


def test_remaining_clashes_are_named() -> None:
    crowd = {f"p{i}" for i in range(3)}
    conversations = [conv("a", {"amara"}, crowd), conv("b", {"tom"}, crowd | {"amara"})]
    agenda = build_agenda(conversations, [Slot("morning", "10:00")], ROOMS)
    a = agenda.placement("a")
    assert a is not None
    assert [(x.conversation_id, x.people) for x in a.clashes] == [("b", 4)]
    assert "4 shared people" in a.why_slot
    assert agenda.attendee_clashes == 4


def test_pins_hold_and_the_rest_is_rebuilt_around_them() -> None:
    crowd = {f"p{i}" for i in range(6)}
    conversations = [conv("kindness", {"amara"}, crowd), conv("failure", {"tom"}, crowd)]
    free = build_agenda(conversations, SLOTS, ROOMS)
    first = free.placement("kindness")
    assert first is not None
    other_slot = "afternoon" if first.slot_id == "morning" else "morning"
    pinned = [conv("kindness", {"amara"}, crowd, pinned_slot=other_slot, pinned_space="small"), conversations[1]]
    agenda = build_agenda(pinned, SLOTS, ROOMS)
    kindness, failure = agenda.placement("kindness"), agenda.placement("failure")
    assert kindness is not None and failure is not None
    assert (kindness.slot_id, kindness.space_id) == (other_slot, "small")
    assert kindness.pinned and kindness.why_slot.endswith("by the team.")
    assert failure.slot_id != other_slot  # the rest moved around the pin


@pytest.mark.parametrize(
    ("pins", "message"),
    [
        ([("morning", "hall"), ("morning", "hall")], "are both pinned to Main hall at 10:00"),
        ([("morning", None), ("morning", None), ("morning", None)], "which has only 2 spaces"),
        ([(None, "small"), (None, "small"), (None, "small")], "there are only 2 slots"),
        ([("evening", None)], "time slot that no longer exists"),
        ([(None, "attic")], "space that no longer exists"),
    ],
)
def test_pins_that_cannot_all_hold_are_refused(pins: list[tuple[str | None, str | None]], message: str) -> None:
    conversations = [
        Conversation(f"c{i}", f"C{i}", frozenset({f"host{i}"}), pinned_slot=s, pinned_space=r)
        for i, (s, r) in enumerate(pins)
    ]
    with pytest.raises(PinConflict, match=message):
        build_agenda(conversations, SLOTS, ROOMS)


def test_a_host_pinned_twice_to_one_slot_is_refused() -> None:
    conversations = [
        conv("a", {"amara"}, pinned_slot="morning"),
        conv("b", {"amara"}, pinned_slot="morning"),
    ]
    with pytest.raises(PinConflict, match="share a host"):
        build_agenda(conversations, SLOTS, ROOMS)


def test_what_cannot_be_placed_says_why() -> None:
    too_many = [conv(f"c{i}", {f"h{i}"}) for i in range(5)]
    agenda = build_agenda(too_many, SLOTS, ROOMS)
    assert len(agenda.unplaced) == 1
    assert "only 4 places on the agenda" in agenda.unplaced[0].reason
    busy_host = [conv(f"c{i}", {"amara"}) for i in range(3)]
    agenda = build_agenda(busy_host, SLOTS, ROOMS)
    assert len(agenda.unplaced) == 1
    assert "more conversations than there are time slots" in agenda.unplaced[0].reason
    assert build_agenda([conv("a", {"amara"})], [], ROOMS).unplaced[0].reason == "The event has no time slots yet."


def test_no_conversations_no_agenda() -> None:
    agenda = build_agenda([], SLOTS, ROOMS)
    assert agenda.placements == () and agenda.unplaced == ()


def test_when_not_everyone_fits_only_those_that_cannot_are_left_out() -> None:
    slots = [Slot(f"s{i}", f"1{i}:00") for i in range(3)]
    rooms = [Space(f"r{i}", f"Room {i}", 10) for i in range(4)]
    busy = [conv(f"busy{i}", {"amara"}, {f"p{i}"}) for i in range(4)]  # four, and three slots
    others = [conv(f"other{i}", {f"h{i}"}, {f"p{i}", f"q{i}"}) for i in range(6)]
    agenda = build_agenda(busy + others, slots, rooms)
    assert [u.conversation_id for u in agenda.unplaced if u.conversation_id.startswith("other")] == []
    assert len(agenda.unplaced) == 1
    too_many = [conv(f"c{i}", {f"h{i}"}, {f"p{i % 5}"}) for i in range(14)]  # 14 for 12 places
    assert len(build_agenda(too_many, slots, rooms).unplaced) == 2
