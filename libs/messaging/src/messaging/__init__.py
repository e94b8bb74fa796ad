"""JetStream streams, publisher, transactional outbox and relay, idempotent consumers, DLQ and replay."""
