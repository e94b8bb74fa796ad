"""Service kit: settings, logging, metrics, health, API keys, problem+json, database, embedded servers."""
