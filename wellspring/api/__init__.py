"""The transport: Starlette app, /graphql, health, logging and the command line."""
