#!/usr/bin/env bash
# Installs Debian's consul package (1.8.7) from the bullseye suite, pinned low so that nothing
# else on a bookworm machine is pulled from bullseye. Idempotent: does nothing if consul is on PATH.
set -euo pipefail
# Every consul 1.8.7 command, `consul version` too, makes an empty /tmp/consul-test and leaves it
# (its linked-in sdk/testutil package); remove it after ours if it was not there before.
leftover=/tmp/consul-test
if [ -e "$leftover" ]; then leftover_before=1; else leftover_before=0; fi
consul_version() {
  consul version | head -n 1
  if [ "$leftover_before" = 0 ]; then rmdir "$leftover" 2>/dev/null || true; fi
}
if command -v consul >/dev/null 2>&1; then
  echo "consul already installed: $(consul_version)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-consul: apt-get not found; install Consul yourself, set CONSUL_HTTP_ADDR, or use Docker" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO tee /etc/apt/sources.list.d/locksim-bullseye.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bullseye
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
# Priority 100 keeps bullseye below bookworm (500): only packages absent from bookworm come from it.
$SUDO tee /etc/apt/preferences.d/locksim-bullseye >/dev/null <<'PIN'
Package: *
Pin: release n=bullseye
Pin-Priority: 100
PIN
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends consul >/dev/null
echo "installed: $(consul_version)"
