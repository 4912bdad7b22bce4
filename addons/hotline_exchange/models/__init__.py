from . import hotline_exchange_event
from . import hotline_exchange_inbox
from . import hotline_case
from . import hotline_case_log
from . import hotline_unit
from . import hotline_exchange_peer
from . import hotline_exchange_link
from . import res_config_settings
