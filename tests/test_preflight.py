"""``convene preflight`` against moto (the local runtime's): each missing piece is named, and
once the account has what a deployment needs, it passes (issue 12, point 8)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from infra.local.moto_server import REGION
from infra.preflight import BOOTSTRAP_STACK, passed, preflight
from infra.stack import DeploymentSettings


def self_signed(domain: str) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (
        certificate.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ),
    )


def failing(checks: list[Any]) -> dict[str, str]:
    return {c.name: c.detail for c in checks if not c.ok}


def test_preflight_names_what_is_missing_then_passes(runtime: Any) -> None:
    clients = runtime.client
    domain = f"q{uuid.uuid4().hex[:6]}.org"
    settings = DeploymentSettings(
        sender_email=f"Q community <no-reply@{domain}>",
        staff_emails=f"team@{domain}",
        domain_name=f"community.{domain}",
        certificate_arn=f"arn:aws:acm:{REGION}:123456789012:certificate/{uuid.uuid4()}",
    )
    first = preflight(clients, settings, REGION)
    missing = failing(first)
    assert not passed(first)
    assert f"SES identity {domain}" in missing and f"DKIM for {domain}" in missing
    assert "certificate" in missing and "not found" in missing["certificate"]
    if "CDK bootstrap" in missing:  # another test of this session may have made it
        assert "cdk bootstrap" in missing["CDK bootstrap"].lower()

    ses = clients("ses")
    ses.verify_domain_identity(Domain=domain)
    ses.verify_domain_dkim(Domain=domain)
    try:
        clients("cloudformation").create_stack(
            StackName=BOOTSTRAP_STACK,
            TemplateBody='{"Resources": {"StagingBucket": {"Type": "AWS::S3::Bucket"}}}',
        )
    except clients("cloudformation").exceptions.AlreadyExistsException:
        pass
    certificate, key = self_signed(settings.domain_name)
    arn = clients("acm").import_certificate(Certificate=certificate, PrivateKey=key)["CertificateArn"]
    ready = DeploymentSettings(**{**settings.__dict__, "certificate_arn": arn})
    second = preflight(clients, ready, REGION)
    assert passed(second), [c.line() for c in second]
    lines = "\n".join(c.line() for c in second)
    assert "emails a second" in lines  # the send quota is reported

    # A certificate in another region cannot serve a regional API here.
    elsewhere = DeploymentSettings(**{**settings.__dict__, "certificate_arn": arn.replace(REGION, "us-east-1")})
    assert "us-east-1" in failing(preflight(clients, elsewhere, REGION))["certificate"]


def test_preflight_flags_placeholders_and_the_sandbox(runtime: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("CONVENE_SES_MAX_SEND_RATE", "1")
    checks = preflight(runtime.client, DeploymentSettings(), REGION)
    settings_problems = [c.detail for c in checks if c.name == "settings" and not c.ok]
    assert any("sender_email" in p for p in settings_problems) and any("staff_emails" in p for p in settings_problems)
    (sending,) = [c for c in checks if c.name == "SES sending"]
    assert not sending.ok and not sending.blocking and "sandbox" in sending.detail
