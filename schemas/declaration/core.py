"""Functions every community needs: sign-in, the home page, and the API's own documentation."""

from __future__ import annotations

from .model import ApiTrigger, Function

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="auth",
        handler="functions.auth.handler:handler",
        description="Passwordless sign-in: request a link, follow it, hold a session.",
        triggers=(ApiTrigger(prefixes=("/api/auth", "/auth")),),
        tables={"main": "read_write"},
        sends_email=True,
        reads_signing_keys=True,
    ),
    Function(
        name="account",
        handler="functions.account.handler:handler",
        description="A member's data: download everything held about them, or erase their account.",
        triggers=(ApiTrigger(prefixes=("/api/account", "/account")),),
        tables={"main": "read_write", "outbox": "read_write"},
        reads_signing_keys=True,
    ),
    Function(
        name="site",
        handler="functions.site.handler:handler",
        description="Home page and the OpenAPI document with its Swagger UI.",
        # "/" covers the root and, below every more specific prefix, any unknown path, so that
        # unknown routes get a readable 404 from Convene instead of API Gateway's 403.
        triggers=(ApiTrigger(prefixes=("/",)),),
        # The home page: a member's own groups, bids and visits, and the community at a glance.
        tables={"main": "read"},
        reads_signing_keys=True,
    ),
)
