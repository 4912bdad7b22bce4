from . import calls, center, erlang
