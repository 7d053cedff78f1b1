#!/usr/bin/env bash
# The Debian package (issue 16): scripts/package builds it from this Release build directory
# into a temporary folder; it holds the expected files, marks the config a conffile, lintian
# reports no error, and the unpacked binary runs --version and reads the packaged config.
#   test_package.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/levelcast-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

deb=$(LEVELCAST_BUILD_DIR=$build_dir "$source_dir/scripts/package" "$work/out" | tail -n 1)
[ -f "$deb" ] || fail "scripts/package printed no package: $deb"
echo "package: $(basename "$deb")"

contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
for file in ./usr/bin/levelcast ./lib/systemd/system/levelcast.service \
    ./etc/levelcast/levelcast.toml ./usr/share/man/man1/levelcast.1.gz \
    ./usr/share/doc/levelcast/README.md ./usr/share/doc/levelcast/OPERATIONS.md \
    ./usr/share/doc/levelcast/copyright ./usr/share/doc/levelcast/changelog.Debian.gz; do
  grep -qxF "$file" <<<"$contents" || fail "the package lacks $file; it holds:"$'\n'"$contents"
done
dpkg-deb --field "$deb" Depends | grep -q libssl3 || fail "no library dependencies found"
mkdir "$work/control"
dpkg-deb --control "$deb" "$work/control"
grep -qxF /etc/levelcast/levelcast.toml "$work/control/conffiles" || fail "the config is no conffile"

lintian_out=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v "root privileges" || true)
echo "lintian: ${lintian_out:-clean}"
if grep -q '^E: ' <<<"$lintian_out"; then fail "lintian reports errors"; fi

dpkg-deb -x "$deb" "$work/root"
version=$("$work/root/usr/bin/levelcast" --version)
echo "packaged binary: $version"
[[ $version == "levelcast "* ]] || fail "--version said: $version"
"$work/root/usr/bin/levelcast" --config "$work/root/etc/levelcast/levelcast.toml" --print-config \
  >/dev/null || fail "the packaged binary refuses the packaged config"
# The unit as systemd reads it, pointed at the unpacked binary.
mkdir "$work/unit"
sed "s|/usr/bin/levelcast|$work/root/usr/bin/levelcast|" "$work/root/lib/systemd/system/levelcast.service" \
  > "$work/unit/levelcast.service"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze --man=no verify "$work/unit/levelcast.service" || fail "systemd-analyze verify"
fi
zcat "$work/root/usr/share/man/man1/levelcast.1.gz" | grep -q 'reuse.-port' \
  || fail "the manual page does not carry --help"
echo "package test passed"
