#!/bin/sh
# Build stage of the fresh platform (see Dockerfile): builds the signed apt
# repositories the instance serves on its loopback, into /srv/harness-apt.
# Needs the network of the build (Debian's archive). The private test keys
# never leave this stage.
set -eu
: "${SUITE:?}" "${VERSION:?}"
export DEBIAN_FRONTEND=noninteractive
srv=/srv/harness-apt
arch=$(dpkg --print-architecture)
# the fresh host's packages, before this stage installs its tools
cp /var/lib/dpkg/status /build/host-status
apt-get update -qq
apt-get install -y -qq --no-install-recommends gnupg apt-utils >/dev/null
mirror=$(apt-get indextargets --format '$(REPO_URI)' | grep -v security | head -n 1)

# 1. Debian's binaries that the stand-ins repackage: this suite's engine,
#    and Compose v2 and buildx from Debian 13 (Debian 12 has neither).
mkdir -p /build/debs /build/root
cd /build/debs
apt-get download -qq docker.io containerd runc tini rootlesskit
if [ "$SUITE" = bookworm ]; then
  echo "deb $mirror trixie main" >/etc/apt/sources.list.d/build-trixie.list
  apt-get update -qq
  apt-get download -qq docker-compose/trixie docker-buildx/trixie
  rm /etc/apt/sources.list.d/build-trixie.list
  apt-get update -qq
else
  apt-get download -qq docker-cli docker-compose docker-buildx
fi
for deb in *.deb; do dpkg-deb -x "$deb" /build/root; done

# 2. Test keys (never real ones): a primary key that only certifies and a
#    signing subkey, like Docker's key; the repositories are signed by the
#    subkey and pinned by the primary's fingerprint.
mkdir -p "$srv/keys"
GNUPGHOME=$(mktemp -d)
export GNUPGHOME
newkey() {
  uid="twilight_drive test harness: $1 (TEST KEY, trust nothing it signs) <harness-$1@example.invalid>"
  gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key "$uid" rsa3072 cert never
  fpr=$(gpg --with-colons --list-keys "harness-$1@example.invalid" | awk -F: '/^fpr/ { print $10; exit }')
  gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-add-key "$fpr" rsa3072 sign never
  gpg --armor --export "$fpr" >"$srv/keys/$1.asc"
  echo "$fpr" >"$srv/keys/$1.fpr"
}
signing_subkey() {
  gpg --with-colons --list-keys "harness-$1@example.invalid" | awk -F: '/^sub/ { s = 1 } s && /^fpr/ { print $10; exit }'
}
for k in debian docker rogue; do newkey "$k"; done

# index_and_sign ROOT COMPONENT POOL KEY LABEL: Packages and a signed Release for $SUITE
index_and_sign() {
  (
    cd "$1"
    dists=dists/$SUITE
    mkdir -p "$dists/$2/binary-$arch"
    apt-ftparchive packages "$3" >"$dists/$2/binary-$arch/Packages"
    gzip -9kn "$dists/$2/binary-$arch/Packages"
    apt-ftparchive -o "APT::FTPArchive::Release::Origin=$5" -o "APT::FTPArchive::Release::Label=$5" \
      -o "APT::FTPArchive::Release::Suite=$SUITE" -o "APT::FTPArchive::Release::Codename=$SUITE" \
      -o "APT::FTPArchive::Release::Architectures=$arch" -o "APT::FTPArchive::Release::Components=$2" \
      release "$dists" >/build/Release
    mv /build/Release "$dists/Release"
    rm -f "$dists/InRelease" "$dists/Release.gpg"
    sub=$(signing_subkey "$4")
    gpg --batch --quiet --local-user "$sub!" --clearsign -o "$dists/InRelease" "$dists/Release"
    gpg --batch --quiet --local-user "$sub!" --armor --detach-sign -o "$dists/Release.gpg" "$dists/Release"
  )
}

# 3. Docker's repository layout with the stand-in packages, signed by the
#    "docker" test key; and a copy of it signed by the "rogue" key.
docker=$srv/docker/linux/debian
sh /build/docker-packages/build.sh /build/root "$docker/dists/$SUITE/pool/stable/$arch" "$SUITE" "$VERSION" "$arch"
index_and_sign "$docker" stable "dists/$SUITE/pool/stable" docker "Docker stand-in (test harness)"
mkdir -p "$srv/docker-rogue/linux/debian/dists/$SUITE"
cp -al "$docker/dists/$SUITE/pool" "$srv/docker-rogue/linux/debian/dists/$SUITE/pool"
index_and_sign "$srv/docker-rogue/linux/debian" stable "dists/$SUITE/pool/stable" rogue "Docker stand-in (test harness)"

# 4. The Debian subset: every Debian package that installing the stand-ins
#    (with their Recommends, as apt does by default), python3-apt (which the
#    apt module installs) and, on Debian 13, Debian's own docker.io,
#    docker-cli, docker-compose and docker-buildx needs beyond the fresh host.
echo "deb [trusted=yes] file:$docker $SUITE stable" >/etc/apt/sources.list.d/build-standin.list
apt-get update -qq
mkdir -p /build/subset/partial
download() {
  apt-get -qq -o Dir::State::status=/build/host-status -o Dir::Cache::archives=/build/subset \
    install --download-only -y "$@" >/dev/null
}
download docker-ce docker-ce-cli docker-ce-rootless-extras containerd.io docker-compose-plugin docker-buildx-plugin python3-apt
[ "$SUITE" = bookworm ] || download docker.io docker-cli docker-compose docker-buildx python3-apt
rm /etc/apt/sources.list.d/build-standin.list
mkdir -p "$srv/debian/pool/main"
find /build/subset -maxdepth 1 -name '*.deb' ! -name '*standin*' -exec mv -t "$srv/debian/pool/main" {} +
index_and_sign "$srv/debian" main pool/main debian "Debian subset (test harness)"
chmod -R a+rX "$srv"
