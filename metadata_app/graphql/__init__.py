"""The metadata GraphQL API (``POST /metadata``) in Twenty 2.x names and shapes.

Usage::

    from metadata_app.graphql.schema import metadata_schema

    result = metadata_schema().execute("{ currentWorkspace { id displayName } }", context_value=context)

``schema.py`` holds the static schema, ``views.py`` the endpoint. Resolvers call the metadata
and API-key services and shape rows with ``metadata_app.rest.serialize``, so REST and GraphQL
give the same values and the same validation messages.
"""

__all__: list[str] = []
