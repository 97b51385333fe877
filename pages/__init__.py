"""The web UI: server-rendered pages for each role, calling ``workflow.steps``."""
