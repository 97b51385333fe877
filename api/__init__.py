"""The REST API (API.md): an interface over ``workflow.steps`` and the domain services."""
