"""The record service: the one implementation of every record operation behind REST and GraphQL."""
