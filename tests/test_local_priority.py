"""Delivery lets requests in flight go first, but is only postponed, never starved."""

from __future__ import annotations

import threading
import time

from infra.local.priority import RequestsFirst


def test_delivery_goes_at_once_when_nobody_waits_for_an_answer() -> None:
    assert RequestsFirst(patience_seconds=5).wait_for_quiet() is True


def test_delivery_waits_for_a_request_in_flight_and_goes_when_it_is_answered() -> None:
    gate = RequestsFirst(patience_seconds=5)
    waited: list[bool] = []
    with gate.request():
        waiter = threading.Thread(target=lambda: waited.append(gate.wait_for_quiet()))
        waiter.start()
        time.sleep(0.1)
        assert waiter.is_alive()  # still waiting: a request is being answered
    waiter.join(timeout=2)
    assert waited == [True]


def test_delivery_is_only_postponed_under_a_rush_that_never_ends() -> None:
    gate = RequestsFirst(patience_seconds=0.05)
    with gate.request():
        started = time.monotonic()
        assert gate.wait_for_quiet() is False  # patience ran out: the batch goes anyway
        assert time.monotonic() - started < 1


def test_stopping_releases_every_waiting_delivery_thread() -> None:
    gate = RequestsFirst(patience_seconds=30)
    waited: list[bool] = []
    with gate.request():
        waiter = threading.Thread(target=lambda: waited.append(gate.wait_for_quiet()))
        waiter.start()
        time.sleep(0.05)
        gate.stop()
        waiter.join(timeout=2)
        assert not waiter.is_alive()
