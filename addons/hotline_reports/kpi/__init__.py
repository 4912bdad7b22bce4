from . import calls, erlang, period
