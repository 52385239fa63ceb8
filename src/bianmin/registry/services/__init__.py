"""Every write to the registry goes through these functions (views, API, CLI, imports)."""
