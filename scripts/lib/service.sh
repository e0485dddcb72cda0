#!/usr/bin/env bash
# Sourced by the service scripts (scripts/redis, scripts/proxy), which set SERVICE (their name in messages)
# first: finding a Debian program, whose process is ours, stopping it, and the up|down|status dispatch.

say() { echo "${SERVICE:-service}: $*"; }
die() {
  echo "${SERVICE:-service}: $*" >&2
  exit 1
}

DEBIAN_CACHE_DIR="${DEBIAN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rts-debian}"

# service_dir DIR: creates DIR if needed and prints its absolute path.
service_dir() {
  mkdir -p "$1" && (cd "$1" && pwd)
}

# debian_program PROGRAM PACKAGE...: prints the path of PROGRAM. An installed one (PATH, /usr/sbin) is used
# as it is. Otherwise PACKAGE... and the shared libraries they need that are not installed are fetched with
# `apt-get download` and unpacked with `dpkg -x` into DEBIAN_CACHE_DIR (outside git, kept between runs):
# nothing is installed system-wide, no service starts, no root is needed (except for `apt-get update` on a
# machine that never ran it). Run the program with `debian_run`, which points the loader at the cache.
debian_program() {
  local program="$1"
  shift
  local found
  found="$(PATH="$PATH:/usr/sbin:/sbin" command -v "$program" 2>/dev/null)" && { echo "$found"; return 0; }
  local root="$DEBIAN_CACHE_DIR/$1/root"
  for dir in usr/sbin usr/bin sbin bin; do
    [[ -x "$root/$dir/$program" ]] && { echo "$root/$dir/$program"; return 0; }
  done
  debian_unpack "$DEBIAN_CACHE_DIR/$1" "$@" >&2 || return 1
  for dir in usr/sbin usr/bin sbin bin; do
    [[ -x "$root/$dir/$program" ]] && { echo "$root/$dir/$program"; return 0; }
  done
  echo "debian_program: $program is not in ${*}" >&2
  return 1
}

# debian_run PROGRAM_PATH ARGS...: runs a program that debian_program found, with the cache's libraries.
debian_run() {
  case "$1" in
    "$DEBIAN_CACHE_DIR"/*)
      local relative="${1#"$DEBIAN_CACHE_DIR"/}"
      local root="$DEBIAN_CACHE_DIR/${relative%%/*}/root"
      LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu:$root/usr/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"
      ;;
    *) "$@" ;;
  esac
}

# debian_unpack DIR PACKAGE...: fetches the packages and their missing lib* dependencies into DIR/root.
debian_unpack() {
  local dir="$1"
  shift
  command -v apt-get >/dev/null || { echo "debian: apt-get not found; install $* by hand" >&2; return 1; }
  mkdir -p "$(dirname "$dir")"
  local work
  work="$(mktemp -d "$dir.XXXXXX")"
  mkdir -p "$work/debs" "$work/root"
  echo "debian: fetching $* into $dir (apt-get download, dpkg -x)"
  local queue=("$@") seen=" " package dep updated=0
  while [[ "${#queue[@]}" -gt 0 ]]; do
    package="${queue[0]}"
    queue=("${queue[@]:1}")
    [[ "$seen" == *" $package "* ]] && continue
    seen+="$package "
    if ! (cd "$work/debs" && apt-get download -qq "$package" 2>/dev/null); then
      # No package lists yet (a fresh machine): they need root to fetch.
      if [[ "$updated" = 0 && "$(id -u)" = 0 ]]; then
        apt-get update -qq >/dev/null && updated=1
        (cd "$work/debs" && apt-get download -qq "$package") || { rm -rf "$work"; return 1; }
      else
        echo "debian: apt-get download $package failed (run 'apt-get update' as root once)" >&2
        rm -rf "$work"
        return 1
      fi
    fi
    for dep in $(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
      --no-enhances "$package" 2>/dev/null | awk '/^ *\|?(Pre)?Depends: [^<]/ { sub(/:.*/, "", $2); print $2 }'); do
      [[ "$dep" == lib* ]] || continue # the program's shared libraries; its configs and scripts are not needed
      dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'install ok installed' && continue
      queue+=("$dep")
    done
  done
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$work/root"; done
  rm -rf "$work/debs"
  # Another run may have unpacked the same meanwhile: keep the first.
  mv -T "$work" "$dir" 2>/dev/null || rm -rf "$work"
}

# pid_from FILE PATTERN: the pid in FILE, only if that process lives and its command line matches the glob
# PATTERN (a recycled pid is never taken for ours).
pid_from() {
  [[ -f "$1" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$1")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # shellcheck disable=SC2053  # $2 is a glob on purpose
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == $2 ]] || return 1
  echo "$pid"
}

# stop_pid PID SIGNAL: sends SIGNAL, waits up to 5 s, then SIGKILL.
stop_pid() {
  kill "-$2" "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
}

# service_main COMMAND: runs cmd_up, cmd_down or cmd_status of the sourcing script.
service_main() {
  case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *)
      echo "usage: $0 {up|down|status}" >&2
      exit 2
      ;;
  esac
}
