"""One cold start, in a fresh interpreter started by ``bench/coldstart.py``.

    python bench/child.py bare
    python bench/child.py handler '{"handler": "functions.sigs.handler:handler", "event": {...}}'
    python bench/child.py floor '{"call": "query", "params": {...}}'
    python bench/child.py imports '{"client": true, "modules": ["pydantic", ...]}'

``handler`` imports the function's handler module and serves one API Gateway proxy event;
``floor`` only creates a boto3 DynamoDB client and makes one call; ``imports`` creates the
client and imports the modules (one rung of the import ladder); ``bare`` does nothing.
Each prints one JSON line as soon as its response is in hand (the parent stops its clock on
that line), with the child's own timings measured from the first line of this script and
its CPU time (user + system, interpreter start included) at that moment.
Keep this file's imports minimal: they are part of what is measured.
"""

import time

STARTED = time.perf_counter()

import json  # noqa: E402  (botocore imports json anyway: it costs the floor nothing extra)
import sys  # noqa: E402


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


def handler(spec: dict) -> dict:
    module_name, attribute = spec["handler"].split(":", 1)
    before = time.perf_counter()
    __import__(module_name)  # the import statement's path: -X importtime does not see importlib's
    entry = getattr(sys.modules[module_name], attribute)
    imported = _ms(before)
    before = time.perf_counter()
    response = entry(spec["event"], None)
    return {"status": response["statusCode"], "import_ms": imported, "request_ms": _ms(before)}


def floor(spec: dict) -> dict:
    before = time.perf_counter()
    import boto3

    client = boto3.session.Session().client("dynamodb")
    imported = _ms(before)
    before = time.perf_counter()
    call = client.query if spec["call"] == "query" else client.get_item
    response = call(**spec["params"])
    return {
        "status": response["ResponseMetadata"]["HTTPStatusCode"],
        "import_ms": imported,
        "request_ms": _ms(before),
    }


def imports(spec: dict) -> dict:
    before = time.perf_counter()
    if spec.get("client"):
        import boto3

        boto3.session.Session().client("dynamodb")
    for module in spec["modules"]:
        __import__(module)
    return {"status": 0, "import_ms": _ms(before), "request_ms": 0.0}


def main() -> None:
    mode = sys.argv[1]
    modes = {"handler": handler, "floor": floor, "imports": imports}
    result = {"status": 0} if mode == "bare" else modes[mode](json.loads(sys.argv[2]))
    result["main_ms"] = _ms(STARTED)
    result["cpu_ms"] = round(time.process_time() * 1000, 2)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
