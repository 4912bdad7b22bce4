from . import test_exchange_health
