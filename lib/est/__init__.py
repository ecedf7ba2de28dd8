"""The municipality's own signal reporting (EST): reports, their triage, actions and files."""
