from . import (
    test_case_access,
    test_case_deadline,
    test_case_duplicate,
    test_case_home,
    test_case_intake,
    test_case_number,
    test_case_phone,
    test_case_security,
    test_case_urge,
    test_case_workflow,
    test_tour_intake,
    test_tour_unit,
)
