"""Query engine: the filter tree shared by REST and GraphQL, and sort keys.

The REST ``filter=`` string and the GraphQL ``filter:`` input both parse into the
same tree of frozen dataclasses (``ast``), so one compiler can serve both APIs::

    from core_app.query.ast import And, Condition
    from core_app.query.graphql_filter import parse_graphql_filter
    from core_app.query.order_by import parse_order_by
    from core_app.query.rest_filter import parse_rest_filter

    tree = parse_rest_filter('name.firstName[eq]:"Jo",createdAt[gte]:2024-01-01')
    assert tree == And((
        Condition(("name", "firstName"), "eq", "Jo"),
        Condition(("createdAt",), "gte", "2024-01-01"),
    ))
    assert parse_graphql_filter(
        {"name": {"firstName": {"eq": "Jo"}}, "createdAt": {"gte": "2024-01-01"}}
    ) == tree
    parse_order_by("name.lastName[DescNullsLast],createdAt")

Parse errors are ``errors.FilterSyntaxError`` / ``errors.OrderBySyntaxError``
(both ``ValueError``) carrying the user-facing ``message``.

Nothing is imported here on purpose: submodules are imported directly, which
keeps this package free of import cycles as it grows.
"""
