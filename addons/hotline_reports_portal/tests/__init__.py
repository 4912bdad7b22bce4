from . import test_portal_assessment
