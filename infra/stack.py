"""The Convene stack, built entirely from the plain-data declaration in ``schemas.declaration``.

Nothing here names a particular function, route, table or bucket: adding one to the declaration
is all it takes to deploy it. Every cdk-nag finding the design cannot avoid is acknowledged next
to the construct that causes it, with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from functions.common.keys import ROTATION_DAYS
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
    Key,
    ScheduleTrigger,
    StreamTrigger,
    Table,
    dead_letter_queue_name,
    failed_records_queue_name,
)

from . import packaging

LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
#: The REST API's stage: its URL serves the site under ``/prod/`` (infra/local/gateway.py too).
API_STAGE = "prod"
#: Failed events wait this long in a dead-letter queue (the SQS maximum) for inspection and redrive.
DLQ_RETENTION = cdk.Duration.days(14)


@dataclass(frozen=True)
class DeploymentSettings:
    """Per-deployment values (CDK context in ``cdk.json`` / ``-c``), passed to every function."""

    #: The public URL every emailed link starts with; empty: the URL the stack serves (the custom
    #: domain when one is given, else the API's stage URL).
    site_url: str = ""
    #: A custom domain for the site (``-c domain_name=... -c certificate_arn=...``): the stack creates
    #: the API Gateway domain, an empty base path mapping and, given ``hosted_zone_id``, the DNS record.
    domain_name: str = ""
    certificate_arn: str = ""
    hosted_zone_id: str = ""
    sender_email: str = "Q community <no-reply@q.example.org>"
    staff_emails: str = ""
    community_name: str = "Q community"
    newsletter_name: str = "Q-municate"
    #: Stage-wide API Gateway throttling (requests per second, and burst).
    api_rate_limit: int = 50
    api_burst_limit: int = 100

    @property
    def sender_address(self) -> str:
        address = parseaddr(self.sender_email)[1]
        if "@" not in address:
            raise ValueError(f"sender_email has no address: {self.sender_email!r}")
        return address


#: The Python the functions run on. The tests, `convene dev` and the dependency layer's build use
#: this same version (the Makefile's venv); a template test fails when they differ.
LAMBDA_PYTHON = "3.13"


def lambda_python_runtime() -> lambda_.Runtime:
    """Pinned, not "the newest the CDK offers": code runs on AWS only on a version it was tested on."""
    return cast(lambda_.Runtime, getattr(lambda_.Runtime, "PYTHON_" + LAMBDA_PYTHON.replace(".", "_")))


def pascal(name: str) -> str:
    """Construct-id fragment for a declared name: ``sig-notifications`` -> ``SigNotifications``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", name) if part)


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge a cdk-nag finding on ``scope`` and everything below it."""
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


def api_prefix_parts(prefix: str) -> list[str]:
    """``/api/auth`` -> ``["api", "auth"]``; ``/`` -> ``[]`` (the API's root)."""
    if not prefix.startswith("/"):
        raise ValueError(f"API prefix must start with '/': {prefix!r}")
    parts = [part for part in prefix.strip("/").split("/") if part]
    for part in parts:
        if "{" in part or "}" in part:
            raise ValueError(f"API prefixes are literal paths; {prefix!r} has a parameter")
    return parts


class ConveneStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings | None = None,
        functions: Sequence[Function] = FUNCTIONS,
        tables: Sequence[Table] = TABLES,
        buckets: Sequence[Bucket] = BUCKETS,
        layer_dir: Path | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.settings = settings or DeploymentSettings()
        self.runtime = lambda_python_runtime()
        _check_declaration(functions, tables, buckets)

        self.declared_tables = {table.name: table for table in tables}
        self.declared_buckets = {bucket.name: bucket for bucket in buckets}
        self.tables = {table.name: self._table(table) for table in tables}
        self.buckets = self._buckets(buckets)
        self.bus = events.EventBus(self, "Bus", description="Convene domain events (from the outbox)")
        self.signing_keys = self._signing_keys()
        self.mail_events = self._mail_events()

        self.layer = self._dependency_layer(layer_dir) if functions else None
        # One asset for every function: the declaration decides the handler, the code is shared.
        # Sources, templates and their bytecode for the runtime's Python (see infra/packaging.py).
        code_dir = packaging.build_code(packaging.python_version_of(self.runtime.name))
        self.code = lambda_.Code.from_asset(
            str(code_dir), asset_hash=code_dir.name, asset_hash_type=cdk.AssetHashType.CUSTOM
        )
        self.key_rotation = self._key_rotation()
        self.api = self._api() if any(f.of_type(ApiTrigger) for f in functions) else None
        self.domain = self._custom_domain() if self.api is not None and self.settings.domain_name else None
        self.site_url = self._site_url()
        self.functions: dict[str, lambda_.Function] = {}
        self.dead_letter_queues: list[sqs.Queue] = []
        for declared in functions:
            function = self._function(declared)
            self.functions[declared.name] = function
            for trigger in declared.triggers:
                if isinstance(trigger, ApiTrigger):
                    self._api_trigger(function, trigger)
                elif isinstance(trigger, EventTrigger):
                    self._event_trigger(declared, function, trigger)
                elif isinstance(trigger, StreamTrigger):
                    self._stream_trigger(declared, function, trigger)
            if schedules := cast(list[ScheduleTrigger], declared.of_type(ScheduleTrigger)):
                self._schedule_triggers(declared, function, schedules)
            self._acknowledge_function(declared, function)
        for declared in functions:
            if declared.reads_dead_letter_queues:
                self._dead_letter_reader(self.functions[declared.name])

        self._outputs(tables, buckets)

    # -- data ----------------------------------------------------------------------------------

    def _table(self, declared: Table) -> dynamodb.Table:
        keeps_data = declared.holds_personal_data
        table = dynamodb.Table(
            self,
            f"{pascal(declared.name)}Table",
            partition_key=_attribute(declared.partition_key),
            sort_key=_attribute(declared.sort_key) if declared.sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=declared.ttl_attribute,
            stream=dynamodb.StreamViewType.NEW_IMAGE if declared.stream == "NEW_IMAGE" else None,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=keeps_data
            ),
            deletion_protection=keeps_data,
            removal_policy=cdk.RemovalPolicy.RETAIN if keeps_data else cdk.RemovalPolicy.DESTROY,
        )
        for index in declared.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition_key),
                sort_key=_attribute(index.sort_key) if index.sort_key else None,
                projection_type=dynamodb.ProjectionType.ALL,
            )
        if not keeps_data:
            acknowledge(
                table,
                "AwsSolutions-DDB3",
                f"'{declared.name}' is declared holds_personal_data=False: it only keeps short-lived, TTL-expired "
                "records that are worthless after a restore, so point-in-time recovery would be paid for nothing.",
            )
        return table

    def _buckets(self, buckets: Sequence[Bucket]) -> dict[str, s3.Bucket]:
        if not buckets:
            return {}
        access_logs = s3.Bucket(
            self,
            "AccessLogsBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(365))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        acknowledge(
            access_logs,
            "AwsSolutions-S1",
            "This is the server access log destination of the other buckets; logging it into itself would loop.",
        )
        return {
            bucket.name: s3.Bucket(
                self,
                f"{pascal(bucket.name)}Bucket",
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                encryption=s3.BucketEncryption.S3_MANAGED,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                server_access_logs_bucket=access_logs,
                server_access_logs_prefix=f"{bucket.name}/",
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
            for bucket in buckets
        }

    def _queue(
        self, construct_id: str, *, dead_letter: tuple[sqs.IQueue, int] | None = None, **kwargs: object
    ) -> sqs.Queue:
        """An SSE-SQS encrypted, TLS-only queue (optionally with a redrive to ``dead_letter``)."""
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=(
                sqs.DeadLetterQueue(queue=dead_letter[0], max_receive_count=dead_letter[1]) if dead_letter else None
            ),
            **kwargs,  # type: ignore[arg-type]
        )

    def _terminal_dlq(self, construct_id: str, used_by: str, queue_name: str | None = None) -> sqs.Queue:
        """A dead-letter queue that is not the redrive target of another queue (SQS3 cannot see that)."""
        queue = self._queue(construct_id, retention_period=DLQ_RETENTION, queue_name=queue_name)
        acknowledge(queue, "AwsSolutions-SQS3", f"This queue is itself the dead-letter queue of {used_by}.")
        acknowledge(
            queue,
            "Serverless-SQSRedrivePolicy",
            f"This queue is itself the dead-letter queue of {used_by}; a DLQ of a DLQ adds nothing.",
        )
        return queue

    def _dead_letter_reader(self, function: lambda_.Function) -> None:
        """Lets a function count what waits in every dead-letter queue: it lists the queues
        named with the stack's prefix and reads the dead-letter queues' message counts."""
        function.add_environment("DEAD_LETTER_QUEUE_PREFIX", self.stack_name)
        for queue in self.dead_letter_queues:
            queue.grant(function, "sqs:GetQueueAttributes")
        # ListQueues has no resource-level permissions (acknowledged with the function's role).
        function.add_to_role_policy(iam.PolicyStatement(actions=["sqs:ListQueues"], resources=["*"]))

    # -- events --------------------------------------------------------------------------------

    def _signing_keys(self) -> secretsmanager.Secret:
        """Signing keys for tokens and sessions: each version of this secret is one random key.

        ``AWSCURRENT`` signs; ``AWSCURRENT`` and ``AWSPREVIOUS`` verify (``functions.common.keys``,
        read at run time and cached for 5 minutes). Keys change only by rotation (the rotation
        function, ``functions.common.rotation``, on the schedule added in :meth:`_key_rotation`):
        a new version becomes current and the old one previous. The template holds no key: only
        the generator, which CloudFormation runs when the secret is created; should a change to
        the generator ever make it generate again, that too is a new version, and the key in use
        becomes previous and keeps verifying.
        """
        return secretsmanager.Secret(
            self,
            "SigningKeys",
            description="Token signing keys: one key per version (AWSCURRENT signs, AWSPREVIOUS verifies)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True, include_space=False
            ),
        )

    def _key_rotation(self) -> lambda_.Function:
        """The keys' rotation function and its schedule (``AWS::SecretsManager::RotationSchedule``)."""
        role = iam.Role(
            self,
            "KeyRotationRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Execution role of the signing keys' rotation function",
        )
        log_group = logs.LogGroup(self, "KeyRotationLogs", retention=LOG_RETENTION)
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            "KeyRotationFunction",
            description="Rotates the token signing keys (Secrets Manager's four steps)",
            runtime=self.runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler="functions.common.rotation.handler",
            code=self.code,
            layers=[self.layer] if self.layer else None,
            memory_size=256,
            timeout=cdk.Duration.seconds(30),
            tracing=lambda_.Tracing.ACTIVE,
            role=role,
            log_group=log_group,
            environment={**FUNCTION_ENVIRONMENT, "POWERTOOLS_SERVICE_NAME": "key-rotation"},
        )
        self.signing_keys.add_rotation_schedule(
            "KeyRotation",
            rotation_lambda=function,
            automatically_after=cdk.Duration.days(ROTATION_DAYS),
            rotate_immediately_on_update=False,
        )
        pinned = f"Pinned to python{LAMBDA_PYTHON}, the version the tests run on."
        acknowledge(function, "Serverless-LambdaLatestVersion", pinned)
        acknowledge(function, "AwsSolutions-L1", pinned)
        acknowledge(
            function,
            "Serverless-LambdaDLQ",
            "Invoked by Secrets Manager, which retries a failed rotation step itself and reports it on the secret.",
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "secretsmanager:GetRandomPassword (granted by CDK for rotation functions) and X-Ray tracing do not "
            "support resource-level permissions; the secret's own actions are scoped to this secret.",
        )
        return function

    # -- functions -----------------------------------------------------------------------------

    def _dependency_layer(self, layer_dir: Path | None) -> lambda_.LayerVersion:
        python_version = packaging.python_version_of(self.runtime.name)
        if layer_dir is None:
            layer_dir = packaging.build_layer(python_version)
            # The cache directory's name is the hash of its inputs: no need to fingerprint 20 MB.
            code = lambda_.Code.from_asset(
                str(layer_dir), asset_hash=layer_dir.name, asset_hash_type=cdk.AssetHashType.CUSTOM
            )
        else:
            code = lambda_.Code.from_asset(str(layer_dir))
        return lambda_.LayerVersion(
            self,
            "DependenciesLayer",
            code=code,
            compatible_runtimes=[self.runtime],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="Convene runtime dependencies (requirements-lambda.txt)",
        )

    def _function(self, declared: Function) -> lambda_.Function:
        name = pascal(declared.name)
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of the {declared.name} function (only what it declares)",
        )
        # An explicit log group: retention is set and the role needs no logs:CreateLogGroup.
        log_group = logs.LogGroup(self, f"{name}Logs", retention=LOG_RETENTION)
        log_group.grant_write(role)

        settings = self.settings
        environment = {
            **FUNCTION_ENVIRONMENT,
            "EVENT_BUS_NAME": self.bus.event_bus_name,
            "SITE_URL": self.site_url,
            "SENDER_EMAIL": settings.sender_email,
            "STAFF_EMAILS": settings.staff_emails,
            "COMMUNITY_NAME": settings.community_name,
            "NEWSLETTER_NAME": settings.newsletter_name,
            "POWERTOOLS_SERVICE_NAME": declared.name,
        }
        for table_name, access in declared.tables.items():
            table = self.tables[table_name]
            environment[self.declared_tables[table_name].env_var] = table.table_name
            if access == "read":
                table.grant_read_data(role)
            else:
                table.grant_read_write_data(role)
        for bucket_name, access in declared.buckets.items():
            bucket = self.buckets[bucket_name]
            environment[self.declared_buckets[bucket_name].env_var] = bucket.bucket_name
            self._grant_bucket(role, bucket, access)
        if declared.reads_signing_keys:
            environment["SIGNING_KEYS_SECRET_ID"] = self.signing_keys.secret_arn
            self.signing_keys.grant_read(role)
        if declared.sends_email:
            self._grant_send_email(role, environment)
        if declared.publishes_events:
            self.bus.grant_put_events_to(role)

        return lambda_.Function(
            self,
            f"{name}Function",
            description=declared.description[:256],
            runtime=self.runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler=f"{declared.module}.{declared.attribute}",
            code=self.code,
            layers=[self.layer] if self.layer else None,
            memory_size=declared.memory_mb,
            timeout=cdk.Duration.seconds(declared.timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            role=role,
            log_group=log_group,
            environment=environment,
        )

    def _grant_bucket(self, role: iam.Role, bucket: s3.Bucket, access: str) -> None:
        """Explicit object actions: CDK's grant_read/grant_read_write use wildcard actions (s3:GetObject*)."""
        actions = ["s3:GetObject"] if access == "read" else ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        role.add_to_policy(iam.PolicyStatement(actions=actions, resources=[bucket.arn_for_objects("*")]))
        role.add_to_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn]))
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{self.get_logical_id(cast(cdk.CfnElement, bucket.node.default_child))}"
            ".Arn>/*]",
            "Object keys are chosen at run time; access is limited to the objects of the one declared bucket.",
        )

    def _mail_events(self) -> ses.CfnConfigurationSet:
        """Every email is sent with this configuration set, whose event destination publishes
        bounces and complaints to the default bus, where the newsletter's rule suppresses them."""
        configuration = ses.CfnConfigurationSet(self, "MailEvents")
        ses.CfnConfigurationSetEventDestination(
            self,
            "BouncesAndComplaints",
            configuration_set_name=cast(str, configuration.ref),
            event_destination=ses.CfnConfigurationSetEventDestination.EventDestinationProperty(
                enabled=True,
                matching_event_types=["bounce", "complaint"],
                event_bridge_destination=ses.CfnConfigurationSetEventDestination.EventBridgeDestinationProperty(
                    event_bus_arn=self.format_arn(service="events", resource="event-bus", resource_name="default")
                ),
            ),
        )
        return configuration

    def _grant_send_email(self, role: iam.Role, environment: dict[str, str]) -> None:
        """SES sending only as the configured sender (its address and its domain identity),
        through Convene's configuration set."""
        address = self.settings.sender_address
        domain = address.rsplit("@", 1)[1]
        environment["SES_CONFIGURATION_SET"] = cast(str, self.mail_events.ref)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[
                    *(
                        self.format_arn(service="ses", resource="identity", resource_name=identity)
                        for identity in (domain, address)
                    ),
                    self.format_arn(service="ses", resource="configuration-set", resource_name=self.mail_events.ref),
                ],
            )
        )
        # Newsletters pace themselves to the account's send rate (no resource-level permission).
        role.add_to_policy(iam.PolicyStatement(actions=["ses:GetSendQuota"], resources=["*"]))

    def _acknowledge_function(self, declared: Function, function: lambda_.Function) -> None:
        role = cast(iam.Role, function.role)
        pinned = (
            f"Pinned to python{LAMBDA_PYTHON}, the version the test suite and the local runtime run on; "
            "moving to a newer runtime means moving the tests to it first (a template test enforces this)."
        )
        acknowledge(function, "Serverless-LambdaLatestVersion", pinned)
        acknowledge(function, "AwsSolutions-L1", pinned)
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray tracing (xray:PutTraceSegments/PutTelemetryRecords), ses:GetSendQuota (the account's "
            "send rate), for stream triggers dynamodb:ListStreams, and for the dead-letter count "
            "sqs:ListQueues do not support resource-level permissions; every other statement names its resources.",
        )
        for table_name in declared.tables:
            if not self.declared_tables[table_name].indexes:
                continue
            table = self.tables[table_name]
            logical_id = self.get_logical_id(cast(cdk.CfnElement, table.node.default_child))
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/index/*]",
                f"Queries on the global secondary indexes of the declared '{table_name}' table (CDK grants its "
                "indexes as table-arn/index/*); no other table is reachable.",
            )
        if not declared.of_type(ScheduleTrigger):
            reason = (
                "Never invoked asynchronously: API Gateway invokes it synchronously and SQS event source mappings "
                "keep failed messages in the trigger queue, whose redrive policy moves them to its DLQ; stream "
                "mappings send failed batches to their on-failure queue."
            )
            acknowledge(function, "Serverless-LambdaDLQ", reason)

    # -- triggers ------------------------------------------------------------------------------

    def _api(self) -> apigw.RestApi:
        access_logs = logs.LogGroup(self, "ApiAccessLogs", retention=LOG_RETENTION)
        settings = self.settings
        api = apigw.RestApi(
            self,
            "Api",
            description="Convene: every route is declared by the function behind its prefix",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Access and execution logging need API Gateway's account-level CloudWatch role.
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=API_STAGE,
                throttling_rate_limit=settings.api_rate_limit,
                throttling_burst_limit=settings.api_burst_limit,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                # Request/response bodies carry e-mail addresses and session cookies: never log them.
                data_trace_enabled=False,
                tracing_enabled=True,
                metrics_enabled=True,
            ),
        )
        acknowledge(
            api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level API Gateway logging role needs exactly this AWS-maintained policy.",
        )
        acknowledge(
            api,
            "AwsSolutions-APIG2",
            "Every method is a Lambda proxy: the function's Powertools resolver validates each request against "
            "its pydantic models and answers 422 with readable errors.",
        )
        acknowledge(
            api,
            "AwsSolutions-APIG3",
            "No WAF: stage throttling limits abuse; a web ACL can be associated later without code changes.",
        )
        acknowledge(
            api,
            "AwsSolutions-APIG4",
            "The site is public; sign-in is passwordless and sessions are verified by the functions "
            "(signed cookies), which also enforce staff-only pages.",
        )
        acknowledge(
            api,
            "AwsSolutions-COG4",
            "Members authenticate with Convene's own passwordless e-mail links, not a Cognito user pool.",
        )
        return api

    def _custom_domain(self) -> apigw.DomainName:
        """The site at the root of its own domain: an empty base path mapping to the stage."""
        assert self.api is not None
        settings = self.settings
        if not settings.certificate_arn:
            raise ValueError("domain_name needs certificate_arn (an ACM certificate for it, in the stack's region)")
        domain = apigw.DomainName(
            self,
            "SiteDomain",
            domain_name=settings.domain_name,
            certificate=acm.Certificate.from_certificate_arn(self, "SiteCertificate", settings.certificate_arn),
            endpoint_type=apigw.EndpointType.REGIONAL,
            security_policy=apigw.SecurityPolicy.TLS_1_2,
        )
        apigw.BasePathMapping(
            self, "SiteBasePath", domain_name=domain, rest_api=self.api, stage=self.api.deployment_stage
        )
        if settings.hosted_zone_id:
            route53.CfnRecordSet(
                self,
                "SiteDnsRecord",
                hosted_zone_id=settings.hosted_zone_id,
                name=settings.domain_name,
                type="A",
                alias_target=route53.CfnRecordSet.AliasTargetProperty(
                    dns_name=domain.domain_name_alias_domain_name,
                    hosted_zone_id=domain.domain_name_alias_hosted_zone_id,
                ),
            )
        return domain

    def _site_url(self) -> str:
        if self.settings.site_url:
            return self.settings.site_url
        if self.settings.domain_name:
            return f"https://{self.settings.domain_name}"
        if self.api is None:
            return ""
        # Built from the API's id, not ``api.url``: that names the stage, which depends (through
        # the deployment and its methods) on the functions whose environment holds this URL.
        return cdk.Fn.join(
            "", ["https://", self.api.rest_api_id, ".execute-api.", self.region, ".", self.url_suffix, f"/{API_STAGE}"]
        )

    def _api_resource(self, prefix: str) -> apigw.IResource:
        assert self.api is not None
        resource: apigw.IResource = self.api.root
        for part in api_prefix_parts(prefix):
            resource = resource.get_resource(part) or resource.add_resource(part)
        return resource

    def _api_trigger(self, function: lambda_.Function, trigger: ApiTrigger) -> None:
        """ANY on the prefix itself and on ``{proxy+}`` below it; API Gateway prefers longer matches,
        so ``/`` is the catch-all and a more specific prefix always wins."""
        integration = apigw.LambdaIntegration(function, proxy=True, scope_permission_to_method=False)
        for prefix in trigger.prefixes:
            resource = self._api_resource(prefix)
            resource.add_method("ANY", integration)
            resource.add_resource("{proxy+}").add_method("ANY", integration)

    def _event_trigger(self, declared: Function, function: lambda_.Function, trigger: EventTrigger) -> None:
        name = pascal(trigger.name)
        dlq = self._queue(
            f"{name}Dlq",
            retention_period=DLQ_RETENTION,
            # Named, so the team home's count finds it the way it finds the local runtime's.
            queue_name=dead_letter_queue_name(self.stack_name, trigger.name),
        )
        self.dead_letter_queues.append(dlq)
        acknowledge(
            dlq,
            "Serverless-SQSRedrivePolicy",
            f"This queue is the dead-letter queue of the {trigger.name} trigger; a DLQ of a DLQ adds nothing.",
        )
        queue = self._queue(
            f"{name}Queue",
            # AWS: at least 6x the function timeout, or messages reappear while still being processed.
            visibility_timeout=cdk.Duration.seconds(
                max(trigger.visibility_timeout_seconds, 6 * declared.timeout_seconds)
            ),
            dead_letter=(dlq, trigger.max_receive_count),
        )
        rule = events.Rule(
            self,
            f"{name}Rule",
            description=f"Events for {declared.name}: {', '.join(trigger.detail_types)}",
            # Convene's own events travel on its bus; AWS services (SES bounces and complaints)
            # publish only to the account's default bus.
            event_bus=self.bus if trigger.source == EVENT_SOURCE else None,
            # Placeholder: overwritten below with the declaration's pattern, byte for byte.
            event_pattern=events.EventPattern(source=[EVENT_SOURCE]),
            # Events EventBridge cannot deliver to the queue land in the same DLQ as the ones the
            # function keeps failing: both hold plain EventBridge events and redrive into the queue.
            targets=[targets.SqsQueue(queue, dead_letter_queue=dlq)],
        )
        cast(events.CfnRule, rule.node.default_child).add_property_override("EventPattern", trigger.pattern())
        function.add_event_source(
            event_sources.SqsEventSource(
                queue,
                batch_size=trigger.batch_size,
                report_batch_item_failures=True,
                # Batches over 10 messages require a batching window.
                max_batching_window=cdk.Duration.seconds(1) if trigger.batch_size > 10 else None,
            )
        )
        acknowledge(
            function,
            "Serverless-LambdaEventSourceMappingDestination",
            "SQS event source mappings do not support on-failure destinations; failed messages go to the "
            "queue's dead-letter queue through its redrive policy.",
        )

    def _stream_trigger(self, declared: Function, function: lambda_.Function, trigger: StreamTrigger) -> None:
        """A DynamoDB stream event source mapping: only records matching the declared filters
        reach the function; failed records are reported by sequence number and retried from
        the first one, a failing batch is halved to isolate the bad record, and after the
        bounded retries the batch's description goes to an on-failure queue (the records
        themselves stay readable in the stream for 24 hours)."""
        name = pascal(trigger.name)
        failed = self._terminal_dlq(
            f"{name}FailedRecords",
            f"the {trigger.name} stream mapping (on-failure records)",
            queue_name=failed_records_queue_name(self.stack_name, trigger.name),
        )
        self.dead_letter_queues.append(failed)
        function.add_event_source(
            event_sources.DynamoEventSource(
                self.tables[trigger.table],
                starting_position=lambda_.StartingPosition(trigger.starting_position),
                batch_size=trigger.batch_size,
                bisect_batch_on_error=trigger.bisect_batch_on_error,
                retry_attempts=trigger.max_retry_attempts,
                max_record_age=cdk.Duration.seconds(trigger.max_record_age_seconds),
                report_batch_item_failures=True,
                on_failure=event_sources.SqsDlq(failed),
                filters=[{"pattern": json.dumps(pattern)} for pattern in trigger.filters],
            )
        )

    def _schedule_triggers(
        self, declared: Function, function: lambda_.Function, schedules: Sequence[ScheduleTrigger]
    ) -> None:
        name = pascal(declared.name)
        # Scheduler invokes asynchronously: invocations that still fail after Lambda's retries, and
        # schedules Scheduler cannot deliver, end up in one queue per function.
        failed = self._terminal_dlq(f"{name}FailedInvocations", f"the {declared.name} schedules and async invokes")
        function.configure_async_invoke(on_failure=destinations.SqsDestination(failed), retry_attempts=2)
        acknowledge(
            function,
            "Serverless-LambdaDLQ",
            "Uses an on-failure destination (the FailedInvocations queue) instead of the legacy DLQ setting.",
        )
        for trigger in schedules:
            schedule_name = pascal(trigger.name)
            role = iam.Role(
                self,
                f"{schedule_name}ScheduleRole",
                assumed_by=iam.ServicePrincipal(
                    "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": self.account}}
                ),
                description=f"Lets the {trigger.name} schedule invoke {declared.name} (and nothing else)",
            )
            # Not grant_invoke: it also allows every version/alias (function-arn:*).
            role.add_to_policy(
                iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
            )
            failed.grant_send_messages(role)
            schedule = scheduler.CfnSchedule(
                self,
                f"{schedule_name}Schedule",
                description=trigger.description or f"Invokes {declared.name}",
                schedule_expression=trigger.expression,
                schedule_expression_timezone=trigger.timezone,
                flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
                state="ENABLED",
                target=scheduler.CfnSchedule.TargetProperty(
                    arn=function.function_arn,
                    role_arn=role.role_arn,
                    input=json.dumps({"schedule": trigger.name}),
                    dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(arn=failed.queue_arn),
                    retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                        maximum_retry_attempts=3, maximum_event_age_in_seconds=3600
                    ),
                ),
            )
            schedule.node.add_dependency(_default_policy(role))

    # -- outputs -------------------------------------------------------------------------------

    def _outputs(self, tables: Sequence[Table], buckets: Sequence[Bucket]) -> None:
        if self.api is not None:
            # Replaces RestApi's own "Endpoint<hash>" output with one whose name is stable.
            self.api.node.try_remove_child("Endpoint")
            cdk.CfnOutput(self, "ApiUrl", value=self.api.url, description="Base URL of the API stage")
            cdk.CfnOutput(self, "SiteUrl", value=self.site_url, description="Where the site is (emailed links)")
        if self.domain is not None:
            cdk.CfnOutput(
                self,
                "SiteDomainTarget",
                value=self.domain.domain_name_alias_domain_name,
                description="Point the domain's DNS (an alias or CNAME) here, unless hosted_zone_id was given",
            )
        cdk.CfnOutput(self, "EventBusName", value=self.bus.event_bus_name)
        for table in tables:
            cdk.CfnOutput(
                self,
                f"{pascal(table.name)}TableName",
                value=self.tables[table.name].table_name,
                description=f"{table.env_var} of the functions",
            )
        for bucket in buckets:
            cdk.CfnOutput(
                self,
                f"{pascal(bucket.name)}BucketName",
                value=self.buckets[bucket.name].bucket_name,
                description=f"{bucket.env_var} of the functions",
            )


def _default_policy(role: iam.Role) -> IConstruct:
    """The role's DefaultPolicy: depending on it (not the role, already implied by GetAtt) orders
    creation after the permissions exist."""
    return role.node.find_child("DefaultPolicy")


_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def _attribute(key: Key) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type])


def _check_declaration(functions: Sequence[Function], tables: Sequence[Table], buckets: Sequence[Bucket]) -> None:
    """Fail synth with a clear message instead of a KeyError or a clashing construct id."""
    table_names = {t.name for t in tables}
    bucket_names = {b.name for b in buckets}
    _unique("function", [f.name for f in functions])
    _unique("table", [t.name for t in tables])
    _unique("bucket", [b.name for b in buckets])
    _unique(
        "event/schedule/stream trigger",
        [
            t.name
            for f in functions
            for t in f.triggers
            if isinstance(t, EventTrigger | ScheduleTrigger | StreamTrigger)
        ],
    )
    streams = {t.name for t in tables if t.stream}
    for function in functions:
        for trigger in function.triggers:
            if isinstance(trigger, StreamTrigger) and trigger.table not in streams:
                raise ValueError(
                    f"{function.name!r} is triggered by the stream of {trigger.table!r}, a table without one"
                )
    prefixes: dict[str, str] = {}
    for function in functions:
        for table_name in function.tables:
            if table_name not in table_names:
                raise ValueError(f"function {function.name!r} uses undeclared table {table_name!r}")
        for bucket_name in function.buckets:
            if bucket_name not in bucket_names:
                raise ValueError(f"function {function.name!r} uses undeclared bucket {bucket_name!r}")
        for trigger in function.of_type(ApiTrigger):
            for prefix in cast(ApiTrigger, trigger).prefixes:
                key = "/" + "/".join(api_prefix_parts(prefix))
                if key in prefixes:
                    raise ValueError(f"API prefix {prefix!r} is claimed by {prefixes[key]!r} and {function.name!r}")
                prefixes[key] = function.name


def _unique(kind: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen or pascal(name) in {pascal(s) for s in seen}:
            raise ValueError(f"duplicate {kind} name (construct ids must be unique): {name!r}")
        seen.add(name)
