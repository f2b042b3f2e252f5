"""Citus scale-out for tenants: schema-based sharding and the commands that operate it."""
