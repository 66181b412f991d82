"""Personal data at rest (个人信息保护): AES-256-GCM ciphertexts and keyed lookup hashes.

Two keys are derived from ``BLOCKGRID_DATA_KEY`` with HKDF: one encrypts, the other
keys the HMAC-SHA256 that lets an exact ID number or phone be found without
decrypting every row.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
ID_NUMBER = b"id_number"
PHONE = b"phone"


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


class PersonalDataCipher:
    """Encrypt, decrypt and hash personal identifiers; ``field`` binds a value to its column."""

    def __init__(self, data_key: bytes) -> None:
        self._aead = AESGCM(_derive(data_key, b"blockgrid personal data encryption"))
        self._hash_key = _derive(data_key, b"blockgrid personal data lookup")

    def encrypt(self, value: str, *, field: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value.encode(), field)

    def decrypt(self, blob: bytes, *, field: bytes) -> str:
        return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], field).decode()

    def lookup_hash(self, value: str, *, field: bytes) -> bytes:
        return hmac.new(self._hash_key, field + b":" + value.encode(), hashlib.sha256).digest()


@lru_cache(maxsize=4)
def cipher_for(data_key: bytes) -> PersonalDataCipher:
    """A cached cipher per key (HKDF and key schedule run once)."""
    return PersonalDataCipher(data_key)
