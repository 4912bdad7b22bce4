from . import test_platform_health
