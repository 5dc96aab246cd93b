"""Roles and permissions of API keys (api-reference section 14): what a key may read and change."""
