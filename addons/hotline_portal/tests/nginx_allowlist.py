"""Evaluate the location rules of the external nginx configuration.

A small reader for the subset of the nginx syntax used by
config/nginx/hotline-external.conf (`=`, `^~`, plain prefix, `~` and `~*`
locations; `proxy_pass` or `return` inside), applying nginx's own selection
order so the tests can ask "would this URL reach Odoo from the internet?".

nginx selection (ngx_http_core_module, "location"): exact match wins; then the
longest prefix is remembered; if it carries `^~` it wins; otherwise regular
expressions are tried in file order and the first match wins; otherwise the
remembered prefix is used. The URI is matched after percent-decoding, merging
of slashes and resolution of `.` / `..` segments. A prefix location ending in
"/" whose requests are proxied makes nginx answer the same URI without the
slash with a 301 to it ("auto redirect"), before any regex is tried.
"""

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONFIG_PATH = Path(__file__).resolve().parents[3] / "config" / "nginx" / "hotline-external.conf"


def _tokens(text):
    token_re = re.compile(r"#[^\n]*|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};\"'#]+")
    for tok in token_re.findall(text):
        if tok.startswith("#"):
            continue
        if len(tok) > 1 and tok[0] == tok[-1] and tok[0] in "\"'":
            # quoted parameter (regexes with braces must be quoted in nginx)
            tok = tok[1:-1]
        yield tok


def _parse(tokens):
    """Return a list of (name, args, children or None)."""
    items, current = [], []
    for tok in tokens:
        if tok == ";":
            items.append((current[0], current[1:], None))
            current = []
        elif tok == "{":
            children = _parse(tokens)
            items.append((current[0], current[1:], children))
            current = []
        elif tok == "}":
            return items
        else:
            current.append(tok)
    return items


class Location:
    def __init__(self, modifier, pattern, body):
        self.modifier = modifier  # '=', '^~', '', '~', '~*'
        self.pattern = pattern
        self.proxy_pass = next((args[0] for name, args, _c in body if name == "proxy_pass"), None)
        returns = next((args for name, args, _c in body if name == "return"), [None])
        self.return_code = returns[0]
        self.return_target = returns[1] if len(returns) > 1 else None
        if self.modifier in ("~", "~*"):
            self.regex = re.compile(pattern, re.IGNORECASE if modifier == "~*" else 0)
        self.auto_redirect = self.proxy_pass is not None and modifier in ("=", "^~", "") and pattern.endswith("/")

    @property
    def allowed(self):
        """True when the request is forwarded to Odoo."""
        return self.proxy_pass is not None

    def __repr__(self):
        return f"location {self.modifier} {self.pattern}".replace("  ", " ")


class ProxyRules:
    def __init__(self, path=CONFIG_PATH):
        text = Path(path).read_text(encoding="utf-8")
        tree = _parse(iter(list(_tokens(text))))
        http_servers = [
            children
            for name, _args, children in tree
            if name == "server" and any(n == "listen" and "443" in a[0] for n, a, _c in children)
        ]
        if len(http_servers) != 1:
            raise ValueError(f"{path}: expected one server block listening on 443")
        self.locations = []
        self.client_max_body_size = next(
            (self._size(args[0]) for name, args, _c in http_servers[0] if name == "client_max_body_size"), None)
        for name, args, children in http_servers[0]:
            if name != "location":
                continue
            if len(args) == 1:
                self.locations.append(Location("", args[0], children))
            else:
                self.locations.append(Location(args[0], args[1], children))

    @staticmethod
    def _size(value):
        """nginx size syntax (1024, 8k, 25m, 1g) in bytes."""
        units = {"k": 1024, "m": 1024**2, "g": 1024**3}
        unit = value[-1].lower()
        return int(value[:-1]) * units[unit] if unit in units else int(value)

    @staticmethod
    def normalize(url):
        """The URI nginx matches: path only, decoded, slashes merged, dots resolved."""
        # "//web" is a path for nginx (request line), not a network location
        raw = urlsplit(url).path if re.match(r"^[a-z]+://", url) else re.split(r"[?#]", url, maxsplit=1)[0]
        path = unquote(raw) or "/"
        trailing = path.endswith("/")
        path = re.sub("/+", "/", path)
        path = posixpath.normpath(path)
        path = "/" + path.lstrip("/")
        if trailing and path != "/":
            path += "/"
        return path

    def match(self, url):
        uri = self.normalize(url)
        for loc in self.locations:
            if loc.modifier == "=" and loc.pattern == uri:
                return loc
        if any(loc.auto_redirect and loc.pattern == uri + "/" for loc in self.locations):
            return Location("=", uri, [("return", ["301", uri + "/"], None)])
        prefixes = [loc for loc in self.locations if loc.modifier in ("", "^~") and uri.startswith(loc.pattern)]
        best = max(prefixes, key=lambda loc: len(loc.pattern), default=None)
        if best is not None and best.modifier == "^~":
            return best
        for loc in self.locations:
            if loc.modifier in ("~", "~*") and loc.regex.search(uri):
                return loc
        return best

    def is_allowed(self, url):
        """The request is forwarded to Odoo."""
        loc = self.match(url)
        return bool(loc and loc.allowed)

    def is_reachable(self, url):
        """Forwarded, or redirected by nginx itself to a forwarded URL (e.g. / to /my)."""
        loc = self.match(url)
        if loc and loc.return_code in ("301", "302") and loc.return_target:
            return self.is_allowed(loc.return_target)
        return bool(loc and loc.allowed)
