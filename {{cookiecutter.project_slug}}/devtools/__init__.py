"""Development tooling: the embedded PostgreSQL server and a local Citus cluster."""
