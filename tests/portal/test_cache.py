import pytest
from django.core.cache.backends.redis import RedisCache


@pytest.mark.redis
def test_redis_cache_backend_round_trips_a_value():
    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "portal-test"})
    cache.set("answer", {"value": 42}, timeout=30)
    assert cache.get("answer") == {"value": 42}
    cache.delete("answer")
    assert cache.get("answer") is None
