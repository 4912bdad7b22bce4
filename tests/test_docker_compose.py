"""docker-compose.yml cannot run on the CI machine (no Docker engine), so check
that it is coherent: every file it mounts or builds from exists, ports do not
clash, and the proxy's upstreams match the Odoo configuration it fronts."""

import configparser
import re
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
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in compose.get("volumes", {}), f"{name}: undeclared volume {source}"


def test_published_ports_do_not_clash(compose):
    seen = {}
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            spec = str(port)
            proto = spec.split("/")[1] if "/" in spec else "tcp"
            host = spec.split("/")[0].rsplit(":", 1)[0]
            host_port = host.split(":")[-1]
            key = (host_port, proto)
            assert key not in seen, f"{name} and {seen[key]} both publish {host_port}/{proto}"
            seen[key] = name
    assert ("80", "tcp") in seen and ("5060", "udp") in seen


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
    assert options["gevent_port"] in upstreams.values()
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
