from . import test_board_link
from . import test_exchange_monitor
