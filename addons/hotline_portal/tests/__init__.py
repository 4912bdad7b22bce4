from . import test_portal_deadline, test_portal_security, test_portal_tour, test_portal_workflow, test_proxy_allowlist
