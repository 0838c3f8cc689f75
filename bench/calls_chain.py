"""The scenarios of the chain of ideas (issue 11) for ``bench/calls.py``: every route of the
``chain`` function, and a conversation taken forward into a SIG (so ``chain-links`` handles a
``SigApproved`` with origins, not only the empty ones of the other scenarios)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.calls import Bench


def chain(b: Bench, event_id: str, conversation_id: str) -> None:
    from bench.calls import _address, form

    ref = f"conversation:{event_id}:{conversation_id}"
    host = b.auth(_address("chain-host"), name="Ada")
    as_staff = b.auth(_address("chain-staff"), staff=True)
    body = {"name": f"Kindness SIG {uuid.uuid4().hex[:6]}", "purpose": "Cultivating kindness.", "origins": [ref]}
    sig_id = b.call("propose a SIG from a conversation", "POST", "/api/sigs", 201, json=body, headers=host).json()[
        "sig_id"
    ]
    b.call(
        "approve it (staff)",
        "POST",
        f"/api/sigs/{sig_id}/decision",
        200,
        json={"decision": "approve"},
        headers=as_staff,
    )
    b.call("SIG proposal form from a conversation", "GET", f"/sigs/new?origin={ref}", 200, headers=host)
    b.call("taken forward (API)", "GET", f"/api/chain/events/{event_id}", 200)
    b.call("taken forward page", "GET", f"/chain/events/{event_id}", 200)
    b.call("led to (API)", "GET", f"/api/chain/led-to?ref={ref}", 200)
    b.call("across events (API)", "GET", "/api/chain", 200)
    b.call("across events page", "GET", "/chain", 200)
    path = f"/api/chain/events/{event_id}/write-up"
    b.call("write-up (staff)", "GET", path, 200, headers=as_staff)
    edited = {"markdown": "At the Bristol event, members hosted Open Space conversations."}
    b.call("edit the write-up (staff)", "PUT", path, 200, json=edited, headers=as_staff)
    page = f"/chain/events/{event_id}/write-up"
    b.call("write-up page (staff)", "GET", page, 200, headers=as_staff)
    b.call("write-up page: save (staff)", "POST", page, 303, data=form(edited), headers=as_staff)
    b.call("publish the write-up (staff)", "POST", f"{path}/publication", 201, headers=as_staff)
    b.call("publish it again (staff)", "POST", f"{path}/publication", 409, headers=as_staff)
    # A second press of the page's button (a double click) shows it published, as it is.
    b.call("write-up page: publish (staff)", "POST", f"{page}/publish", 303, headers=as_staff)
