"""The core GraphQL API (``/graphql``): a Graphene schema synthesized per workspace snapshot."""
