"""The retail-sync command: up, contracts, dlq, replay, bench."""
