"""``convene dev``: the whole system in one process, on moto, with no AWS account.

Built from the same declaration as the CDK stack: tables, bus, rules, queues with DLQs,
functions behind an API Gateway emulation, the DynamoDB stream and SQS event source mappings
(the outbox's forwarder is a function on a stream trigger), the schedules, and a mail viewer.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from schemas.declaration import FUNCTION_ENVIRONMENT, FUNCTIONS, ScheduleTrigger

from . import gateway, guard, moto_patches
from .containers import FunctionPool
from .delivery import QueuePoller
from .moto_server import REGION, SerializedMoto
from .priority import RequestsFirst
from .provision import Resources, provision
from .schedules import parse_expression
from .state import STATE_FILE, StateRefused, StateStore
from .state import read as read_state
from .state import reset as reset_state
from .streams import StreamPoller
from .transport import LocalTransport
from .transport import install as install_transport
from .transport import uninstall as uninstall_transport

logger = logging.getLogger("convene.local")

DEFAULT_STAFF = "community.team@q.example.org"
DEFAULT_SENDER = "Q community <no-reply@q.example.org>"


def dev_signing_keys(state_dir: Path) -> str:
    """A generated dev secret, kept between runs so links in old local emails still verify."""
    path = state_dir / "dev-signing-keys.json"
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([secrets.token_urlsafe(48)]))
        path.chmod(0o600)
    return path.read_text()


class LocalRuntime:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 3000,
        *,
        demo: bool = True,
        state_dir: Path | None = None,
        staff_emails: str = DEFAULT_STAFF,
        retry_delay_seconds: int | None = None,
        run_schedules: bool = True,
        allowed_hosts: tuple[str, ...] = (),
        persist: bool = False,
        fresh: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.demo = demo
        self.state_dir = state_dir or Path(os.environ.get("CONVENE_STATE_DIR", ".convene"))
        self.staff_emails = staff_emails
        self.retry_delay_seconds = retry_delay_seconds
        self.run_schedules = run_schedules
        #: Further host names it answers to (for example a name in /etc/hosts), besides its own.
        self.allowed_hosts = allowed_hosts
        self._own_hosts: frozenset[str] = frozenset()
        self.moto = SerializedMoto()
        self.pools = {f.name: FunctionPool(f) for f in FUNCTIONS}
        self.routes = gateway.route_table()
        self.pollers: list[QueuePoller] = []
        self.stream_pollers: list[StreamPoller] = []
        self.resources: Resources | None = None
        self._server: BaseWSGIServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._clients: dict[str, Any] = {}
        self.schedule_runs: list[dict[str, Any]] = []
        #: Schedule name -> when it last ran (ISO 8601), kept across restarts with the state.
        self.schedule_last_runs: dict[str, str] = {}
        #: Keep the state in ``state_dir`` across restarts (``convene dev``); ``fresh`` drops it first.
        self.persist = persist
        self.fresh = fresh
        self.state: StateStore | None = None
        self.restored = False
        self.transport: LocalTransport | None = None
        #: Delivery waits (a little) while people wait for an answer: see ``priority.py``.
        self.requests_first = RequestsFirst()

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.session.Session().client(  # type: ignore[call-overload]
                service, config=Config(account_id_endpoint_mode="disabled", retries={"max_attempts": 2})
            )
        return self._clients[service]

    def start(self) -> str:
        # Bind first, so a busy port fails before anything else happens.
        self._server = make_server(self.host, self.port, self.wsgi, threaded=True)
        # socketserver's default joins every request thread at server_close: with requests in
        # flight, stopping would wait for all of them (CI saw > 10 s). They are daemons; let go.
        self._server.block_on_close = False  # type: ignore[attr-defined]  # threaded=True: a ThreadingMixIn
        self.port = self._server.server_port
        self._own_hosts = guard.own_hosts(self.host, self.port, self.allowed_hosts)
        saved = None
        if self.persist:
            if self.fresh:
                reset_state(self.state_dir)
            try:
                saved = read_state(self.state_dir / STATE_FILE)  # refused before anything starts
            except StateRefused:
                self._server.server_close()
                raise
            self.state = StateStore(self, self.state_dir)
        moto_url = self.moto.start()
        # The functions' (and the runtime's) AWS calls reach moto in-process, not over a socket.
        self.transport = LocalTransport(self.moto, moto_url)
        install_transport(self.transport)
        self._environment(moto_url)
        self.resources = provision(self.client, os.environ["SENDER_EMAIL"].split("<")[-1].rstrip(">").strip())
        os.environ.update(self.resources.environment())
        from .signing_keys import provision_signing_keys

        os.environ["SIGNING_KEYS_SECRET_ID"] = provision_signing_keys(
            self.client("secretsmanager"), self.signing_key_seed
        )
        self._reset_function_caches()
        for pool in self.pools.values():
            pool.warm()
        if self.state is not None:
            self.state.watch()
            if saved is not None:
                self.state.restore(saved)
                self.restored = True
        if self.demo and not self.restored:
            from .demo import seed

            seed(self)
        for binding in self.resources.queues:
            pool = self.pools[binding.function]
            poller = QueuePoller(
                self.client,
                binding,
                pool.invoke,
                threading.Event(),
                self.retry_delay_seconds,
                before_batch=self.requests_first.wait_for_quiet,
            )
            self.pollers.append(poller)
        for stream in self.resources.streams:
            self.stream_pollers.append(
                StreamPoller(
                    self.client,
                    stream,
                    self.pools[stream.function].invoke,
                    before_batch=self.requests_first.wait_for_quiet,
                )
            )
        # Delivery wakes on work: moto tells us when a stream gets a record or a queue a message.
        moto_patches.stream_listeners.append(self._on_stream_record)
        moto_patches.queue_listeners.append(self._on_queue_message)
        self._spawn_delivery()
        if self.state is not None:
            self.state.changed()  # the first save writes everything
            self._spawn("state-saver", self.state.run)
        if self.run_schedules:
            self._spawn("scheduler", self._schedule_loop)
        server = self._server
        self._spawn("gateway", lambda: server.serve_forever(poll_interval=0.1))
        return self.url

    def _environment(self, moto_url: str) -> None:
        os.environ.update(
            {
                **FUNCTION_ENVIRONMENT,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_SESSION_TOKEN": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ENDPOINT_URL": moto_url,
                "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
                "AWS_LAMBDA_FUNCTION_NAME": "convene-local",
                "CONVENE_LOCAL": "1",
                "SITE_URL": self.url,
                "SENDER_EMAIL": os.environ.get("SENDER_EMAIL", DEFAULT_SENDER),
                "STAFF_EMAILS": self.staff_emails,
                "POWERTOOLS_SERVICE_NAME": "convene",
                "POWERTOOLS_METRICS_NAMESPACE": "Convene",
            }
        )
        # The keys live in moto's Secrets Manager, as on AWS; this seeds its first version.
        self.signing_key_seed = os.environ.pop("CONVENE_SIGNING_KEYS", "") or dev_signing_keys(self.state_dir)
        self.moto_url = moto_url

    @staticmethod
    def _reset_function_caches() -> None:
        from functions.common import aws, keys, settings

        settings.settings.cache_clear()
        aws.client.cache_clear()
        keys.refresh()

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _spawn_delivery(self) -> None:
        for poller in self.stream_pollers:
            self._spawn(f"stream-{poller.trigger.name}", poller.run)
        for queue in self.pollers:
            self._spawn(f"poller-{queue.binding.trigger.name}", queue.run)

    def _on_stream_record(self, table: str) -> None:
        for poller in self.stream_pollers:
            if poller.binding.table == table:
                poller.wake.set()

    def _on_queue_message(self, queue: str) -> None:
        for poller in self.pollers:
            if poller.binding.queue_url.rsplit("/", 1)[-1] == queue:
                poller.wake.set()

    def stop(self, grace_seconds: float = 1.0) -> None:
        """Stop within ``grace_seconds`` whatever is in flight: no new request is accepted, the
        delivery threads finish their current call if they can, and whatever is still running
        then is abandoned (its threads are daemons), as Lambda freezes an environment."""
        import time

        deadline = time.monotonic() + grace_seconds
        self._stopping.set()
        workers: list[StreamPoller | QueuePoller] = [*self.stream_pollers, *self.pollers]
        for worker in workers:
            worker.stopping.set()
            worker.wake.set()
        self.requests_first.stop()
        if self._on_stream_record in moto_patches.stream_listeners:
            moto_patches.stream_listeners.remove(self._on_stream_record)
        if self._on_queue_message in moto_patches.queue_listeners:
            moto_patches.queue_listeners.remove(self._on_queue_message)
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self.state is not None:
            self.state.stopping.set()
            self.state.changed()
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.state is not None:
            self.state.unwatch()
            try:
                self.state.save()  # the last changes, whatever the saver had not written yet
            except Exception:
                logger.exception("saving the local state at stop failed")
        self.moto.stop()
        if self.transport is not None:
            uninstall_transport(self.transport)
        logger.info("stopped in %.2f s", time.monotonic() - deadline + grace_seconds)

    @contextmanager
    def delivery_paused(self) -> Iterator[None]:
        """Stop the stream and queue pollers once nothing is in flight, and start them again
        afterwards: for benches that deliver events themselves, or that must not share the CPU
        with delivery threads."""
        if self.resources is None:
            raise RuntimeError("the runtime is not started")
        if not self.wait_until_idle(30):
            raise RuntimeError("events were still in flight after 30 s")
        workers: list[StreamPoller | QueuePoller] = [*self.stream_pollers, *self.pollers]
        for worker in workers:
            worker.stopping.set()
            worker.wake.set()
        names = self._delivery_thread_names()
        for thread in [t for t in self._threads if t.name in names]:
            thread.join(timeout=10)
            self._threads.remove(thread)
        try:
            yield
        finally:
            if not self._stopping.is_set():
                for worker in workers:
                    worker.stopping.clear()
                self._spawn_delivery()

    def _delivery_thread_names(self) -> set[str]:
        return {
            *(f"stream-{p.trigger.name}" for p in self.stream_pollers),
            *(f"poller-{p.binding.trigger.name}" for p in self.pollers),
        }

    def _wake_pollers(self) -> None:
        workers: list[StreamPoller | QueuePoller] = [*self.stream_pollers, *self.pollers]
        for worker in workers:
            worker.wake.set()

    # -- schedules --------------------------------------------------------------------------
    def schedules(self) -> dict[str, tuple[str, ScheduleTrigger]]:
        return {
            trigger.name: (function.name, trigger)
            for function in FUNCTIONS
            for trigger in function.triggers
            if isinstance(trigger, ScheduleTrigger)
        }

    def run_schedule(self, name: str) -> Any:
        schedules = self.schedules()
        if name not in schedules:
            raise KeyError(name)
        function, _ = schedules[name]
        started = datetime.now(UTC)
        result = self.pools[function].invoke({"schedule": name})
        self.schedule_runs.append({"schedule": name, "at": started.isoformat(), "result": result})
        self.schedule_last_runs[name] = started.isoformat()
        if self.state is not None:
            self.state.changed()
        return result

    def _schedule_loop(self) -> None:
        plans = {name: parse_expression(t.expression, t.timezone) for name, (_, t) in self.schedules().items()}
        now = datetime.now(UTC)
        # After a restart, a schedule that fell due while the runtime was stopped runs once, now.
        due = {
            name: plan.next_after(datetime.fromisoformat(self.schedule_last_runs[name]))
            if name in self.schedule_last_runs
            else plan.next_after(now)
            for name, plan in plans.items()
        }
        while not self._stopping.is_set():
            if not due:
                self._stopping.wait(3600)
                continue
            name = min(due, key=lambda n: due[n])
            wait = (due[name] - datetime.now(UTC)).total_seconds()
            if wait > 0:
                self._stopping.wait(min(wait, 30))
                continue
            try:
                self.run_schedule(name)
            except Exception:
                logger.exception("schedule %s failed", name)
            due[name] = plans[name].next_after(datetime.now(UTC))

    # -- helpers for tests and the CLI -------------------------------------------------------
    def issue_session(self, email: str, *, staff: bool = False, name: str = "") -> str:
        from functions.auth.service import open_session
        from functions.members.model import normalise_email
        from functions.members.repository import MemberRepository

        member, _ = MemberRepository().get_or_create(normalise_email(email), name)
        return open_session(member, staff=staff, local=True).token

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """True once the outbox is drained and every queue is empty (nothing in flight)."""
        import time

        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            busy = sum(p.poll_once() + p.pending() for p in self.stream_pollers)
            for poller in self.pollers:
                attributes = self.client("sqs").get_queue_attributes(
                    QueueUrl=poller.binding.queue_url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                busy += int(attributes["ApproximateNumberOfMessages"]) + int(
                    attributes["ApproximateNumberOfMessagesNotVisible"]
                )
            quiet = quiet + 1 if not busy else 0
            if quiet >= 3:
                return True
            self._wake_pollers()
            time.sleep(0.05)
        return False

    # -- HTTP -------------------------------------------------------------------------------
    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self._stopping.is_set():
            # Kept-alive connections outlive the server's shutdown(): their threads would go on
            # serving (and competing with the last save) for as long as clients keep sending.
            stopping = gateway.error(503, "Convene is stopping.")
            stopping.headers["Connection"] = "close"
            return stopping(environ, start_response)
        request = Request(environ)
        refused = guard.refusal(request, self._own_hosts)
        if refused is not None:
            return refused(environ, start_response)
        try:
            response = self._local(request) if request.path.startswith("/_local/") else self._api(request)
        except Exception:
            logger.exception("local gateway failed on %s %s", request.method, request.path)
            response = gateway.error(502, "The local runtime failed to invoke the function; see the console.")
        return response(environ, start_response)

    def _api(self, request: Request) -> Response:
        if (request.content_length or 0) > gateway.MAX_PAYLOAD_BYTES:
            return gateway.error(413, "Request body too large")
        routed, staged = gateway.strip_stage(request.path)
        found = gateway.match(self.routes, routed)
        if found is None:
            return gateway.error(404, f"No function serves {request.path}")
        function, resource, proxy = found
        stage = gateway.STAGE if staged else "local"
        with self.requests_first.request():
            result = self.pools[function].invoke(gateway.to_event(request, resource, proxy, stage, path=routed))
        return gateway.to_response(result)

    def _local(self, request: Request) -> Response:
        from .local_pages import local_endpoint

        return local_endpoint(self, request)
