"""Open Space items in the main table, all in the event's partition ``OS#<event id>``:

- conversation ``CONV#<conversation id>``; gsi1 ``OSHARVEST#due`` / ``<slot end>#<event>#<conv>``
  from the agenda's publication until its hosts are sent the harvest link;
- interest mark ``MARK#<conversation id>#<email>``;
- a person's marks ``PERSON#<email>`` (``marked``: a string set); gsi1 ``OSPERSON#<email>`` /
  ``<event id>`` (export and erasure find a person's events through it);
- marketplace ``MARKET``; gsi1 ``OSCLOSING#open`` / ``<closes at>#<event id>`` until an agenda is built;
- agenda ``AGENDA`` (the latest published version, its body as JSON);
- proceedings ``PROCEEDINGS`` (when and by whom they were published).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from functions.common.store import EXISTS, NOT_EXISTS, Condition, ConditionFailed, Delete, Put, Store, Update
from functions.places.repository import ts
from schemas.events.base import DomainEvent

from .domain import Addition, CoHost, Conversation


def pk(event_id: str) -> str:
    return f"OS#{event_id}"


def _conversation_item(c: Conversation) -> dict[str, Any]:
    return {
        "pk": pk(c.event_id),
        "sk": f"CONV#{c.conversation_id}",
        "event_id": c.event_id,
        "conversation_id": c.conversation_id,
        "title": c.title,
        "question": c.question,
        "themes": list(c.themes),
        "host_email": c.host_email,
        "host_name": c.host_name,
        "host_member_id": c.host_member_id,
        "proposed_at": ts(c.proposed_at),
        "co_hosts": [{"email": h.email, "name": h.name, "confirmed": h.confirmed} for h in c.co_hosts],
        "interested": c.interested,
    }


def _conversation(item: dict[str, Any]) -> Conversation:
    harvested = item.get("harvested_at")
    return Conversation(
        event_id=item["event_id"],
        conversation_id=item["conversation_id"],
        title=item["title"],
        question=item["question"],
        themes=tuple(item.get("themes") or ()),
        host_email=item.get("host_email", ""),
        host_name=item.get("host_name", ""),
        host_member_id=item.get("host_member_id", ""),
        proposed_at=datetime.fromisoformat(item["proposed_at"]),
        co_hosts=tuple(
            CoHost(h["email"], h.get("name", ""), bool(h.get("confirmed"))) for h in item.get("co_hosts") or ()
        ),
        interested=int(item.get("interested", 0)),
        pinned_slot=item.get("pinned_slot"),
        pinned_space=item.get("pinned_space"),
        discussed=item.get("discussed", ""),
        next_steps=item.get("next_steps", ""),
        keep_going=item.get("keep_going", ""),
        additions=tuple(
            Addition(a.get("by", ""), a.get("name", ""), a.get("text", "")) for a in item.get("additions") or ()
        ),
        harvested_at=datetime.fromisoformat(harvested) if harvested else None,
    )


def _person_key(event_id: str, email: str) -> dict[str, str]:
    return {"pk": pk(event_id), "sk": f"PERSON#{email}"}


def _person_update(event_id: str, email: str, member_id: str, expression: str, conversation_id: str) -> Update:
    return Update(
        key=_person_key(event_id, email),
        expression=f"SET gsi1pk = :g, gsi1sk = :e, member_id = :m {expression} marked :c",
        values={":g": f"OSPERSON#{email}", ":e": event_id, ":m": member_id, ":c": {conversation_id}},
    )


class OpenSpaceRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # -- conversations --------------------------------------------------------------------------
    def propose(self, conversation: Conversation, closes_at: datetime | None, events: list[DomainEvent]) -> None:
        e = conversation.event_id
        operations: list[Put | Update] = [Put(_conversation_item(conversation), NOT_EXISTS)]
        if closes_at is not None:
            # The schedule finds marketplaces to close through this index entry.
            operations.append(
                Update(
                    key={"pk": pk(e), "sk": "MARKET"},
                    expression="SET gsi1pk = if_not_exists(gsi1pk, :g), gsi1sk = :s, event_id = :e",
                    values={":g": "OSCLOSING#open", ":s": f"{ts(closes_at)}#{e}", ":e": e},
                )
            )
        operations.append(
            Update(
                key=_person_key(e, conversation.host_email),
                expression="SET gsi1pk = :g, gsi1sk = :e, member_id = :m",
                values={":g": f"OSPERSON#{conversation.host_email}", ":e": e, ":m": conversation.host_member_id},
            )
        )
        self.store.write(operations, events)

    def get(self, event_id: str, conversation_id: str) -> Conversation | None:
        item = self.store.get(pk(event_id), f"CONV#{conversation_id}")
        return _conversation(item) if item else None

    def conversations(self, event_id: str) -> list[Conversation]:
        return [_conversation(i) for i in self.store.query(pk(event_id), sk_prefix="CONV#")]

    def confirm_co_host(
        self, conversation: Conversation, email: str, token: tuple[str, float], events: list[DomainEvent]
    ) -> None:
        """Record the confirmed co-host and spend the link, at once."""
        confirmed = [{"email": h.email, "name": h.name, "confirmed": h.confirmed} for h in conversation.co_hosts]
        e = conversation.event_id
        self.store.write(
            [
                Update(
                    key={"pk": pk(conversation.event_id), "sk": f"CONV#{conversation.conversation_id}"},
                    expression="SET co_hosts = :c",
                    values={":c": confirmed},
                    condition="attribute_exists(pk)",
                ),
                self.store.use_token_op(token[0], token[1], email),
                Update(
                    key=_person_key(e, email),
                    expression="SET gsi1pk = :g, gsi1sk = :e",
                    values={":g": f"OSPERSON#{email}", ":e": e},
                ),
            ],
            events,
        )

    def pin(self, event_id: str, conversation_id: str, slot: str | None, space: str | None) -> None:
        pins = {"pinned_slot": slot, "pinned_space": space}
        kept = {f":{name}": value for name, value in pins.items() if value is not None}
        sets = ", ".join(f"{name} = :{name}" for name, value in pins.items() if value is not None)
        removes = ", ".join(name for name, value in pins.items() if value is None)
        expression = " ".join(
            part for part in (f"SET {sets}" if sets else "", f"REMOVE {removes}" if removes else "") if part
        )
        self.store.write(
            [
                Update(
                    key={"pk": pk(event_id), "sk": f"CONV#{conversation_id}"},
                    expression=expression,
                    values=kept,
                    condition="attribute_exists(pk)",
                )
            ]
        )

    # -- marks ----------------------------------------------------------------------------------
    def mark(self, event_id: str, conversation_id: str, email: str, member_id: str) -> bool:
        """Mark once; False when already marked."""
        try:
            self.store.write(
                [
                    Put(
                        {
                            "pk": pk(event_id),
                            "sk": f"MARK#{conversation_id}#{email}",
                            "email": email,
                            "member_id": member_id,
                            "conversation_id": conversation_id,
                        },
                        NOT_EXISTS,
                    ),
                    Update(
                        key={"pk": pk(event_id), "sk": f"CONV#{conversation_id}"},
                        expression="ADD interested :one",
                        values={":one": 1},
                        condition="attribute_exists(pk)",
                    ),
                    _person_update(event_id, email, member_id, "ADD", conversation_id),
                ]
            )
        except ConditionFailed as failure:
            if 0 in failure.failed:
                return False
            raise
        return True

    def unmark(self, event_id: str, conversation_id: str, email: str, member_id: str) -> bool:
        try:
            self.store.write(
                [
                    Delete({"pk": pk(event_id), "sk": f"MARK#{conversation_id}#{email}"}, EXISTS),
                    Update(
                        key={"pk": pk(event_id), "sk": f"CONV#{conversation_id}"},
                        expression="ADD interested :minus",
                        values={":minus": -1},
                        condition="attribute_exists(pk)",
                    ),
                    _person_update(event_id, email, member_id, "DELETE", conversation_id),
                ]
            )
        except ConditionFailed as failure:
            if 0 in failure.failed:
                return False
            raise
        return True

    def marks(self, event_id: str) -> dict[str, set[str]]:
        """The emails that marked each conversation (one Query)."""
        found: dict[str, set[str]] = {}
        for item in self.store.query(pk(event_id), sk_prefix="MARK#"):
            found.setdefault(item["conversation_id"], set()).add(item["email"])
        return found

    def marked_by(self, event_id: str, email: str) -> set[str]:
        item = self.store.get(pk(event_id), f"PERSON#{email}")
        return set(item.get("marked") or ()) if item else set()

    def events_of(self, email: str) -> list[str]:
        return [i["gsi1sk"] for i in self.store.query(f"OSPERSON#{email}", index="gsi1")]

    # -- agenda ---------------------------------------------------------------------------------
    def agenda(self, event_id: str) -> dict[str, Any] | None:
        item = self.store.get(pk(event_id), "AGENDA")
        if item is None:
            return None
        return {**item, "body": json.loads(item["body"])}

    def publish_agenda(
        self,
        event_id: str,
        *,
        version: int,
        body: dict[str, Any],
        built_at: datetime,
        harvest_due: dict[str, datetime],
        events: list[DomainEvent],
    ) -> None:
        """The new version (only if the stored one is still ``version - 1``), each placed
        conversation's harvest time, and the marketplace taken off the closing index."""
        previous = Condition("attribute_not_exists(pk) OR version = :v", values={":v": version - 1})
        operations: list[Put | Update] = [
            Put(
                {
                    "pk": pk(event_id),
                    "sk": "AGENDA",
                    "version": version,
                    "built_at": ts(built_at),
                    "body": json.dumps(body, separators=(",", ":")),
                },
                previous,
            ),
            Update(
                key={"pk": pk(event_id), "sk": "MARKET"},
                expression="SET event_id = :e, agenda_version = :v REMOVE gsi1pk, gsi1sk",
                values={":e": event_id, ":v": version},
            ),
        ]
        self.store.write(operations, events)
        # Then each placed conversation's harvest time: one write each, not in the transaction,
        # since an agenda may hold more conversations than a transaction holds items, and one
        # whose link was already sent (a rebuild during the event) is simply left alone.
        for conversation_id, ends_at in harvest_due.items():
            try:
                self.store.write(
                    [
                        Update(
                            key={"pk": pk(event_id), "sk": f"CONV#{conversation_id}"},
                            expression="SET gsi1pk = :g, gsi1sk = :s",
                            values={":g": "OSHARVEST#due", ":s": f"{ts(ends_at)}#{event_id}#{conversation_id}"},
                            condition="attribute_exists(pk) AND attribute_not_exists(harvest_requested_at)",
                        )
                    ]
                )
            except ConditionFailed:
                continue

    def closing(self, before: datetime) -> list[str]:
        """Events whose marketplace closed before ``before`` with no agenda built since."""
        items = self.store.query("OSCLOSING#open", index="gsi1", sk_to=f"{ts(before)}#~")
        return [i["event_id"] for i in items]

    def harvests_due(self, before: datetime) -> list[tuple[str, str]]:
        items = self.store.query("OSHARVEST#due", index="gsi1", sk_to=f"{ts(before)}#~")
        return [(i["event_id"], i["conversation_id"]) for i in items]

    def request_harvest(self, conversation: Conversation, at: datetime, events: list[DomainEvent]) -> bool:
        try:
            self.store.write(
                [
                    Update(
                        key={"pk": pk(conversation.event_id), "sk": f"CONV#{conversation.conversation_id}"},
                        expression="SET harvest_requested_at = :t REMOVE gsi1pk, gsi1sk",
                        values={":t": ts(at)},
                        condition="attribute_exists(gsi1pk)",
                    )
                ],
                events,
            )
        except ConditionFailed:
            return False  # already requested (a concurrent run)
        return True

    # -- harvest and proceedings ----------------------------------------------------------------
    def record_harvest(
        self,
        conversation: Conversation,
        fields: dict[str, str],
        at: datetime,
        token_op: Put | None,
        events: list[DomainEvent],
    ) -> None:
        operations: list[Put | Update] = [
            Update(
                key={"pk": pk(conversation.event_id), "sk": f"CONV#{conversation.conversation_id}"},
                expression="SET discussed = :d, next_steps = :n, keep_going = :k, harvested_at = :t",
                values={
                    ":d": fields["discussed"],
                    ":n": fields["next_steps"],
                    ":k": fields["keep_going"],
                    ":t": ts(at),
                },
                condition="attribute_exists(pk)",
            )
        ]
        if token_op is not None:
            operations.append(token_op)
        self.store.write(operations, events)

    def add_to_harvest(self, conversation: Conversation, addition: Addition, events: list[DomainEvent]) -> None:
        self.store.write(
            [
                Update(
                    key={"pk": pk(conversation.event_id), "sk": f"CONV#{conversation.conversation_id}"},
                    expression="SET additions = list_append(if_not_exists(additions, :empty), :new)",
                    values={":empty": [], ":new": [{"by": addition.by, "name": addition.name, "text": addition.text}]},
                    condition="attribute_exists(pk)",
                ),
                Update(
                    key=_person_key(conversation.event_id, addition.by),
                    expression="SET gsi1pk = :g, gsi1sk = :e",
                    values={":g": f"OSPERSON#{addition.by}", ":e": conversation.event_id},
                ),
            ],
            events,
        )

    def proceedings(self, event_id: str) -> dict[str, Any] | None:
        return self.store.get(pk(event_id), "PROCEEDINGS")

    def publish_proceedings(self, event_id: str, at: datetime, by: str, events: list[DomainEvent]) -> None:
        self.store.write(
            [Put({"pk": pk(event_id), "sk": "PROCEEDINGS", "published_at": ts(at), "published_by": by}, NOT_EXISTS)],
            events,
        )

    # -- personal data --------------------------------------------------------------------------
    def forget(self, event_id: str, email: str) -> None:
        """Remove a person's marks and their name from what they host or co-host."""
        person = self.store.get(pk(event_id), f"PERSON#{email}")
        for conversation_id in sorted((person or {}).get("marked") or ()):
            self.unmark(event_id, conversation_id, email, "")
        for conversation in self.conversations(event_id):
            if any(a.by == email for a in conversation.additions):
                kept_additions = [
                    {"by": "", "name": "Former member", "text": a.text}
                    if a.by == email
                    else {"by": a.by, "name": a.name, "text": a.text}
                    for a in conversation.additions
                ]
                self.store.write(
                    [
                        Update(
                            key={"pk": pk(event_id), "sk": f"CONV#{conversation.conversation_id}"},
                            expression="SET additions = :a",
                            values={":a": kept_additions},
                        )
                    ]
                )
            if conversation.host_email == email:
                self.store.write(
                    [
                        Update(
                            key={"pk": pk(event_id), "sk": f"CONV#{conversation.conversation_id}"},
                            expression="SET host_email = :e, host_name = :n, host_member_id = :e",
                            values={":e": "", ":n": "Former member"},
                        )
                    ]
                )
            elif conversation.co_host(email):
                kept = [
                    {"email": h.email, "name": h.name, "confirmed": h.confirmed}
                    for h in conversation.co_hosts
                    if h.email != email
                ]
                self.store.write(
                    [
                        Update(
                            key={"pk": pk(event_id), "sk": f"CONV#{conversation.conversation_id}"},
                            expression="SET co_hosts = :c",
                            values={":c": kept},
                        )
                    ]
                )
        self.store.write([Delete(_person_key(event_id, email))])
