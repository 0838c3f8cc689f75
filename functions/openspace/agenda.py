"""Building an Open Space agenda: plain Python, no AWS.

Every conversation proposed in the marketplace gets one time slot and one space. The rules, in
the order they weigh:

1. **Never broken.** No host or confirmed co-host is in two places at once; a space holds one
   conversation per slot; staff pins (to a slot, a space, or both) hold.
2. **Everyone placed** whenever that is possible at all (a search, not just a greedy pass).
3. **People over rooms.** The cost of an agenda is the number of people it lets down:
   *attendee clashes* (for each person, each pair of conversations they want in the same slot:
   one of them they will miss) plus *seats short* (people expected at a conversation beyond its
   space's capacity). The expected audience of a conversation is everyone who marked it plus its
   hosts; a host who marks another conversation wants to be there too.
4. **Never worse than first come.** The first-come agenda (conversations in the order they were
   proposed, each taking the earliest slot its hosts are free and a free space) is built too,
   and the search never accepts an agenda with more attendee clashes than it.

The same input gives the same agenda: everything is put in a canonical order first (by id) and
the only randomness is a generator with a fixed seed. Every placement explains itself: why this
slot and this space, which clashes remained.

The search: a most-constrained-first placement with backtracking (bounded) finds a complete
agenda when one exists; then a local search moves conversations between slots and swaps pairs
while that lowers the cost, perturbing and descending again a fixed number of times. Within a
slot, spaces are matched to conversations largest to largest (smallest space that fits, for
each conversation from the largest audience down), which minimises the seats short for that
slot's set of conversations.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Agenda",
    "Clash",
    "Conversation",
    "PinConflict",
    "Placement",
    "Slot",
    "Space",
    "Unplaced",
    "attendee_clashes",
    "build_agenda",
    "first_come",
]

#: Placement search: the most nodes the backtracking visits before settling for what it has.
SEARCH_BUDGET = 5_000
#: Local search: perturb-and-descend rounds after the first descent, and swaps per perturbation.
KICKS = 4
KICK_SIZE = 3
SEED = 20221012


@dataclass(frozen=True)
class Slot:
    id: str
    label: str = ""


@dataclass(frozen=True)
class Space:
    id: str
    name: str
    capacity: int
    online: bool = False


@dataclass(frozen=True)
class Conversation:
    """A proposed conversation. ``hosts`` are the host and the co-hosts who have confirmed;
    ``interested`` are the people who marked it; ``proposed`` sorts first-come order."""

    id: str
    title: str
    hosts: frozenset[str]
    interested: frozenset[str] = frozenset()
    proposed: str = ""
    pinned_slot: str | None = None
    pinned_space: str | None = None

    @property
    def people(self) -> frozenset[str]:
        return self.hosts | self.interested


@dataclass(frozen=True)
class Clash:
    """Another conversation in the same slot that ``people`` of this one's audience also want."""

    conversation_id: str
    title: str
    people: int


@dataclass(frozen=True)
class Placement:
    conversation_id: str
    slot_id: str
    space_id: str
    audience: int
    capacity: int
    pinned: bool
    why_slot: str
    why_space: str
    clashes: tuple[Clash, ...] = ()

    @property
    def seats_short(self) -> int:
        return max(0, self.audience - self.capacity)


@dataclass(frozen=True)
class Unplaced:
    conversation_id: str
    reason: str


@dataclass(frozen=True)
class Agenda:
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    attendee_clashes: int
    seats_short: int
    first_come_clashes: int
    first_come_seats_short: int
    first_come_unplaced: int
    summary: tuple[str, ...] = field(default=())

    def placement(self, conversation_id: str) -> Placement | None:
        return next((p for p in self.placements if p.conversation_id == conversation_id), None)


class PinConflict(ValueError):
    """Staff pins that cannot all hold (two conversations pinned to one space in one slot, a
    host pinned to two conversations in one slot, a pin to a slot or space that does not exist)."""


# ---------------------------------------------------------------------------------------------
# The problem in integer form


@dataclass
class _Problem:
    slots: tuple[Slot, ...]
    spaces: tuple[Space, ...]
    convs: tuple[Conversation, ...]  # sorted by id
    hosts: list[frozenset[str]]
    audience: list[int]
    weight: list[dict[int, int]]  # people shared with each other conversation (sparse)
    slot_pin: list[int | None]
    space_pin: list[int | None]
    capacities: list[int] = field(default_factory=list)  # ascending
    space_pinned: bool = False

    @property
    def n_slots(self) -> int:
        return len(self.slots)


def _problem(conversations: Iterable[Conversation], slots: Sequence[Slot], spaces: Sequence[Space]) -> _Problem:
    convs = tuple(sorted(conversations, key=lambda c: c.id))
    if len({c.id for c in convs}) != len(convs):
        raise ValueError("conversation ids must be unique")
    slot_index = {s.id: i for i, s in enumerate(slots)}
    space_index = {s.id: i for i, s in enumerate(spaces)}
    if len(slot_index) != len(slots) or len(space_index) != len(spaces):
        raise ValueError("slot and space ids must be unique")
    slot_pin: list[int | None] = []
    space_pin: list[int | None] = []
    for c in convs:
        if c.pinned_slot is not None and c.pinned_slot not in slot_index:
            raise PinConflict(f"“{c.title}” is pinned to a time slot that no longer exists.")
        if c.pinned_space is not None and c.pinned_space not in space_index:
            raise PinConflict(f"“{c.title}” is pinned to a space that no longer exists.")
        slot_pin.append(None if c.pinned_slot is None else slot_index[c.pinned_slot])
        space_pin.append(None if c.pinned_space is None else space_index[c.pinned_space])
    by_person: dict[str, list[int]] = {}
    for i, c in enumerate(convs):
        for person in c.people:
            by_person.setdefault(person, []).append(i)
    weight: list[dict[int, int]] = [{} for _ in convs]
    for wanted in by_person.values():
        for a_pos, a in enumerate(wanted):
            wa = weight[a]
            for b in wanted[a_pos + 1 :]:
                wa[b] = wa.get(b, 0) + 1
                wb = weight[b]
                wb[a] = wb.get(a, 0) + 1
    return _Problem(
        slots=tuple(slots),
        spaces=tuple(spaces),
        convs=convs,
        hosts=[c.hosts for c in convs],
        audience=[len(c.people) for c in convs],
        weight=weight,
        slot_pin=slot_pin,
        space_pin=space_pin,
        capacities=sorted(s.capacity for s in spaces),
        space_pinned=any(r is not None for r in space_pin),
    )


def _short(audiences: list[int], capacities: list[int]) -> int:
    """Seats short with ascending ``audiences`` matched to the largest of the ascending
    ``capacities``, largest to largest (optimal: the shortfall is convex in the difference)."""
    offset = len(capacities) - len(audiences)
    short = 0
    for i, a in enumerate(audiences):
        cap = capacities[offset + i]
        if a > cap:
            short += a - cap
    return short


def _check_pins(p: _Problem) -> None:
    per_slot = Counter(s for s in p.slot_pin if s is not None)
    for slot, count in sorted(per_slot.items()):
        if count > len(p.spaces):
            raise PinConflict(
                f"{count} conversations are pinned to {_slot_name(p.slots[slot])}, "
                f"which has only {len(p.spaces)} spaces."
            )
    per_space = Counter(r for r in p.space_pin if r is not None)
    for space, count in sorted(per_space.items()):
        if count > p.n_slots:
            raise PinConflict(
                f"{count} conversations are pinned to {p.spaces[space].name}; there are only {p.n_slots} slots."
            )
    seen_cell: dict[tuple[int, int], int] = {}
    seen_host: dict[tuple[int, str], int] = {}
    for i, c in enumerate(p.convs):
        pinned_slot, r = p.slot_pin[i], p.space_pin[i]
        if pinned_slot is None:
            continue
        s = pinned_slot
        if r is not None:
            other = seen_cell.setdefault((s, r), i)
            if other != i:
                raise PinConflict(
                    f"“{p.convs[other].title}” and “{c.title}” are both pinned to "
                    f"{p.spaces[r].name} at {_slot_name(p.slots[s])}."
                )
        for person in sorted(c.hosts):
            other = seen_host.setdefault((s, person), i)
            if other != i:
                raise PinConflict(
                    f"“{p.convs[other].title}” and “{c.title}” share a host and are both pinned to "
                    f"{_slot_name(p.slots[s])}."
                )


def _slot_name(slot: Slot) -> str:
    return slot.label or slot.id


# ---------------------------------------------------------------------------------------------
# Within a slot: spaces for a set of conversations


def _assign_spaces(p: _Problem, members: Sequence[int]) -> dict[int, int]:
    """Space per conversation of one slot: pinned spaces first, then from the largest audience
    down, the smallest free space that holds it (or the largest free one when none does)."""
    placed: dict[int, int] = {}
    free = set(range(len(p.spaces)))
    for c in members:
        r = p.space_pin[c]
        if r is not None:
            placed[c] = r
            free.discard(r)
    rest = sorted((c for c in members if p.space_pin[c] is None), key=lambda c: (-p.audience[c], c))
    by_capacity = sorted(free, key=lambda r: (p.spaces[r].capacity, r))
    for c in rest:
        need = p.audience[c]
        choice = next((r for r in by_capacity if p.spaces[r].capacity >= need), by_capacity[-1])
        by_capacity.remove(choice)
        placed[c] = choice
    return placed


def _slot_overflow(p: _Problem, members: Iterable[int]) -> int:
    """Seats short in one slot with its spaces matched optimally (sorted audiences against
    sorted capacities of the spaces not pinned; pinned conversations keep their space)."""
    if not p.space_pinned:
        return _short(sorted(p.audience[c] for c in members), p.capacities)
    short = 0
    taken: set[int] = set()
    loose: list[int] = []
    for c in members:
        r = p.space_pin[c]
        if r is None:
            loose.append(p.audience[c])
        else:
            taken.add(r)
            short += max(0, p.audience[c] - p.spaces[r].capacity)
    if loose:
        caps = sorted((s.capacity for i, s in enumerate(p.spaces) if i not in taken), reverse=True)
        loose.sort(reverse=True)
        short += sum(max(0, a - cap) for a, cap in zip(loose, caps, strict=False))
    return short


# ---------------------------------------------------------------------------------------------
# Slot assignment state


class _State:
    """Which conversations are in which slot, with what local search needs kept up to date:
    per slot the hosts present and the spaces pinned, and per conversation and slot the people
    it shares with the conversations there (``near``)."""

    def __init__(self, p: _Problem, slot_of: Sequence[int | None]) -> None:
        self.p = p
        self.slot_of = list(slot_of)
        n, k = len(p.convs), p.n_slots
        self.members: list[set[int]] = [set() for _ in range(k)]
        self.host_count: list[Counter[str]] = [Counter() for _ in range(k)]
        self.space_pins: list[set[int]] = [set() for _ in range(k)]
        self.near = [[0] * k for _ in range(n)]
        self.overflow = [0] * k
        for c, s in enumerate(self.slot_of):
            if s is not None:
                self._add(c, s)
        for s in range(k):
            self.overflow[s] = _slot_overflow(p, self.members[s])

    def _add(self, c: int, s: int) -> None:
        self.members[s].add(c)
        self.host_count[s].update(self.p.hosts[c])
        if self.p.space_pin[c] is not None:
            self.space_pins[s].add(self.p.space_pin[c])  # type: ignore[arg-type]
        for d, w in self.p.weight[c].items():
            self.near[d][s] += w

    def _remove(self, c: int, s: int) -> None:
        self.members[s].discard(c)
        self.host_count[s].subtract(self.p.hosts[c])
        if self.p.space_pin[c] is not None:
            self.space_pins[s].discard(self.p.space_pin[c])  # type: ignore[arg-type]
        for d, w in self.p.weight[c].items():
            self.near[d][s] -= w

    def clashes(self) -> int:
        return sum(self.near[c][s] for c, s in enumerate(self.slot_of) if s is not None) // 2

    def cost(self) -> int:
        return self.clashes() + sum(self.overflow)

    def movable(self, c: int) -> bool:
        return self.p.slot_pin[c] is None

    def can_enter(self, c: int, s: int, leaving: int | None = None) -> bool:
        """Could ``c`` join slot ``s`` (with ``leaving`` leaving it at the same time)?"""
        p = self.p
        if len(self.members[s]) - (leaving is not None) >= len(p.spaces):
            return False
        r = p.space_pin[c]
        if r is not None and r in self.space_pins[s] and (leaving is None or p.space_pin[leaving] != r):
            return False
        counts = self.host_count[s]
        gone = p.hosts[leaving] if leaving is not None else frozenset()
        return all(counts[h] - (h in gone) <= 0 for h in p.hosts[c])

    def move(self, c: int, t: int) -> None:
        s = self.slot_of[c]
        assert s is not None
        self._remove(c, s)
        self._add(c, t)
        self.slot_of[c] = t
        self.overflow[s] = _slot_overflow(self.p, self.members[s])
        self.overflow[t] = _slot_overflow(self.p, self.members[t])

    def swap(self, c: int, d: int) -> None:
        s, t = self.slot_of[c], self.slot_of[d]
        assert s is not None and t is not None
        self._remove(c, s)
        self._remove(d, t)
        self._add(c, t)
        self._add(d, s)
        self.slot_of[c], self.slot_of[d] = t, s
        self.overflow[s] = _slot_overflow(self.p, self.members[s])
        self.overflow[t] = _slot_overflow(self.p, self.members[t])


# ---------------------------------------------------------------------------------------------
# Placement: every conversation a slot, when at all possible


def _place(p: _Problem) -> list[int | None]:
    """Most-constrained-first backtracking over slots. Values are tried cheapest first (fewest
    people shared with the slot), so the first complete agenda found is already a good one."""
    n, k = len(p.convs), p.n_slots
    state = _State(p, [None] * n)
    fixed = [c for c in range(n) if p.slot_pin[c] is not None]
    for c in fixed:
        s = p.slot_pin[c]
        assert s is not None
        state.slot_of[c] = s
        state._add(c, s)
    host_degree = [0] * n
    by_host: dict[str, list[int]] = {}
    for c in range(n):
        for h in p.hosts[c]:
            by_host.setdefault(h, []).append(c)
    for group in by_host.values():
        for c in group:
            host_degree[c] += len(group) - 1
    total_weight = [sum(w.values()) for w in p.weight]
    free = [c for c in range(n) if p.slot_pin[c] is None]
    best: list[int | None] = list(state.slot_of)
    best_count = -1
    nodes = 0

    def options(c: int) -> list[int]:
        return [s for s in range(k) if state.can_enter(c, s)]

    def search(remaining: list[int]) -> bool:
        nonlocal nodes, best, best_count
        placed = n - len(remaining)
        if placed > best_count:
            best, best_count = list(state.slot_of), placed
        if not remaining:
            return True
        nodes += 1
        if nodes > SEARCH_BUDGET:
            return False
        c = min(remaining, key=order)
        rest = [d for d in remaining if d != c]
        for s in sorted(options(c), key=lambda s: (state.near[c][s], len(state.members[s]), s)):
            state.slot_of[c] = s
            state._add(c, s)
            if search(rest):
                return True
            state._remove(c, s)
            state.slot_of[c] = None
            if nodes > SEARCH_BUDGET:
                return False
        return False

    def order(c: int) -> tuple[int, int, int, int]:
        # Most constrained: fewest slots open, then most host ties, then most shared interest.
        return (len(options(c)), -host_degree[c], -total_weight[c], c)

    def greedy() -> list[int | None]:
        """The same choices without going back: one that fits nowhere is left out, and the
        rest are still placed (what a search that cannot place everyone falls back on)."""
        remaining = list(free)
        while remaining:
            c = min(remaining, key=order)
            remaining.remove(c)
            choices = options(c)
            if choices:
                s = min(choices, key=lambda s: (state.near[c][s], len(state.members[s]), s))
                state.slot_of[c] = s
                state._add(c, s)
        return list(state.slot_of)

    hosting = Counter(h for c in range(n) for h in p.hosts[c])
    if n > k * len(p.spaces) or max(hosting.values(), default=0) > k:
        return greedy()  # no agenda holds everyone: do not search for one
    if search(free):
        return state.slot_of
    for c in free:  # back to the pins alone, then the greedy pass
        if state.slot_of[c] is not None:
            state._remove(c, state.slot_of[c])  # type: ignore[arg-type]
            state.slot_of[c] = None
    fallback = greedy()
    return fallback if sum(x is not None for x in fallback) > best_count else best


def _first_come_slots(p: _Problem) -> list[int | None]:
    """Conversations in the order proposed (pinned ones first, where staff put them), each in
    the earliest slot where its hosts are free and a space is left."""
    n = len(p.convs)
    state = _State(p, [None] * n)
    order = sorted(range(n), key=lambda c: (p.slot_pin[c] is None, p.convs[c].proposed, p.convs[c].id))
    for c in order:
        pinned = p.slot_pin[c]
        choices = [pinned] if pinned is not None else range(p.n_slots)
        for s in choices:
            if state.can_enter(c, s):
                state.slot_of[c] = s
                state._add(c, s)
                break
    return state.slot_of


# ---------------------------------------------------------------------------------------------
# Local search


def _descend(state: _State, clash_bound: int | None) -> None:
    """Apply improving moves and swaps (in a fixed order) until none is left."""
    p = state.p
    n, k = len(p.convs), p.n_slots
    weight = p.weight
    near = state.near
    audience = p.audience
    clashes = state.clashes()
    improved = True
    while improved:
        improved = False
        for c in range(n):
            s = state.slot_of[c]
            if s is None or not state.movable(c):
                continue
            for t in range(k):
                if t == s or not state.can_enter(c, t):
                    continue
                d_clash = near[c][t] - near[c][s]
                if clash_bound is not None and clashes + d_clash > clash_bound:
                    continue
                # Taking c out of s seats at most its own audience more; adding it to t seats
                # nobody more: below that bound, no change of rooms can pay for it.
                if d_clash - min(audience[c], state.overflow[s]) >= 0:
                    continue
                ms, mt = state.members[s] - {c}, state.members[t] | {c}
                d_over = _slot_overflow(p, ms) + _slot_overflow(p, mt) - state.overflow[s] - state.overflow[t]
                if d_clash + d_over < 0:
                    state.move(c, t)
                    clashes += d_clash
                    improved = True
                    s = t
        for c in range(n):
            for d in range(c + 1, n):
                sc, td = state.slot_of[c], state.slot_of[d]
                if sc is None or td is None or sc == td or not (state.movable(c) and state.movable(d)):
                    continue
                s, t = sc, td
                w = weight[c].get(d, 0)
                d_clash = near[c][t] - near[c][s] + near[d][s] - near[d][t] - 2 * w
                if clash_bound is not None and clashes + d_clash > clash_bound:
                    continue
                # Seats short grow with audiences, by at most the growth: a swap seats at most
                # the difference of the two audiences more.
                if d_clash - min(abs(audience[c] - audience[d]), state.overflow[s] + state.overflow[t]) >= 0:
                    continue
                if not (state.can_enter(c, t, leaving=d) and state.can_enter(d, s, leaving=c)):
                    continue
                ms = (state.members[s] - {c}) | {d}
                mt = (state.members[t] - {d}) | {c}
                d_over = _slot_overflow(p, ms) + _slot_overflow(p, mt) - state.overflow[s] - state.overflow[t]
                if d_clash + d_over < 0:
                    state.swap(c, d)
                    clashes += d_clash
                    improved = True


def _improve(p: _Problem, start: list[int | None], clash_bound: int | None) -> list[int | None]:
    state = _State(p, start)
    _descend(state, clash_bound)
    best, best_cost = list(state.slot_of), state.cost()
    movable = [c for c in range(len(p.convs)) if state.slot_of[c] is not None and state.movable(c)]
    if len(movable) < 2 or p.n_slots < 2:
        return best
    rng = random.Random(SEED)  # noqa: S311 - a fixed seed on purpose: the same input, the same agenda
    for _ in range(KICKS):
        for _ in range(KICK_SIZE):
            c, d = rng.sample(movable, 2)
            s, t = state.slot_of[c], state.slot_of[d]
            if s is None or t is None or s == t:
                continue
            if state.can_enter(c, t, leaving=d) and state.can_enter(d, s, leaving=c):
                state.swap(c, d)
        if clash_bound is not None and state.clashes() > clash_bound:
            state = _State(p, best)
            continue
        _descend(state, clash_bound)
        cost = state.cost()
        if cost < best_cost:
            best, best_cost = list(state.slot_of), cost
        else:
            state = _State(p, best)
    return best


# ---------------------------------------------------------------------------------------------
# The agenda


def attendee_clashes(conversations: Iterable[Conversation], slot_of: dict[str, str]) -> int:
    """For every person, each pair of conversations they want that share a slot (a check that
    does not share the builder's bookkeeping)."""
    wanted: Counter[tuple[str, str]] = Counter()
    for c in conversations:
        slot = slot_of.get(c.id)
        if slot is None:
            continue
        for person in c.people:
            wanted[(person, slot)] += 1
    return sum(k * (k - 1) // 2 for k in wanted.values())


def _totals(p: _Problem, slot_of: Sequence[int | None]) -> tuple[int, int, int]:
    state = _State(p, slot_of)
    return state.clashes(), sum(state.overflow), sum(s is None for s in slot_of)


def first_come(conversations: Iterable[Conversation], slots: Sequence[Slot], spaces: Sequence[Space]) -> Agenda:
    """The agenda a first-come wall would give: the baseline the builder is measured against."""
    p = _problem(conversations, slots, spaces)
    _check_pins(p)
    slot_of = _first_come_slots(p)
    clashes, short, unplaced = _totals(p, slot_of)
    return _agenda(p, slot_of, (clashes, short, unplaced), first_come_search=False)


def build_agenda(conversations: Iterable[Conversation], slots: Sequence[Slot], spaces: Sequence[Space]) -> Agenda:
    """The agenda for these conversations (see the module's docstring). Raises ``PinConflict``
    when staff pins cannot all hold."""
    p = _problem(conversations, slots, spaces)
    _check_pins(p)
    if not p.convs:
        return Agenda((), (), 0, 0, 0, 0, 0, ("No conversations have been proposed yet.",))
    if not p.slots or not p.spaces:
        return _agenda(p, [None] * len(p.convs), (0, 0, len(p.convs)), first_come_search=False)
    baseline = _first_come_slots(p)
    fc = _totals(p, baseline)
    placed = _place(p)
    mine = _totals(p, placed)
    # Start from whichever places more (then clashes less); never end with more clashes than
    # first come when first come placed everyone the search did.
    start = placed if (mine[2], mine[0]) <= (fc[2], fc[0]) else baseline
    bound = fc[0] if _totals(p, start)[2] >= fc[2] else None
    if bound is not None and _totals(p, start)[0] > bound:
        start = baseline
    built = _agenda(p, _improve(p, start, bound), fc, first_come_search=True)
    if fc[2]:
        return built  # first come leaves someone out: the search placed at least as many
    # The search weighs clashes against an estimate of seats short, and rooms are given out
    # afterwards: compare the finished agendas, and never hand staff one that lets down more
    # people than first come would.
    walled = _agenda(p, baseline, fc, first_come_search=True)
    clashes, let_down = built.attendee_clashes, built.attendee_clashes + built.seats_short
    if (
        not built.unplaced
        and clashes <= walled.attendee_clashes
        and let_down <= walled.attendee_clashes + walled.seats_short
    ):
        return built
    return walled


def _agenda(p: _Problem, slot_of: Sequence[int | None], fc: tuple[int, int, int], *, first_come_search: bool) -> Agenda:
    state = _State(p, slot_of)
    placements: list[Placement] = []
    for s in range(p.n_slots):
        members = sorted(state.members[s])
        spaces = _assign_spaces(p, members)
        placements.extend(_explain(p, state, c, s, spaces) for c in members)
    unplaced = tuple(Unplaced(c.id, _why_unplaced(p, i)) for i, c in enumerate(p.convs) if slot_of[i] is None)
    clashes = state.clashes()
    short = sum(pl.seats_short for pl in placements)
    summary = [
        f"{len(placements)} of {len(p.convs)} conversations placed; no host is in two places at once.",
        f"{clashes} attendee clashes (a person wanting two conversations in one slot) and {short} seats short.",
    ]
    if first_come_search:
        summary.append(
            f"First come would have given {fc[0]} attendee clashes and {fc[1]} seats short"
            + (f", with {fc[2]} conversations left out." if fc[2] else ".")
        )
    return Agenda(
        placements=tuple(placements),
        unplaced=unplaced,
        attendee_clashes=clashes,
        seats_short=short,
        first_come_clashes=fc[0],
        first_come_seats_short=fc[1],
        first_come_unplaced=fc[2],
        summary=tuple(summary),
    )


def _explain(p: _Problem, state: _State, c: int, s: int, spaces: dict[int, int]) -> Placement:
    conv, slot, space = p.convs[c], p.slots[s], p.spaces[spaces[c]]
    audience = p.audience[c]
    clashes = sorted(
        (
            Clash(p.convs[d].id, p.convs[d].title, p.weight[c][d])
            for d in state.members[s]
            if d != c and p.weight[c].get(d, 0) > 0
        ),
        key=lambda x: (-x.people, x.conversation_id),
    )
    shared = sum(x.people for x in clashes)
    if p.slot_pin[c] is not None:
        why_slot = f"Pinned to {_slot_name(slot)} by the team."
    elif not clashes:
        why_slot = f"Nobody who wants this conversation wants another one at {_slot_name(slot)}."
    else:
        others = sum(1 for t in range(p.n_slots) if t != s)
        why_slot = (
            f"{_slot_name(slot)} is where it clashes least with what its audience also wants: "
            f"{shared} shared {'person' if shared == 1 else 'people'} here"
            + (" (every other slot would let down more people overall)." if others else ".")
        )
    if p.space_pin[c] is not None:
        why_space = f"Pinned to {space.name} by the team."
    elif audience <= space.capacity:
        why_space = f"{space.name} holds {space.capacity}; {audience} expected (hosts and people who marked it)."
    else:
        bigger = [
            p.spaces[spaces[d]].name
            for d in state.members[s]
            if d != c and p.spaces[spaces[d]].capacity > space.capacity
        ]
        larger = f" (larger ones hold bigger conversations: {', '.join(sorted(bigger))})." if bigger else "."
        why_space = (
            f"{space.name} holds {space.capacity} for {audience} expected: the largest space left at "
            f"{_slot_name(slot)}{larger}"
        )
    return Placement(
        conversation_id=conv.id,
        slot_id=slot.id,
        space_id=space.id,
        audience=audience,
        capacity=space.capacity,
        pinned=p.slot_pin[c] is not None or p.space_pin[c] is not None,
        why_slot=why_slot,
        why_space=why_space,
        clashes=tuple(clashes),
    )


def _why_unplaced(p: _Problem, c: int) -> str:
    if not p.slots:
        return "The event has no time slots yet."
    if not p.spaces:
        return "The event has no spaces yet."
    hosts = p.hosts[c]
    for h in sorted(hosts):
        if sum(1 for d in range(len(p.convs)) if h in p.hosts[d]) > p.n_slots:
            return "One of its hosts hosts more conversations than there are time slots."
    if len(p.convs) > p.n_slots * len(p.spaces):
        return (
            f"There are {len(p.convs)} conversations and only {p.n_slots * len(p.spaces)} places on the "
            "agenda (slots times spaces): add a slot or a space."
        )
    return "No slot has a free space at a time all its hosts are free: add a slot or a space, or unpin a conversation."
