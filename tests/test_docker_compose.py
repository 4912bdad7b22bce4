"""docker-compose.yml cannot run on the CI machine (no Docker engine), so check
that it is coherent: every file it mounts or builds from exists, ports do not
clash, and the proxy's upstreams match the Odoo configuration it fronts; and have
the real Compose v2 (fetched by make setup, no engine needed) read every layout
the files and docs give, with the variables they name."""

import configparser
import ipaddress
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _bind_mounts(service):
    for volume in service.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith((".", "/")):
            yield source


def test_every_mounted_file_exists(compose):
    mounts = [m for s in compose["services"].values() for m in _bind_mounts(s)]
    assert mounts, "no bind mounts found: the parser no longer sees the volumes"
    missing = [m for m in mounts if not (ROOT / m).exists()]
    assert not missing, f"mounted paths missing from the repo: {missing}"


def test_every_build_context_and_dockerfile_exists(compose):
    builds = [s["build"] for s in compose["services"].values() if "build" in s]
    assert len(builds) >= 2
    for build in builds:
        context = ROOT / build["context"]
        assert context.is_dir()
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), dockerfile
        assert re.search(r"^FROM \S+", dockerfile.read_text(), re.M), f"{dockerfile} has no FROM"


def test_named_volumes_and_dependencies_are_declared(compose):
    services = compose["services"]
    for name, service in services.items():
        for dep in service.get("depends_on", []):
            assert dep in services, f"{name} depends on unknown service {dep}"
        mode = service.get("network_mode", "")
        if mode.startswith("service:"):
            assert mode.split(":", 1)[1] in services
        for network in service.get("networks", []):
            assert network in compose.get("networks", {}), f"{name}: undeclared network {network}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in compose.get("volumes", {}), f"{name}: undeclared volume {source}"


def _profiles(compose):
    return sorted({p for s in compose["services"].values() for p in s.get("profiles", [])})


def _active(compose, profile):
    """The services `docker compose --profile <profile> up` starts: those without a profile and its own."""
    return {name: s for name, s in compose["services"].items()
            if not s.get("profiles") or profile in s["profiles"]}


def test_published_ports_do_not_clash(compose):
    assert _profiles(compose) == ["single-server", "two-servers"]
    for profile in _profiles(compose):
        seen = {}
        for name, service in _active(compose, profile).items():
            for port in service.get("ports", []):
                spec = str(port)
                proto = spec.split("/")[1] if "/" in spec else "tcp"
                host = spec.split("/")[0].rsplit(":", 1)[0]
                host_port = host.split(":")[-1]
                key = (host_port, proto)
                assert key not in seen, f"{profile}: {name} and {seen[key]} both publish {host_port}/{proto}"
                seen[key] = name
        assert ("80", "tcp") in seen and ("5060", "udp") in seen, profile


def test_ami_port_is_not_published(compose):
    ports = [str(p) for s in compose["services"].values() for p in s.get("ports", [])]
    assert not any("5038" in p for p in ports), "the Asterisk Manager Interface must stay internal"


def test_every_asterisk_config_file_is_mounted(compose):
    mounted = {Path(m).name for m in _bind_mounts(compose["services"]["asterisk"])}
    shipped = {p.name for p in (ROOT / "config" / "asterisk").glob("*.conf")}
    assert shipped, "config/asterisk holds no configuration"
    assert shipped <= mounted, f"not mounted into the Asterisk container: {sorted(shipped - mounted)}"


def test_proxy_upstreams_match_the_external_odoo(compose):
    conf = configparser.ConfigParser(inline_comment_prefixes=(";",))
    conf.read(ROOT / "config" / "odoo-external.conf")
    options = conf["options"]
    nginx = (ROOT / "config" / "nginx" / "hotline-external.conf").read_text()
    upstreams = dict(re.findall(r"upstream (\S+) \{\s*server 127\.0\.0\.1:(\d+);", nginx))
    assert options["http_port"] in upstreams.values()
    # the bus (websocket port) is not published: it follows any channel a client names
    assert options["gevent_port"] not in upstreams.values()
    assert options.getboolean("proxy_mode") and not options.getboolean("list_db")
    # nginx shares odoo-external's network namespace, so 127.0.0.1 reaches it.
    assert compose["services"]["nginx"]["network_mode"] == "service:odoo-external"


def test_published_rtp_range_matches_asterisk(compose):
    rtp = (ROOT / "config" / "asterisk" / "rtp.conf").read_text()
    start = re.search(r"^rtpstart\s*=\s*(\d+)", rtp, re.M)[1]
    end = re.search(r"^rtpend\s*=\s*(\d+)", rtp, re.M)[1]
    assert f"{start}-{end}:{start}-{end}/udp" in compose["services"]["asterisk"]["ports"]


def test_ami_bridge_runs_the_addon_command(compose):
    command = compose["services"]["ami-bridge"]["command"]
    assert command[0] == "odoo" and command[1].startswith("--addons-path=/mnt/extra-addons")
    assert command[2] == "hotline_ami"
    assert (ROOT / "addons" / "hotline_telephony" / "cli" / "hotline_ami.py").is_file()
    assert "asterisk-log:/var/log/asterisk:ro" in compose["services"]["ami-bridge"]["volumes"]


# --- two servers (issue 12): the units' own server in the DMZ -------------------------------------

CENTER_SIDE = {"db", "db-replica", "odoo", "nginx-internal", "asterisk", "ami-bridge", "backup"}
UNIT_SIDE = {"unit-db", "unit-odoo", "unit-nginx", "unit-backup"}


def _networks(compose, name):
    """The networks a service sits on (network_mode service:X shares X's)."""
    service = compose["services"][name]
    mode = service.get("network_mode", "")
    if mode.startswith("service:"):
        return _networks(compose, mode.split(":", 1)[1])
    return set(service.get("networks", ["default"]))


def _resolvable(compose, name, profile="two-servers"):
    """Service names `name` can resolve and reach: those sharing one of its networks."""
    mine = _networks(compose, name)
    return {other for other in _active(compose, profile) if _networks(compose, other) & mine} - {name}


def test_two_servers_profile_has_both_sides(compose):
    active = _active(compose, "two-servers")
    assert CENTER_SIDE | UNIT_SIDE | {"exchange"} <= set(active)
    assert not {"odoo-external", "nginx"} & set(active), "the shared-database portal runs only in single-server"
    assert not UNIT_SIDE & set(_active(compose, "single-server"))
    assert set(compose["networks"]) == {"internal", "dmz"}


def test_only_the_exchange_crosses_the_boundary(compose):
    active = _active(compose, "two-servers")
    both = sorted(n for n in active if _networks(compose, n) >= {"internal", "dmz"})
    assert both == ["exchange"]
    for name in CENTER_SIDE:
        assert _networks(compose, name) == {"internal"}, name
    for name in UNIT_SIDE:
        assert _networks(compose, name) == {"dmz"}, name
    # every service is on a named network: none left on compose's default one, which would join them all
    assert all("default" not in _networks(compose, n) for n in active)


def test_unit_side_cannot_resolve_the_center(compose):
    for name in UNIT_SIDE:
        reach = _resolvable(compose, name)
        assert not reach & CENTER_SIDE, f"{name} can reach {sorted(reach & CENTER_SIDE)}"
    assert _resolvable(compose, "unit-odoo") == {"unit-db", "unit-nginx", "unit-backup", "exchange"}
    # the center's side reaches the unit server only through the exchange
    for name in CENTER_SIDE:
        assert not _resolvable(compose, name) & UNIT_SIDE, name
    assert {"db", "unit-odoo"} <= _resolvable(compose, "exchange")


def test_unit_server_has_its_own_database_secret_and_file_store(compose):
    services = compose["services"]
    unit_odoo, unit_db = services["unit-odoo"], services["unit-db"]
    assert unit_odoo["environment"]["HOST"] == "unit-db"
    assert "HOTLINE_UNIT_DB_PASSWORD" in unit_odoo["environment"]["PASSWORD"]
    assert "HOTLINE_UNIT_DB_PASSWORD" in unit_db["environment"]["POSTGRES_PASSWORD"]
    for service in (unit_odoo, unit_db):
        assert "HOTLINE_DB_PASSWORD" not in str(service.get("environment")), "the center's secret in the DMZ"

    def named_volumes(names):
        return {v.split(":")[0] for n in names for v in services[n].get("volumes", [])
                if not v.startswith((".", "/"))}

    shared = named_volumes(UNIT_SIDE) & named_volumes(CENTER_SIDE | {"exchange"})
    assert not shared, f"volumes shared across the boundary: {shared}"


def test_unit_server_configuration(compose):
    services = compose["services"]
    assert "./config/odoo-unit.conf:/etc/odoo/odoo.conf:ro" in services["unit-odoo"]["volumes"]
    conf = configparser.ConfigParser(inline_comment_prefixes=(";",))
    conf.read(ROOT / "config" / "odoo-unit.conf")
    options = conf["options"]
    assert re.fullmatch(options["dbfilter"], options["db_name"])
    assert options.getboolean("proxy_mode") and not options.getboolean("list_db")
    assert options.getint("max_cron_threads") == 0
    # nothing in the unit server's configuration points at the center
    center = configparser.ConfigParser(inline_comment_prefixes=(";",))
    center.read(ROOT / "config" / "odoo.conf")
    center_db = center["options"]["dbfilter"].strip("^$")
    assert not re.fullmatch(options["dbfilter"], center_db), "the unit server would serve the center's database"
    for key, value in options.items():
        assert not key.startswith(("db_replica", "db_host")) and value != center_db, key
    # the proxy in front of it is the portal allow-list, with upstreams matching its ports
    nginx = (ROOT / "config" / "nginx" / "hotline-external.conf").read_text()
    upstreams = dict(re.findall(r"upstream (\S+) \{\s*server 127\.0\.0\.1:(\d+);", nginx))
    assert options["http_port"] in upstreams.values() and options["gevent_port"] not in upstreams.values()
    assert services["unit-nginx"]["network_mode"] == "service:unit-odoo"
    assert "./config/nginx/hotline-external.conf:/etc/nginx/conf.d/default.conf:ro" in services["unit-nginx"]["volumes"]
    # the center publishes only on loopback; the DMZ publishes only the proxy's ports
    assert all(str(p).startswith("127.0.0.1:") for p in services["odoo"].get("ports", []))
    assert sorted(str(p) for p in services["unit-odoo"]["ports"]) == ["443:443", "80:80"]


def test_exchange_daemon_runs_the_addon_command_on_the_center(compose):
    exchange = compose["services"]["exchange"]
    command = exchange["command"]
    assert command[0] == "odoo" and command[1].startswith("--addons-path=/mnt/extra-addons")
    assert command[2] == "hotline_exchange" and "--database=hotline" in command
    assert exchange["environment"]["HOST"] == "db"
    assert "./config/odoo.conf:/etc/odoo/odoo.conf:ro" in exchange["volumes"]
    assert not exchange.get("ports"), "the exchange daemon listens on nothing"


# --- several nodes (issue 27): docker-compose.nodes.yml on top of docker-compose.yml ------------------

NODES_FILE = ROOT / "docker-compose.nodes.yml"
RESET = object()


class _ComposeLoader(yaml.SafeLoader):
    """YAML with Compose's merge tags: `!reset` drops the attribute, `!override` replaces it whole."""


_ComposeLoader.add_constructor("!reset", lambda loader, node: RESET)
_ComposeLoader.add_constructor(
    "!override", lambda loader, node: ("override", loader.construct_object(node, deep=True)))


def _volume_target(volume):
    parts = volume.split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def _merge_service(base, over):
    """Compose's merge rules (docs.docker.com/reference/compose-file/merge) for what the files use:
    command replaced; volumes by container path; ports, depends_on unique; networks by name; mappings
    merged; other sequences appended; scalars replaced; `!reset` removes."""
    merged = dict(base)
    for key, value in over.items():
        if value is RESET:
            merged.pop(key, None)
        elif isinstance(value, tuple) and value[0] == "override":
            merged[key] = value[1]
        elif key not in merged or key in ("command", "entrypoint"):
            merged[key] = value
        elif key == "volumes":
            kept = [v for v in merged[key] if _volume_target(v) not in {_volume_target(o) for o in value}]
            merged[key] = kept + list(value)
        elif key in ("ports", "depends_on"):
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        elif key == "networks":
            def as_map(networks):
                return networks if isinstance(networks, dict) else {n: None for n in networks}
            merged[key] = {**as_map(merged[key]), **as_map(value)}
        elif isinstance(value, dict):
            merged[key] = {**merged[key], **value}
        elif isinstance(value, list):
            merged[key] = merged[key] + value
        else:
            merged[key] = value
    return merged


@pytest.fixture(scope="module")
def nodes_compose(compose):
    """`docker compose -f docker-compose.yml -f docker-compose.nodes.yml`, merged as Compose merges."""
    over = yaml.load(NODES_FILE.read_text(), Loader=_ComposeLoader)  # noqa: S506 - SafeLoader subclass
    services = {name: dict(s) for name, s in compose["services"].items()}
    for name, service in over["services"].items():
        extends = service.get("extends")
        if extends:
            assert extends["file"] == "docker-compose.yml"
            base = compose["services"][extends["service"]]  # the base file's service, before overrides
            service = {k: v for k, v in service.items() if k != "extends"}
        else:
            base = services.get(name, {})
        services[name] = _merge_service(base, service)
    networks = {**compose["networks"]}
    for name, network in over.get("networks", {}).items():
        networks[name] = {**(networks.get(name) or {}), **network}
    return {**compose, "services": services, "networks": networks}


def _node_services(layout):
    """The center's Odoo nodes: the services running the production configuration."""
    return {name: s for name, s in layout["services"].items()
            if "./config/odoo-center-production.conf:/etc/odoo/odoo.conf:ro" in s.get("volumes", [])}


def _option(service, flag):
    values = [arg.split("=", 1)[1] for arg in service.get("command", []) if arg.startswith(f"--{flag}=")]
    return values[-1] if values else None


def test_several_nodes_share_the_data_volume_and_one_runs_cron(nodes_compose):
    nodes = _node_services(nodes_compose)
    assert set(nodes) == {"odoo", "odoo-2"}, sorted(nodes)
    conf = configparser.ConfigParser(inline_comment_prefixes=(";",))
    conf.read(ROOT / "config" / "odoo-center-production.conf")
    options = conf["options"]
    cron = {}
    for name, node in nodes.items():
        # one file store and one sessions dir: a session opened on one node is served by the other
        assert "odoo-data:/var/lib/odoo" in node["volumes"], name
        assert node["image"] == nodes_compose["services"]["odoo"]["image"] and "db" in node["depends_on"]
        assert "--database=hotline" in node["command"] and _option(node, "db_replica_host") == "db-replica"
        assert not node.get("ports"), f"{name}: a node is reached through nginx-internal only"
        assert "network_mode" not in node and set(node["networks"]) == {"internal"}
        cron[name] = int(_option(node, "max-cron-threads") or options["max_cron_threads"])
    assert sorted(cron.values()) == [0, 1], cron
    # one AMI bridge service (Compose restarts it; a standby on the same host would die with it)
    bridges = [n for n, s in nodes_compose["services"].items() if "hotline_ami" in s.get("command", [])]
    assert bridges == ["ami-bridge"], bridges


def test_several_nodes_proxy_lists_every_node_in_both_upstreams(nodes_compose):
    services, nodes = nodes_compose["services"], _node_services(nodes_compose)
    proxy = services["nginx-internal"]
    # its own container: it outlives either node (in a node's network namespace it would die with it)
    assert "network_mode" not in proxy and set(proxy["networks"]) == {"internal"}
    assert "./config/nginx/hotline-internal-nodes.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert [v for v in proxy["volumes"] if _volume_target(v) == "/etc/nginx/conf.d/default.conf"] == \
        ["./config/nginx/hotline-internal-nodes.conf:/etc/nginx/conf.d/default.conf:ro"]
    assert "odoo-data:/var/lib/odoo:ro" in proxy["volumes"]  # the file store nginx sends (X-Accel-Redirect)
    assert set(nodes) <= set(proxy["depends_on"])
    assert proxy["ports"] == ["127.0.0.1:8080:80"]
    conf = configparser.ConfigParser(inline_comment_prefixes=(";",))
    conf.read(ROOT / "config" / "odoo-center-production.conf")
    http_port, bus_port = conf["options"]["http_port"], conf["options"]["gevent_port"]
    # the nodes file, mounted as shipped: its upstreams name the nodes' fixed addresses
    nginx = (ROOT / "config" / "nginx" / "hotline-internal-nodes.conf").read_text()
    upstreams = {name: re.findall(r"^\s*server (\S+):(\d+)", body, re.M)
                 for name, body in re.findall(r"upstream (\S+) \{(.*?)\}", nginx, re.S)}
    addresses = {name: node["networks"]["internal"]["ipv4_address"] for name, node in nodes.items()}
    assert len(set(addresses.values())) == len(nodes)
    assert sorted(upstreams["hotline_center"]) == sorted((a, http_port) for a in addresses.values())
    assert sorted(upstreams["hotline_center_bus"]) == sorted((a, bus_port) for a in addresses.values())
    for name, node in nodes.items():  # each node listens on the address nginx reaches it at
        assert _option(node, "http-interface") == addresses[name], name
    # fixed addresses in the network's subnet, outside the range Docker hands out to the others
    ipam = nodes_compose["networks"]["internal"]["ipam"]["config"][0]
    subnet, dynamic = ipaddress.ip_network(ipam["subnet"]), ipaddress.ip_network(ipam["ip_range"])
    assert dynamic.subnet_of(subnet)
    for address in addresses.values():
        assert ipaddress.ip_address(address) in subnet and ipaddress.ip_address(address) not in dynamic


def test_several_nodes_ports_do_not_clash(nodes_compose):
    for profile in _profiles(nodes_compose):
        published = [str(p).split("/")[0].rsplit(":", 1)[0] for s in _active(nodes_compose, profile).values()
                     for p in s.get("ports", [])]
        assert len(published) == len(set(published)), (profile, published)
        assert "127.0.0.1:8080" in published, profile


# --- the real Compose reads every documented layout --------------------------------------------------

def _real_compose():
    """Compose v2: .odoo/bin/docker-compose (scripts/fetch-compose.sh, run by make setup), else on PATH."""
    local = ROOT / ".odoo" / "bin" / "docker-compose"
    if local.exists():
        return [str(local)]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("Compose v2 is required to read the layouts: scripts/fetch-compose.sh (make setup) fetches it")


# Each command the header of docker-compose.yml / docker-compose.nodes.yml and docs/deployment.md give,
# with the variables they name: nothing more (single-server needs no unit-server secret).
LAYOUTS = [
    (["docker-compose.yml"], "single-server", {"HOTLINE_DB_PASSWORD": "x"}),
    (["docker-compose.yml"], "two-servers", {"HOTLINE_DB_PASSWORD": "x", "HOTLINE_UNIT_DB_PASSWORD": "y"}),
    (["docker-compose.yml", "docker-compose.nodes.yml"], "single-server", {"HOTLINE_DB_PASSWORD": "x"}),
    (["docker-compose.yml", "docker-compose.nodes.yml"], "two-servers",
     {"HOTLINE_DB_PASSWORD": "x", "HOTLINE_UNIT_DB_PASSWORD": "y"}),
]


def _compose_config(files, profile, variables):
    cmd = [*_real_compose(), "--project-directory", str(ROOT)]
    for name in files:
        cmd += ["-f", str(ROOT / name)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "COMPOSE_"))}
    return subprocess.run([*cmd, "--profile", profile, "config", "--format", "json"], capture_output=True,
                          text=True, env={**env, **variables}, cwd=ROOT, timeout=60)


@pytest.mark.parametrize(("files", "profile", "variables"), LAYOUTS,
                         ids=[f"{'+'.join(f)}:{p}" for f, p, _v in LAYOUTS])
def test_real_compose_reads_every_documented_layout(files, profile, variables):
    result = _compose_config(files, profile, variables)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert {"db", "odoo", "nginx-internal", "ami-bridge", "backup"} <= set(services)
    assert ("unit-odoo" in services) == (profile == "two-servers")
    if "docker-compose.nodes.yml" in files:  # what the own merge above assumes, as Compose itself merged it
        nodes = {name: s for name, s in services.items() if name in ("odoo", "odoo-2")}
        assert len(nodes) == 2
        assert [name for name, s in nodes.items() if "--max-cron-threads=0" not in s["command"]] == ["odoo"]
        assert {s["networks"]["internal"]["ipv4_address"] for s in nodes.values()} == {"10.0.0.11", "10.0.0.12"}
        assert all(not s.get("ports") for s in nodes.values())
        assert "network_mode" not in services["nginx-internal"]
        assert any(v["target"] == "/etc/nginx/conf.d/default.conf" and
                   v["source"].endswith("hotline-internal-nodes.conf") for v in services["nginx-internal"]["volumes"])


def test_real_compose_refuses_a_layout_without_the_center_secret():
    """The positive control: the same Compose fails where a documented variable is missing."""
    result = _compose_config(["docker-compose.yml"], "single-server", {})
    assert result.returncode != 0
    assert "HOTLINE_DB_PASSWORD" in result.stderr
