from . import test_tiles
from . import test_access
from . import test_bursts
from . import test_surge
from . import test_board_browser
from . import test_case_panel
from . import test_freshness
from . import test_burst_concurrency
