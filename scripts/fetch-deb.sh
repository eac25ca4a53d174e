#!/usr/bin/env bash
# fetch-deb.sh SUITE ARCH PACKAGE DEST
# Download one Debian package of any suite/architecture with apt-get and extract it into DEST,
# without touching the machine's apt state (temporary sources list, lists and cache dirs).
# The mirror URI is read from this machine's own apt configuration, so no host name is
# written into the repository.
set -euo pipefail
suite=$1 arch=$2 pkg=$3 dest=$4

mirror=$( { cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/{print $2}';
            cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
              awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}'; } |
          grep -v -- '-security' | grep -m1 '/debian/\?$' || true)
if [ -z "$mirror" ]; then
  echo "fetch-deb: no Debian mirror found in the apt configuration" >&2; exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/archives/partial" "$tmp/parts"
echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$tmp/sources.list"
opts=(-q -o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=$tmp/parts"
      -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache::Archives=$tmp/archives"
      -o "APT::Architectures::=$arch" -o "APT::Architecture=$arch" -o "Debug::NoLocking=1"
      -o "APT::Sandbox::User=root")
apt-get "${opts[@]}" update >&2
(cd "$tmp" && apt-get "${opts[@]}" download "$pkg:$arch" >&2)
mkdir -p "$dest"
dpkg-deb -x "$tmp"/*.deb "$dest"
echo "fetch-deb: $pkg ($suite/$arch) -> $dest" >&2
