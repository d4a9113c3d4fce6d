#!/usr/bin/env bash
# Installed like a C tool: `cmake --install` puts the binary, the man page and the bash
# completion under a prefix; the page (rendered by man) and the completion (run in a real
# bash) carry every command and every flag the flag table gives each command, and a
# choice's values; `cpack -G DEB` gives a package with the binary's library dependencies,
# gnuplot recommended, its files in place, and dependencies that resolve on this system.
# No server. Usage: install.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log" >&2; fail "cmake --install"; }
bin=$prefix/bin/txstorm
page=$prefix/share/man/man1/txstorm.1.gz
completion=$prefix/share/bash-completion/completions/txstorm
for f in "$bin" "$page" "$completion"; do [[ -f $f ]] || fail "not installed: ${f#"$prefix"/}"; done
version=$("$bin" --version) || fail "the installed binary does not run"

# The commands, from --help, and each command's flags, from its README table.
mapfile -t commands < <("$bin" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
((${#commands[@]} >= 8)) || fail "--help lists ${#commands[@]} commands"
flags_of() { "$bin" help --markdown "$1" | grep -o '^| `--[a-z0-9-]*' | cut -c4-; }

# The page, as man renders it (no hyphenation: a flag is never split), names every
# command and, under the command's own heading, each of its flags.
MANWIDTH=200 man -l "$page" 2>"$work/man.err" >"$work/man.txt" || { cat "$work/man.err" >&2; fail "man -l"; }
[[ ! -s $work/man.err ]] || { cat "$work/man.err" >&2; fail "man warns about the page"; }
grep -qF "txstorm ${version#txstorm }" "$work/man.txt" || fail "the page does not carry the version ($version)"
for c in "${commands[@]}"; do
    # The command's section: from its heading to the next one.
    awk -v h="   txstorm $c" 'index($0, h) == 1 && (length($0) == length(h) || substr($0, length(h) + 1, 1) == " ") { on = 1; next }
        on && /^   txstorm / { exit } on && /^[A-Z]/ { exit } on' "$work/man.txt" >"$work/man.$c"
    [[ -s $work/man.$c ]] || fail "the page has no section for '$c'"
    for f in $(flags_of "$c"); do
        grep -qE -- "^ +$f( |$)" "$work/man.$c" || fail "the page lacks $f under '$c'"
    done
done
grep -q "^EXIT STATUS" "$work/man.txt" || fail "the page has no EXIT STATUS"

# The completion, in a real bash: every command, every flag of each, a choice's values.
complete_words() { # complete_words WORD... : what the completion offers for the last word
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _txstorm; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$completion" "$@"
}
bash -c "source '$completion'; complete -p txstorm" >/dev/null || fail "the completion does not register for txstorm"
offered=$(complete_words txstorm "")
for c in "${commands[@]}"; do grep -qx "$c" <<<"$offered" || fail "the completion does not offer '$c'"; done
for c in "${commands[@]}"; do
    offered=$(complete_words txstorm "$c" --)
    for f in $(flags_of "$c"); do grep -qx -- "$f" <<<"$offered" || fail "the completion lacks $f for '$c'"; done
done
[[ $(complete_words txstorm run --isolation read | tr '\n' ' ') == "read-committed " ]] ||
    fail "the completion does not offer --isolation's values"

# The package: cpack from the same build.
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1) ||
    { cat "$work/cpack.log" >&2; fail "cpack -G DEB"; }
deb=$(ls "$work"/pkg/*.deb)
[[ $(dpkg-deb -f "$deb" Version) == "${version#txstorm }" ]] || fail "package version $(dpkg-deb -f "$deb" Version), binary $version"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libpq5 libjansson4 libmicrohttpd12 libc6; do
    grep -q "\b$lib\b" <<<"$depends" || fail "the package does not depend on $lib: $depends"
done
grep -q gnuplot <<<"$(dpkg-deb -f "$deb" Recommends)" || fail "the package does not recommend gnuplot"
dpkg-deb -c "$deb" >"$work/contents"
for f in ./usr/bin/txstorm ./usr/share/man/man1/txstorm.1.gz ./usr/share/bash-completion/completions/txstorm; do
    grep -q " $f$" "$work/contents" || fail "the package lacks $f"
done
# Its files run where they land, and its dependencies resolve here (simulated install).
dpkg-deb -x "$deb" "$work/root"
[[ $("$work/root/usr/bin/txstorm" --version) == "$version" ]] || fail "the packaged binary does not run"
apt-get install -s "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "the package's dependencies do not resolve"; }
echo "ok: $version; $(basename "$deb"); Depends: $depends"
