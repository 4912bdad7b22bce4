"""The two-server rig of issue 12 for pytest: the center and the units' own server, each on its own
PostgreSQL cluster, the unit server in its DMZ network namespace. See servers.py for what is built
and the environment variables (HT_UNITS_CLUSTER, HT_UNITS_PGPORT, HT_CENTER_DB, HT_UNIT_DB,
HT_CENTER_HTTP_PORT, HT_UNIT_HTTP_PORT, HT_UNITS_NETNS, ...).

Fixtures:
  two_servers_rig  session: a TwoServers, set up once (fails the suite if a part cannot be made)
  two_servers      per test: the same rig with both servers running again (a test may have
                   stopped or killed one); use .center / .unit (Side), .exchange_key, .written

Side: .url .db .pg_port .pid .start() .stop() .kill() (-9) .restart() .sql(query, params)
      .json2(model, method, api_key=None, ids=None, context=None, **kwargs) (admin's API key by default)
      .create_api_key(login) .set_param(key, value) .params(prefix) .xmlid("module.name")
TwoServers: .in_unit_namespace(*cmd) runs a command where the unit server runs (nsenter);
            .exchange_loop() the center's `scripts/odoo hotline_exchange` (.start() .stop() .kill()).
"""

import pytest

from .servers import SetupError, TwoServers


@pytest.fixture(scope="session")
def two_servers_rig(tmp_path_factory):
    rig = TwoServers(tmp_path_factory.mktemp("two_servers"))
    try:
        rig.setup()
    except (SetupError, RuntimeError, OSError) as exc:
        rig.teardown()
        pytest.fail(f"the two-server rig could not be set up: {exc}")
    yield rig
    rig.teardown()


@pytest.fixture
def two_servers(two_servers_rig):
    two_servers_rig.ensure_running()
    return two_servers_rig


def pytest_collection_modifyitems(items):
    """The rig's own checks (test_two_servers.py) look at the rig as set up: they run before the
    exchange walk, which fills the unit server with case copies and the center with settings."""
    smoke = [item for item in items if "tests/exchange/test_two_servers.py" in item.nodeid]
    exchange = [i for i, item in enumerate(items) if "tests/exchange/" in item.nodeid]
    if smoke and exchange:
        first = exchange[0]
        rest = [item for item in items[first:] if item not in smoke]
        items[first:] = smoke + rest
