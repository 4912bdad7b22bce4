from . import test_calibration, test_figures, test_review, test_sampling, test_scoring
