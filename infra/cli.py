"""The ``convene`` command."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.request
from typing import Any

DEMO_LINE = "  Demo members     amara.okafor@example.org, tom.hughes@example.org, priya.shah@example.org"
DEFAULT_URL = os.environ.get("CONVENE_URL", "http://127.0.0.1:3000")


def _post(url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - the local runtime's own http URL
        url, data=json.dumps(body or {}).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - local runtime only
            return dict(json.load(response))
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")
        sys.exit(f"convene: {url} answered {error.code}: {detail}")
    except urllib.error.URLError as error:
        sys.exit(f"convene: cannot reach the local runtime at {url} ({error.reason}). Is `convene dev` running?")


def _get(url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - local runtime only
            return dict(json.load(response))
    except urllib.error.URLError as error:
        sys.exit(f"convene: cannot reach the local runtime at {url} ({error}). Is `convene dev` running?")


def dev(args: argparse.Namespace) -> None:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("botocore").setLevel(logging.WARNING)
    from infra.local.runtime import LocalRuntime
    from infra.local.state import StateRefused

    runtime = LocalRuntime(
        args.host,
        args.port,
        demo=not args.no_demo,
        staff_emails=args.staff,
        allowed_hosts=tuple(args.allow_host),
        persist=True,
        fresh=args.fresh,
    )
    try:
        url = runtime.start()
    except StateRefused as refused:
        sys.exit(f"convene: {refused}")
    state = (
        f"restored from {runtime.state_dir.resolve()}"
        if runtime.restored
        else f"new, kept in {runtime.state_dir.resolve()}"
    )
    print(
        f"""
Convene is running at {url}
  Pages            {url}/
  API              {url}/api   (OpenAPI {url}/api/openapi.json, Swagger UI {url}/api/docs)
  Mail viewer      {url}/_local/mail   (JSON {url}/_local/mail.json)
  Staff            {args.staff}
  State            {state} (`convene dev --fresh` or `convene reset` to start empty)
{DEMO_LINE if not args.no_demo else ""}
Sign in with any address: the link arrives in the mail viewer.
`convene token EMAIL [--staff]` prints an API session token; `convene run-schedule NAME` fires a schedule.
Press Ctrl+C to stop.""",
        flush=True,
    )
    import faulthandler

    # `kill -USR1 <pid>` prints every thread's stack: how to see where a stuck runtime waits.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        wait_until_stopped(stop)
    except KeyboardInterrupt:
        pass
    finally:
        # A stop is promised within 2 s. Should one step ever hang (a thread that will not let
        # go), exit anyway after printing where every thread was: the state saver has written
        # all but the last second, atomically, so nothing half-written is left behind.
        threading.Thread(target=_exit_if_still_stopping, args=(STOP_DEADLINE_SECONDS,), daemon=True).start()
        runtime.stop()
        logging.shutdown()
    # The state is saved and everything is stopped; skip the interpreter's slow teardown of
    # moto's backends (seconds), so Ctrl+C and SIGTERM end the process at once.
    os._exit(0)


def wait_until_stopped(stop: threading.Event) -> None:
    """Wait in the main thread until a signal handler sets ``stop``.

    The kernel may deliver SIGTERM or SIGINT to any of the runtime's threads, and Python runs
    the handler only when the main thread next runs bytecode: an untimed ``wait()`` would then
    never return (CI saw a stop hang this way, once in a few runs). Waking five times a second
    costs nothing measurable."""
    while not stop.wait(timeout=0.2):
        pass


#: How long `convene dev` may take to stop before it exits regardless (it normally takes < 0.5 s).
STOP_DEADLINE_SECONDS = 3.0


def _exit_if_still_stopping(seconds: float) -> None:
    import faulthandler
    import time

    time.sleep(seconds)
    print(f"convene: stopping took over {seconds:.0f} s; exiting. Where each thread was:", file=sys.stderr, flush=True)
    faulthandler.dump_traceback(all_threads=True)
    os._exit(0)


def reset(args: argparse.Namespace) -> None:
    from pathlib import Path

    from infra.local.state import reset as reset_state

    directory = Path(args.state_dir)
    removed = reset_state(directory)
    if removed:
        print("Deleted " + ", ".join(str(p) for p in removed) + ". The next `convene dev` starts empty.")
    else:
        print(f"Nothing saved in {directory}; the next `convene dev` starts empty.")


def token(args: argparse.Namespace) -> None:
    body = _post(f"{args.url}/_local/token", {"email": args.email, "staff": args.staff, "name": args.name})
    print(f"Session token for {args.email}{' (acting as staff)' if args.staff else ''}, local use only:")
    print(body["token"])


def run_schedule(args: argparse.Namespace) -> None:
    body = _post(f"{args.url}/_local/schedules/{args.name}")
    print(json.dumps(body, indent=2))


def dlq(args: argparse.Namespace) -> None:
    if args.action == "redrive":
        print(json.dumps(_post(f"{args.url}/_local/dlq/redrive"), indent=2))
    else:
        print(json.dumps(_get(f"{args.url}/_local/dlq"), indent=2))


def ses_event(args: argparse.Namespace) -> None:
    body = _post(f"{args.url}/_local/ses-events", {"kind": args.kind, "email": args.email})
    print(json.dumps(body, indent=2))


def export(args: argparse.Namespace) -> None:
    from infra.exports import write_all

    for path in write_all():
        print(path)


# -- deployment: preflight and smoke (docs/deploying.md) ----------------------------------------
def preflight_command(args: argparse.Namespace) -> None:
    import boto3

    from infra.preflight import passed, preflight, settings_for

    overrides = dict(item.split("=", 1) for item in args.context)
    session = boto3.session.Session(region_name=args.region) if args.region else boto3.session.Session()
    if not session.region_name:
        sys.exit("convene preflight: no region: pass --region or set AWS_REGION")
    region = str(session.region_name)
    clients: Any = session.client  # boto3's overloads, one per service
    checks = preflight(clients, settings_for(overrides), region)
    print(f"Preflight for region {region}:")
    for check in checks:
        print(" ", check.line())
    if not passed(checks):
        sys.exit("convene preflight: fix the FAIL lines before `cdk deploy`.")


def smoke_command(args: argparse.Namespace) -> None:
    from infra.preflight import passed
    from infra.smoke import smoke

    token = args.staff_token or os.environ.get("CONVENE_STAFF_TOKEN")
    checks = smoke(args.url, staff_token=token, timeout=args.timeout)
    print(f"Smoke test of {args.url}:")
    for check in checks:
        print(" ", check.line())
    if not passed(checks):
        sys.exit("convene smoke: the deployment is not working; see docs/deploying.md.")


def _deployment_commands(commands: Any) -> None:
    p = commands.add_parser("preflight", help="check an AWS account and region before the first deploy")
    p.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE", help="as `cdk deploy -c`")
    p.add_argument("--region", default=None, help="default: your AWS configuration's")
    p.set_defaults(run=preflight_command)

    p = commands.add_parser("smoke", help="exercise a deployed stack end to end (no mailbox needed)")
    p.add_argument("url", help="the stack's SiteUrl output (stage URL or custom domain)")
    p.add_argument(
        "--staff-token", default=None, help="a staff session token, for the canary event (or CONVENE_STAFF_TOKEN)"
    )
    p.add_argument("--timeout", type=float, default=90, help="seconds to wait for the canary event")
    p.set_defaults(run=smoke_command)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="convene", description="Convene: community workflows, serverless.")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("dev", help="run the whole system locally on moto")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--no-demo", action="store_true", help="start empty, without the demo SIGs and members")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="forget the state kept in .convene/ and start empty (demo content seeded again unless --no-demo)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests addressed to this host name (it answers to localhost and 127.0.0.1)",
    )
    p.add_argument(
        "--staff",
        default=os.environ.get("STAFF_EMAILS", "community.team@q.example.org"),
        help="comma-separated staff email addresses",
    )
    p.set_defaults(run=dev)

    p = commands.add_parser("reset", help="delete the state `convene dev` keeps in .convene/")
    p.add_argument("--state-dir", default=os.environ.get("CONVENE_STATE_DIR", ".convene"))
    p.set_defaults(run=reset)

    p = commands.add_parser("token", help="print a session token the running `convene dev` accepts")
    p.add_argument("email")
    p.add_argument("--staff", action="store_true", help="the holder acts as staff")
    p.add_argument("--name", default="")
    p.add_argument("--url", default=DEFAULT_URL)
    p.set_defaults(run=token)

    p = commands.add_parser("run-schedule", help="fire one declared schedule now")
    p.add_argument("name")
    p.add_argument("--url", default=DEFAULT_URL)
    p.set_defaults(run=run_schedule)

    p = commands.add_parser("dlq", help="list or redrive dead-lettered events")
    p.add_argument("action", nargs="?", choices=("list", "redrive"), default="list")
    p.add_argument("--url", default=DEFAULT_URL)
    p.set_defaults(run=dlq)

    p = commands.add_parser("ses-event", help="pretend SES reported a bounce or complaint about an address")
    p.add_argument("kind", choices=("bounce", "complaint"))
    p.add_argument("email")
    p.add_argument("--url", default=DEFAULT_URL)
    p.set_defaults(run=ses_event)

    p = commands.add_parser("export-schemas", help="write the event JSON Schemas and the OpenAPI document")
    p.set_defaults(run=export)

    _deployment_commands(commands)

    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
