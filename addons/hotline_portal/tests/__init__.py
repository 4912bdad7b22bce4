from . import (
    test_portal_deadline,
    test_portal_handover,
    test_portal_input,
    test_portal_refusals,
    test_portal_ruling,
    test_portal_security,
    test_portal_signup,
    test_portal_tour,
    test_portal_workflow,
    test_proxy_allowlist,
    test_route_fuzz,
)
from . import test_performance
