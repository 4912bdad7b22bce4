from . import test_recording_health
