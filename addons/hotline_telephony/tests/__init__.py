from . import test_adapter
from . import test_ingest
from . import test_screen_pop_tour
from . import test_desk
from . import test_event_identity
from . import test_call_links
from . import test_js
from . import test_agent_state
