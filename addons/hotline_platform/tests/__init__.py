from . import (
    test_platform_concurrency,
    test_platform_dispute,
    test_platform_faults,
    test_platform_flow,
    test_platform_security,
    test_platform_transports,
)
