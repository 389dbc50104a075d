from bot.config import Settings
from bot.ops.rasa_env import rasa_environment


def test_without_redis_rasa_keeps_its_lock_in_memory() -> None:
    env = rasa_environment(Settings(redis_url=None))
    assert env["LOCK_STORE_TYPE"] == "in_memory"


def test_with_redis_rasa_locks_conversations_there() -> None:
    settings = Settings(redis_url="redis://:s3cret@cache.internal:6380/2", redis_prefix="toko-a:")
    env = rasa_environment(settings)
    assert {k: v for k, v in env.items() if k.startswith("LOCK_STORE_")} == {
        "LOCK_STORE_TYPE": "redis",
        "LOCK_STORE_HOST": "cache.internal",
        "LOCK_STORE_PORT": "6380",
        "LOCK_STORE_DB": "2",
        "LOCK_STORE_PASSWORD": "s3cret",
        "LOCK_STORE_PREFIX": "tokoa",  # Rasa accepts alphanumeric prefixes only
    }
