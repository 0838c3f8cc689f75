"""``convene preflight``: what a first deployment needs from the target account, checked before
``cdk deploy``, each finding with what to do about it.

It reads (never changes) the account and region of your AWS credentials: the deployment's
settings (``cdk.json`` context and ``-c`` values) are complete and not placeholders; the sender's
domain is a verified SES identity with DKIM; whether SES is still in the sandbox, and its send
quota; the CDK bootstrap stack; the custom domain's certificate. The tests run it against moto.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: The CDK's default bootstrap stack (``cdk bootstrap``).
BOOTSTRAP_STACK = "CDKToolkit"
#: SES's sandbox: 200 emails a day, 1 a second, to verified addresses only.
SANDBOX_DAILY_QUOTA = 200

Clients = Callable[[str], Any]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    #: False for findings that do not stop a deployment (the sandbox: slow and limited, not broken).
    blocking: bool = True

    def line(self) -> str:
        mark = "ok  " if self.ok else ("FAIL" if self.blocking else "warn")
        return f"[{mark}] {self.name}: {self.detail}"


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", type(error).__name__))


def check_settings(settings: Any) -> list[Check]:
    from .app import placeholder_problems

    problems = placeholder_problems(settings)
    if not problems:
        return [Check("settings", True, "no placeholders")]
    return [Check("settings", False, problem) for problem in problems]


def check_sender(clients: Clients, sender_address: str) -> list[Check]:
    ses = clients("ses")
    domain = sender_address.rsplit("@", 1)[1]
    verified = ses.get_identity_verification_attributes(Identities=[domain, sender_address])["VerificationAttributes"]
    status = verified.get(domain, {}).get("VerificationStatus", "absent")
    checks = [
        Check(
            f"SES identity {domain}",
            status == "Success",
            "verified"
            if status == "Success"
            else f"{status}: verify the domain in SES (in this region), or mail from {sender_address} is refused",
        )
    ]
    dkim = ses.get_identity_dkim_attributes(Identities=[domain])["DkimAttributes"].get(domain, {})
    dkim_ok = bool(dkim.get("DkimEnabled")) and dkim.get("DkimVerificationStatus") == "Success"
    checks.append(
        Check(
            f"DKIM for {domain}",
            dkim_ok,
            "enabled and verified"
            if dkim_ok
            else f"{dkim.get('DkimVerificationStatus', 'not set up')}: publish the DKIM CNAME records SES gives "
            "(Easy DKIM), or receiving servers may reject or junk our mail",
        )
    )
    return checks


def check_sending(clients: Clients) -> list[Check]:
    quota = clients("ses").get_send_quota()
    rate, daily = float(quota["MaxSendRate"]), float(quota["Max24HourSend"])
    production: bool | None = None
    try:
        production = bool(clients("sesv2").get_account().get("ProductionAccessEnabled"))
    except Exception:  # not answered (older endpoints, moto): judge by the quota
        production = daily > SANDBOX_DAILY_QUOTA
    detail = f"{rate:g} emails a second, {daily:g} a day"
    if production:
        return [Check("SES sending", True, f"production access; {detail}")]
    return [
        Check(
            "SES sending",
            False,
            f"in the sandbox ({detail}, verified recipients only): newsletters go out slowly and only "
            "verified addresses receive mail; request production access in the SES console",
            blocking=False,
        )
    ]


def check_bootstrap(clients: Clients) -> list[Check]:
    try:
        stack = clients("cloudformation").describe_stacks(StackName=BOOTSTRAP_STACK)["Stacks"][0]
    except Exception as error:
        return [
            Check(
                "CDK bootstrap",
                False,
                f"no {BOOTSTRAP_STACK} stack ({_error_code(error)}): run `npx aws-cdk bootstrap` for this "
                "account and region",
            )
        ]
    status = str(stack.get("StackStatus", ""))
    ok = status.endswith("_COMPLETE") and "ROLLBACK" not in status and "DELETE" not in status
    return [Check("CDK bootstrap", ok, f"{BOOTSTRAP_STACK} is {status}")]


def check_certificate(clients: Clients, settings: Any, region: str) -> list[Check]:
    if not settings.domain_name:
        return [Check("custom domain", True, "none: the site is served on the API's stage URL", blocking=False)]
    if not settings.certificate_arn:
        return [Check("certificate", False, "domain_name needs certificate_arn")]
    arn_region = settings.certificate_arn.split(":")[3] if settings.certificate_arn.count(":") >= 5 else ""
    if arn_region != region:
        return [
            Check(
                "certificate",
                False,
                f"the certificate is in {arn_region or 'an unknown region'}; a regional API in {region} needs "
                f"one issued in {region}",
            )
        ]
    try:
        certificate = clients("acm").describe_certificate(CertificateArn=settings.certificate_arn)["Certificate"]
    except Exception as error:
        return [Check("certificate", False, f"{settings.certificate_arn} not found ({_error_code(error)})")]
    names = {certificate.get("DomainName", ""), *certificate.get("SubjectAlternativeNames", [])}
    covered = settings.domain_name in names or any(
        n.startswith("*.") and settings.domain_name.split(".", 1)[-1] == n[2:] for n in names
    )
    status = certificate.get("Status", "")
    checks = [Check("certificate", status == "ISSUED", f"{status} for {', '.join(sorted(n for n in names if n))}")]
    if not covered:
        checks.append(Check("certificate", False, f"does not cover {settings.domain_name}"))
    return checks


def preflight(clients: Clients, settings: Any, region: str) -> list[Check]:
    checks = check_settings(settings)
    sender = settings.sender_address if "@" in settings.sender_email else ""
    if sender:
        checks += check_sender(clients, sender)
    checks += check_sending(clients)
    checks += check_bootstrap(clients)
    checks += check_certificate(clients, settings, region)
    return checks


def passed(checks: list[Check]) -> bool:
    return all(check.ok or not check.blocking for check in checks)


def settings_for(overrides: dict[str, str]) -> Any:
    """The deployment's settings as ``cdk deploy`` would read them (cdk.json, then ``-c``)."""
    import aws_cdk as cdk

    from .app import cdk_json_context, settings_from_context

    return settings_from_context(cdk.App(context={**cdk_json_context(), **overrides}))
