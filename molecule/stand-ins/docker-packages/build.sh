#!/bin/sh
# TEST STAND-INS for the packages of Docker's apt repository. Never shipped.
#
#   build.sh ROOT OUT SUITE VERSION ARCH
#
# Docker's own .debs cannot be had on these machines (download.docker.com is
# unreachable), so this builds packages with Docker's names, Docker's version
# scheme and Docker's package relations (Depends, Recommends, Conflicts) whose
# content is Debian's own binaries, taken from ROOT (Debian's docker.io,
# docker-cli, containerd, runc, tini, rootlesskit, docker-compose and
# docker-buildx packages unpacked into one tree):
#
#   docker-ce                  dockerd, docker-proxy, docker-init (Debian's docker.io, tini)
#                              + docker.service/docker.socket written here
#   docker-ce-cli              docker (Debian's docker.io on 12, docker-cli on 13)
#   docker-ce-rootless-extras  rootlesskit (Debian's rootlesskit)
#   containerd.io              containerd, its shim, ctr, runc (Debian's containerd, runc)
#   docker-compose-plugin      Compose v2 2.26 (Debian 13's docker-compose)
#   docker-buildx-plugin       buildx (Debian 13's docker-buildx)
#
# The pinned four come in two versions (0.1 and 0.2, e.g.
# 5:0.1~standin-1~debian.12~bookworm) with the same content, so pinning and
# changing a pin can be tested. What they prove: the repository, key,
# pinning and install steps of the docker_engine role, and that an engine and
# compose v2 from packages with these names answer. What they do not: that
# Docker's real packages (engine 27/28, static binaries, their maintainer
# scripts) install the same way; `docker version` reports Debian's engine
# version (20.10 on Debian 12, 26.1 on 13), not the package version.
set -eu
root=$1 out=$2 suite=$3 ver=$4 arch=$5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"

# A path inside ROOT with its symlinks resolved inside ROOT.
resolve() {
  p=$1
  while [ -L "$root$p" ]; do
    t=$(readlink "$root$p")
    case $t in /*) p=$t ;; *) p=$(dirname "$p")/$t ;; esac
  done
  echo "$root$p"
}
put() {  # put SRC DEST [MODE]: a file of ROOT (or of this directory, when SRC is relative) into the package
  case $1 in /*) src=$(resolve "$1") ;; *) src=$here/$1 ;; esac
  install -D -m "${3:-0755}" "$src" "$pkg$2"
}
# build NAME VERSION: control fields beyond the basic ones come on stdin
build() {
  name=$1 version=$2
  mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/doc/$name"
  printf 'STAND-IN for Docker'"'"'s %s package, version %s, built by molecule/stand-ins/docker-packages/build.sh\nfrom Debian %s binaries, for the tests of lacatfly.twilight_drive only.\n' \
    "$name" "$version" "$suite" >"$pkg/usr/share/doc/$name/STAND-IN"
  for script in postinst prerm postrm; do
    [ ! -f "$here/$name.$script" ] || install -m 0755 "$here/$name.$script" "$pkg/DEBIAN/$script"
  done
  {
    printf 'Package: %s\nVersion: %s\nArchitecture: %s\n' "$name" "$version" "$arch"
    printf 'Maintainer: twilight_drive test harness <harness@example.invalid>\n'
    printf 'Installed-Size: %s\nSection: admin\nPriority: optional\n' "$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
    cat
    printf 'Description: STAND-IN for Docker'"'"'s %s (test harness only)\n' "$name"
    printf ' Debian %s binaries under the name, version scheme and package relations of\n' "$suite"
    printf ' the package in Docker'"'"'s apt repository. Not Docker'"'"'s package.\n'
  } >"$pkg/DEBIAN/control"
  [ ! -d "$pkg/etc" ] || (cd "$pkg" && find etc -type f | sed 's|^|/|') >"$pkg/DEBIAN/conffiles"
  dpkg-deb --root-owner-group -Zgzip -z1 -b "$pkg" "$out/${name}_$(echo "$version" | sed 's/^[0-9]*://')_$arch.deb" >/dev/null
  rm -rf "$pkg"
}

libdm=""
[ "$suite" != bookworm ] || libdm=", libdevmapper1.02.1 (>= 2:1.02.97)"  # Debian 12's dockerd links it
for v in 0.1 0.2; do
  engine="5:$v~standin-1~debian.$ver~$suite"
  plugin="$v~standin-1~debian.$ver~$suite"

  pkg=$(mktemp -d)
  put /usr/sbin/dockerd /usr/bin/dockerd
  put /usr/sbin/docker-proxy /usr/bin/docker-proxy
  put /usr/bin/docker-init /usr/bin/docker-init
  put docker.service /usr/lib/systemd/system/docker.service 0644
  put docker.socket /usr/lib/systemd/system/docker.socket 0644
  build docker-ce "$engine" <<CONTROL
Depends: containerd.io, docker-ce-cli, iptables, libseccomp2 (>= 2.3.0), libc6 (>= 2.34), libsystemd0$libdm
Recommends: apparmor, ca-certificates, docker-ce-rootless-extras, git, libltdl7, pigz, procps, xz-utils
Conflicts: docker (<< 1.5~), docker-engine, docker.io
Replaces: docker-engine
CONTROL

  pkg=$(mktemp -d)
  put /usr/bin/docker /usr/bin/docker
  build docker-ce-cli "$engine" <<'CONTROL'
Depends: libc6 (>= 2.34)
Recommends: docker-buildx-plugin, docker-compose-plugin
Conflicts: docker (<< 1.5~), docker-engine, docker.io, docker-cli
CONTROL

  pkg=$(mktemp -d)
  put /usr/bin/rootlesskit /usr/bin/rootlesskit
  build docker-ce-rootless-extras "$engine" <<'CONTROL'
Depends: docker-ce, libc6 (>= 2.34)
Recommends: slirp4netns (>= 0.4.0)
CONTROL

  pkg=$(mktemp -d)
  put /usr/libexec/docker/cli-plugins/docker-compose /usr/libexec/docker/cli-plugins/docker-compose
  build docker-compose-plugin "$plugin" <<'CONTROL'
Depends: libc6 (>= 2.34)
Enhances: docker-ce-cli
CONTROL
done

# Not pinned by the role: one version each.
pkg=$(mktemp -d)
put /usr/bin/containerd /usr/bin/containerd
put /usr/bin/containerd-shim-runc-v2 /usr/bin/containerd-shim-runc-v2
put /usr/bin/ctr /usr/bin/ctr
put /usr/sbin/runc /usr/bin/runc
put containerd.service /usr/lib/systemd/system/containerd.service 0644
put containerd-config.toml /etc/containerd/config.toml 0644
build containerd.io "0.1~standin-1" <<'CONTROL'
Depends: libc6 (>= 2.34), libseccomp2 (>= 2.5.0)
Conflicts: containerd, runc
Replaces: containerd, runc
Provides: containerd, runc
CONTROL

pkg=$(mktemp -d)
put /usr/libexec/docker/cli-plugins/docker-buildx /usr/libexec/docker/cli-plugins/docker-buildx
build docker-buildx-plugin "0.1~standin-1~debian.$ver~$suite" <<'CONTROL'
Depends: libc6 (>= 2.34)
Enhances: docker-ce-cli
CONTROL
