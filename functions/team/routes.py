"""The team home (``/staff``) and its API."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from functions.common.http import App
from schemas.api.team import AttentionCount, Chart, ChartBar, TeamSummary

from .service import TeamHome, team_home


def _absolute(link: str) -> str:
    return link if link.startswith("/") else "/staff" + link


def summary(home: TeamHome) -> TeamSummary:
    return TeamSummary(
        needing_attention=home.needing_attention,
        counts=[
            AttentionCount(key=t.key, heading=t.heading, count=t.count, link=_absolute(t.link)) for t in home.tiles
        ],
        charts=[
            Chart(
                key=c.key,
                title=c.title,
                unit=c.unit,
                value_label=c.value_label,
                total_label=c.total_label,
                bars=[ChartBar(label=b.label, value=b.value, total=b.total) for b in c.bars],
            )
            for c in home.charts
        ],
        month=home.month,
        newsletter_emails_queued=home.newsletter_emails,
        newsletter_unsubscribed=home.unsubscribed,
    )


def register(app: App) -> None:
    @app.get("/api/staff/summary", tags=["Team"], summary="What needs the team's attention, and the month (staff)")
    def api_summary() -> TeamSummary:
        app.require_staff()
        return summary(team_home())

    @app.get("/staff", include_in_schema=False)
    def home_page() -> Response[str]:
        if app.user(acting=False) is None:
            return app.redirect("/auth/sign-in?next=/staff")
        app.require_staff()
        return app.page("team/home.html", home=team_home())


__all__ = ["register"]
