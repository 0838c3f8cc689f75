"""Benchmarks of Convene's Lambda functions: cold start and AWS calls per request (see README.md)."""
