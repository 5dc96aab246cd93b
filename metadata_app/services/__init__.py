"""Services that change a workspace's data model; each runs in one transaction.

Adapters (REST views, GraphQL mutations, the admin, management commands) call these and
nothing else; errors are Django ``ValidationError``s with a ``code``, translated at the edge.
"""
