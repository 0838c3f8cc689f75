"""The chain of ideas: where something came from, what it led to, and the "taken forward" pages
(issue 11). ``origins`` is the one place every area checks the origins a person names."""
