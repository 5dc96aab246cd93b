"""API code shared by every app: the error format, JSON glue, pagination, input checks, OpenAPI and GraphQL edges."""
