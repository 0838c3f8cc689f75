"""The transactional outbox's forwarder: outbox stream records -> events on the bus."""
