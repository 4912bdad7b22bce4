from . import hotline_pbx
from . import hotline_call
from . import hotline_call_attempt
from . import hotline_agent_session
from . import hotline_agent_pause
from . import res_users
from . import hotline_case
from . import res_partner
