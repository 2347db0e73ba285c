from ironlog.core.errors import Unprocessable


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request body."
