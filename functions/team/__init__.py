"""The community team's workspace (the team home at ``/staff``)."""
