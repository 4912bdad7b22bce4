from . import test_open311_health
