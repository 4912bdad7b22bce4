#!/usr/bin/env bash
# Fetch Odoo 19 from Debian sid's odoo-19 package and unpack it under .odoo/root,
# together with the Debian packages its web assets symlink into. Never installs
# anything from sid into the system: apt only downloads, dpkg only extracts.
# Idempotent: a stamp file records a finished unpack.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD/.odoo
PREFIX=$ROOT/root
STAMP=$ROOT/.unpacked-19
EXPECTED_MAJOR=19

if [ -f "$STAMP" ]; then exit 0; fi

# The machine's own Debian mirror (deb822 or one-line format); never hard-coded.
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  mirror=$(awk '/^URIs:/{print $2; exit}' "$f"); [ -n "$mirror" ] && break
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "fetch-odoo: cannot find a Debian mirror in /etc/apt sources" >&2; exit 1; }
mirror=${mirror%/}; mirror=${mirror%/debian-security}

APTDIR=$ROOT/apt
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$ROOT/debs" "$PREFIX"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$APTDIR/sources.list" <<SRC
deb [signed-by=$keyring] $mirror sid main
SRC
cat > "$APTDIR/sources-bookworm.list" <<SRC
deb [signed-by=$keyring] $mirror bookworm main
SRC

apt_opts() {  # $1 = sources list, $2 = lists dir
  echo -o Dir::Etc::SourceList="$1" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$2" -o Dir::Cache="$APTDIR/cache" \
    -o Acquire::Check-Valid-Until=false -o APT::Get::List-Cleanup=false \
    -o Debug::NoLocking=true -o APT::Sandbox::User=root
}
SID=$(apt_opts "$APTDIR/sources.list" "$APTDIR/lists")
mkdir -p "$APTDIR/lists-bookworm/partial"
BWM=$(apt_opts "$APTDIR/sources-bookworm.list" "$APTDIR/lists-bookworm")

echo "fetch-odoo: reading package lists from $mirror (sid, bookworm)"
# shellcheck disable=SC2086
apt-get $SID update -qq
# shellcheck disable=SC2086
apt-get $BWM update -qq

# shellcheck disable=SC2086
if ! apt-cache $SID show odoo-19 >/dev/null 2>&1; then
  echo "fetch-odoo: the mirror's sid suite has no odoo-19 package any more." >&2
  echo "  Point ODOO_SRC at an Odoo 19 source tree instead (see README)." >&2
  exit 1
fi

cd "$ROOT/debs"
# Asset packages the odoo-19 package links into (relative symlinks under /usr/share).
# shellcheck disable=SC2086
apt-get $SID download odoo-19 libjs-jquery libjs-underscore libjs-jquery-form \
  fonts-roboto-unhinted fonts-montserrat fonts-ocr-b
# sid's font-awesome and inconsolata ship other file names than odoo-19 links to.
# shellcheck disable=SC2086
apt-get $BWM download fonts-font-awesome fonts-inconsolata
for deb in ./*.deb; do dpkg -x "$deb" "$PREFIX"; done
cd - >/dev/null

# The dfsg package drops this file; the backend bundle needs it to exist.
blur=$PREFIX/usr/lib/python3/dist-packages/odoo/addons/mail/static/lib/selfie_segmentation/selfie_segmentation.js
mkdir -p "$(dirname "$blur")"
[ -e "$blur" ] || echo "/* removed by Debian (non-free); video background blur unavailable */" > "$blur"

major=$(python3 - "$PREFIX/usr/lib/python3/dist-packages/odoo/release.py" <<'PY'
import sys
ns = {}
exec(open(sys.argv[1]).read(), ns)
print(ns["version_info"][0])
PY
)
if [ "$major" != "$EXPECTED_MAJOR" ]; then
  echo "fetch-odoo: expected Odoo $EXPECTED_MAJOR, the package holds $major" >&2; exit 1
fi

dangling=$(find "$PREFIX" -xtype l)
if [ -n "$dangling" ]; then
  echo "fetch-odoo: dangling symlinks after unpacking:" >&2; echo "$dangling" >&2; exit 1
fi
rm -rf "$ROOT/debs" "$APTDIR/cache/archives"
touch "$STAMP"
echo "fetch-odoo: Odoo $major unpacked in $PREFIX"
