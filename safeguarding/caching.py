"""The cache: Redis, shared by every web process; today it holds allauth's rate-limit counters only.

A rate limit that cannot be counted must not stop people signing in to look after a child: while Redis does not
answer, reads find nothing and writes are dropped (each logged), so every request goes through as if unthrottled.
Wrong passwords stay throttled meanwhile: Axes counts them in the database.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class FailOpenRedisCache(RedisCache):
    def _fail_open(self, operation: str, default, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except RedisError as exc:
            log.warning("cache %s failed, going on without it: %s", operation, type(exc).__name__)
            return default

    def get(self, key, default=None, version=None):
        return self._fail_open("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._fail_open("get_many", {}, super().get_many, keys, version)

    def set(self, key, value, timeout=None, version=None):
        return self._fail_open("set", None, super().set, key, value, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        # Unanswered, an add "succeeds": allauth takes a lock with it and would otherwise wait a second for it.
        return self._fail_open("add", True, super().add, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._fail_open("delete", False, super().delete, key, version)

    def incr(self, key, delta=1, version=None):
        return self._fail_open("incr", delta, super().incr, key, delta, version)
