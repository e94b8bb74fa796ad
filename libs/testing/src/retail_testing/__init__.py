"""pytest plugin providing real PostgreSQL and NATS servers to tests."""
