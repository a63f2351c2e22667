#!/bin/sh
# Final stage of the fresh platform (see Dockerfile): the host's "Debian
# mirror" becomes the signed subset on its loopback, the only source it has,
# as a real VPS has only its provider's Debian mirror before Docker's
# repository is added. Docker's repository is NOT configured: that is the
# role's job.
set -eu
: "${SUITE:?}"
rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
install -m 0644 /srv/harness-apt/keys/debian.asc /usr/share/keyrings/harness-debian-subset.asc
cat >/etc/apt/sources.list.d/debian.sources <<SOURCES
# Test platform: a signed subset of Debian's archive on loopback (harness-apt.service)
Types: deb
URIs: http://127.0.0.1:8090/debian
Suites: $SUITE
Components: main
Signed-By: /usr/share/keyrings/harness-debian-subset.asc
SOURCES
systemctl enable harness-apt.service >/dev/null 2>&1
