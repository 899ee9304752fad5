#!/usr/bin/env bash
# build-image.sh: turn a fresh Debian 12 into a SINOPSIS recording kit that boots straight into the kiosk.
#   build-image.sh [options]             ON THE KIT, as root: apt packages, the user and group, the checkout and
#                                        its venv in /opt/sinopsis, the file tree into /, units enabled
#   build-image.sh --root DIR [options]  dry run: only write the file tree the image would have into DIR
#                                        (no apt, no users, no systemctl; needs this checkout's .venv)
#   build-image.sh --debootstrap DIR     make a Debian 12 root file system in DIR (debootstrap) and provision it
#                                        in a chroot (documented in docs/kiosk-image.md; not run by the tests)
# options: --station-id ID  --broker-host HOST  --broker-port PORT  --timezone ZONE  --replace-config
#          (see `sinopsis image build`)
# Safe to run again: every step checks first, the tree writer changes nothing that is already right.
set -euo pipefail
# A system image: /opt/sinopsis, its venv and /etc are read by the kit's own user, whatever umask the caller has
# (the sinopsis CLI runs with 0077; a venv made under it was unreadable to the units: found by booting the image).
umask 022

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)          # the checkout this script belongs to
install_dir=/opt/sinopsis               # the units' ExecStart=/opt/sinopsis/.venv/bin/sinopsis
root="" debootstrap_dir="" tree_args=()

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a folder}; shift 2 ;;
    --debootstrap) debootstrap_dir=${2:?--debootstrap needs a folder}; shift 2 ;;
    --station-id|--broker-host|--broker-port|--timezone) tree_args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    --replace-config) tree_args+=("$1"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-image.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
say() { printf '==> %s\n' "$*"; }

# Dry run: the tree only, written by the same code the kit runs (provisioning/kit_image.py).
if [ -n "$root" ]; then
  [ -x "$src/.venv/bin/sinopsis" ] || { echo "build-image.sh: $src/.venv is missing; run ./setup.sh --no-run" >&2; exit 2; }
  mkdir -p "$root"
  exec "$src/.venv/bin/sinopsis" image build --root "$root" "${tree_args[@]}"
fi

[ "$(id -u)" -eq 0 ] || { echo "build-image.sh: run as root (or use --root DIR for a dry run)" >&2; exit 2; }

# A new root file system for an SD card / disk image: debootstrap, copy the checkout in, run this script inside.
if [ -n "$debootstrap_dir" ]; then
  for tool in debootstrap rsync; do  # the host's: rsync copies the checkout into the new root file system
    command -v "$tool" >/dev/null || { apt-get update -qq; apt-get install -y -qq "$tool"; }
  done
  if [ ! -x "$debootstrap_dir/usr/bin/apt-get" ]; then
    say "debootstrap bookworm into $debootstrap_dir"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,linux-image-amd64,grub-efi-amd64 \
      bookworm "$debootstrap_dir" http://deb.debian.org/debian
  fi
  mkdir -p "$debootstrap_dir$install_dir"
  rsync -a --delete --exclude .venv --exclude .git --exclude sinopsis-demo --exclude '__pycache__' \
    "$src/" "$debootstrap_dir$install_dir/"
  for fs in proc sys dev; do mountpoint -q "$debootstrap_dir/$fs" || mount --rbind "/$fs" "$debootstrap_dir/$fs"; done
  trap 'rm -f "$debootstrap_dir/run/sinopsis-build-ca.pem"
        for fs in dev sys proc; do umount -R "$debootstrap_dir/$fs" 2>/dev/null || true; done' EXIT
  # Where PyPI is reached only through a TLS-inspecting proxy (an office network's, a build farm's), its CA is in
  # the host's bundle (PIP_CERT / REQUESTS_CA_BUNDLE): pip in the new root trusts it for this build only (all three
  # variables: the host's own would otherwise point pip at the new root's bundle, which lacks it).
  chroot_env=() host_ca=${PIP_CERT:-${REQUESTS_CA_BUNDLE:-}}
  if [ -n "$host_ca" ] && [ -f "$host_ca" ]; then
    mkdir -p "$debootstrap_dir/run" && cp "$host_ca" "$debootstrap_dir/run/sinopsis-build-ca.pem"
    chroot_env+=(PIP_CERT=/run/sinopsis-build-ca.pem REQUESTS_CA_BUNDLE=/run/sinopsis-build-ca.pem
                SSL_CERT_FILE=/run/sinopsis-build-ca.pem)
  fi
  chroot "$debootstrap_dir" env "${chroot_env[@]}" "$install_dir/provisioning/image/build-image.sh" "${tree_args[@]}"
  say "root file system ready in $debootstrap_dir (install the boot loader for the kit's disk, then boot it)"
  exit 0
fi

# 1. Debian packages (provisioning/image/packages.txt).
mapfile -t packages < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages.txt")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. The checkout in /opt/sinopsis and its venv (editable: the cffi build lands in place, like ./setup.sh).
if [ "$src" != "$install_dir" ]; then
  say "copying $src to $install_dir"
  mkdir -p "$install_dir"
  rsync -a --delete --exclude .venv --exclude .git --exclude sinopsis-demo --exclude '__pycache__' \
    "$src/" "$install_dir/"
fi
[ -x "$install_dir/.venv/bin/python" ] || python3 -m venv "$install_dir/.venv"
say "pip: installing sinopsis into $install_dir/.venv"
"$install_dir/.venv/bin/python" -m pip install -q -e "$install_dir[kit]"  # the kiosk's, agent's, drivers' packages
"$install_dir/.venv/bin/python" -m compileall -q "$install_dir" >/dev/null || true  # /opt is read-only at run time
mkdir -p "$install_dir/vendor"   # the vendors' libScanAPI.so and libIddk2000.so go here (not redistributable)

# 3. The file tree: units (enabled), udev rules, /etc/sinopsis/station.toml, drop-ins, sysusers.d.
"$install_dir/.venv/bin/sinopsis" image build --root / "${tree_args[@]}"

# 4. The user and group (/etc/sysusers.d/sinopsis.conf), then make systemd, udev and GRUB see the new files.
systemd-sysusers /etc/sysusers.d/sinopsis.conf
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  udevadm control --reload && udevadm trigger --action=add || true
fi
if command -v update-grub >/dev/null; then update-grub; fi

say "kit provisioned. Next: copy the vendor SDKs to $install_dir/vendor/, enrol the station"
say "(sinopsis provision request / install), check with"
say "  $install_dir/.venv/bin/sinopsis station config check /etc/sinopsis/station.toml --devices"
say "and reboot: the kiosk starts on tty1."
