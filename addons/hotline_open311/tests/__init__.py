from . import (
    test_gcj02,
    test_georeport,
    test_open311_intake,
    test_open311_media,
    test_open311_retries,
    test_open311_security,
)
