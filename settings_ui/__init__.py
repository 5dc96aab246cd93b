"""Settings → API & Webhooks: the staff pages for a workspace's API keys and webhooks."""
