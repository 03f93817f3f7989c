"""The Starlette application, settings, CLI and lifespan: wiring only."""
