"""``Idempotency-Key`` for POSTs (models: the stored responses; service: claim and remember)."""
