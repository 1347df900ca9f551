"""Stress tests: SIGKILL during sync, fleet reconnect storm (docs/stress.md)."""
