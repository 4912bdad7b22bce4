from . import test_adapter
from . import test_ingest
