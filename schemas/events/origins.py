"""Where something came from, as the domain events carry it (issue 11).

An origin is checked when it is named (``functions.chain.origins.resolve``): it exists and the
person naming it can see it. Events carry it resolved, with its title, so consumers need not
read the area it belongs to.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

OriginKind = Literal["conversation", "event", "sig", "bid"]


class Origin(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    kind: OriginKind
    #: The thing's own id (a conversation's id; its event is ``event_id``).
    id: str
    title: str
    #: The event a conversation belongs to (empty for other kinds).
    event_id: str = ""

    @property
    def ref(self) -> str:
        """The stable text form, as forms and the API name it: ``sig:sig_1``,
        ``conversation:event_1:conv_2``."""
        if self.kind == "conversation":
            return f"conversation:{self.event_id}:{self.id}"
        return f"{self.kind}:{self.id}"
