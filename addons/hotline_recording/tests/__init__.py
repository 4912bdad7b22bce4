from . import test_recording, test_rating
