"""Django's Redis cache backend, with one redis-py client per connection pool.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every cache operation, and
making one copies redis-py's table of response callbacks (some 170 entries): on a page-cache hit,
which is one cache operation, that was about a quarter of the time the portal spent in the cache
(measured with cProfile through the test client against Redis). A `redis.Redis` is safe to share
between threads (each command takes a connection from the pool), so the client is made once per
pool and kept. Keys are not checked for memcached's limits (`PortalRedisCache.validate_key`).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class KeptClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    """Django's `RedisCache` with the kept client; the same options."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient

    def validate_key(self, key):
        """Nothing to check: Redis takes any key. Django's check warns of keys memcached would
        refuse, in Python one character at a time, for every key of every operation: on a page
        hit, which reads a page and its version keys at once, it was about a seventh of the
        time spent reading them. The tests' cache (`LocMemCache`) still runs it on every key."""
