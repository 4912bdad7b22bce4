from . import test_access, test_tour, test_calibration, test_figures, test_review, test_sampling, test_scoring
