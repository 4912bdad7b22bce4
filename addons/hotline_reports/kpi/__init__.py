from . import calls, erlang
