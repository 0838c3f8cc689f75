"""Comments from members on proceedings, "taken forward" pages and newsletter issues (issue 11 §4)."""
