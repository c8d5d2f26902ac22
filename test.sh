#!/usr/bin/env bash
# README.md's test command. Installs what a fresh Debian/Ubuntu machine lacks (CONTRIBUTING.md says why each tool),
# builds, runs every test tier, and fails if a tier failed or ran no tests. The last line is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "error: $*" >&2; exit 1; }

if [ ! -d ../shared/fixtures/toml-test ] || [ ! -d ../shared/fixtures/real-world ]; then
  die "../shared/fixtures is missing: the tests read the TOML suite and the real-world locks from a shared folder" \
      "beside this clone ($(cd .. && pwd)/shared/fixtures/{toml-test,real-world})."
fi

moto_spec='moto[server]>=5'
# Debian's own python3 refuses pip installs (PEP 668), so moto goes into a venv of its own and only its
# moto_server onto PATH: the tests' python3 stays the system one.
moto_home=${XDG_DATA_HOME:-$HOME/.local/share}/uvlambda-moto
if [ -x "$moto_home/bin/moto_server" ]; then export PATH="$moto_home/bin:$PATH"; fi

has() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || return 1; done; }
have_wheel() { compgen -G "/usr/share/python-wheels/$1-*-py3-none-any.whl" >/dev/null; }
# pyenv shims and pip scripts can be on PATH and still not run, so Python tools are run, not just found.
runs() { "$@" >/dev/null 2>&1; }
# The local-run tests need a CPython 3.13, found as UvLambda finds it: python3.13 on PATH, else in pyenv.
have_python313() { runs python3.13 -c '' || compgen -G "${PYENV_ROOT:-$HOME/.pyenv}/versions/3.13.*/bin/python3.13" >/dev/null; }
# True for a Python whose packages belong to the OS (or for no python3 yet: apt installs Debian's).
managed_python() {
  ! has python3 || python3 -c 'import os, sys, sysconfig
sys.exit(sys.prefix != sys.base_prefix or not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))' 2>/dev/null
}

# Fills missing (tool names), apt (Debian packages), pip (what the moto step installs) and manual (how to get the rest).
check() {
  missing=() apt=() pip=() manual=()
  need() { # need PACKAGE TOOL CHECK... (PACKAGE: a Debian package, "pip", or "manual:<how to get it>")
    local pkg=$1 tool=$2; shift 2
    if "$@"; then return; fi
    missing+=("$tool")
    case $pkg in
      pip) pip+=("$tool") ;;
      manual:*) manual+=("$tool: ${pkg#manual:}") ;;
      *) if [[ " ${apt[*]} " != *" $pkg "* ]]; then apt+=("$pkg"); fi ;;
    esac
  }
  need "manual:install the .NET SDK global.json names (10.0.100 or later), https://dotnet.microsoft.com/download" dotnet has dotnet
  need "manual:no Debian 12 package; 'uv python install 3.13', 'pyenv install 3.13', or Ubuntu's deadsnakes python3.13" \
    python3.13 have_python313
  need git git has git
  need python3 python3 has python3
  need python3 /usr/bin/python3 test -x /usr/bin/python3
  need python3.11 python3.11 runs python3.11 -c ''
  need unzip unzip has unzip
  need unzip zipinfo has zipinfo
  need binutils readelf has readelf
  need python3-pip-whl pip-wheel have_wheel pip
  need python3-setuptools-whl setuptools-wheel have_wheel setuptools
  need python3-wheel-whl wheel-wheel have_wheel wheel
  need docker-registry /usr/bin/docker-registry test -x /usr/bin/docker-registry
  need skopeo skopeo has skopeo
  need umoci umoci has umoci
  need apache2-utils htpasswd has htpasswd
  need awscli aws runs aws --version
  local moto=true
  runs moto_server -h || moto=false
  if managed_python; then
    need python3-botocore botocore runs python3 -c 'import botocore'
    if ! $moto; then need python3-venv python3-venv runs python3 -c 'import ensurepip, venv'; fi
  else
    need pip botocore runs python3 -c 'import botocore'
    if [ ${#pip[@]} -gt 0 ] || ! $moto; then need python3-pip "pip (python3 -m pip)" runs python3 -m pip --version; fi
  fi
  need pip moto_server $moto
}

# The command that installs what pip lists, into python3 or (for the OS's Python) into moto's own venv.
pip_command() {
  if managed_python; then
    echo "python3 -m venv '$moto_home/venv' && '$moto_home/venv/bin/pip' install '$moto_spec'" \
         "&& mkdir -p '$moto_home/bin' && ln -sf ../venv/bin/moto_server '$moto_home/bin/moto_server'"
  else
    local specs=() p
    for p in "${pip[@]}"; do
      if [ "$p" = moto_server ]; then specs+=("'$moto_spec'"); else specs+=("$p"); fi
    done
    echo "python3 -m pip install ${specs[*]}"
  fi
}

check
as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo -n); fi
can_apt() { has apt-get && { [ ${#as_root[@]} -eq 0 ] || { has sudo && sudo -n true 2>/dev/null; }; }; }
if [ ${#manual[@]} -gt 0 ] || { [ ${#apt[@]} -gt 0 ] && ! can_apt; }; then
  {
    echo "error: the tests need tools this machine lacks: ${missing[*]}"
    echo "Install them, then run ./test.sh again:"
    if [ ${#apt[@]} -gt 0 ]; then echo "  sudo apt-get update && sudo apt-get install -y ${apt[*]}"; fi
    if [ ${#pip[@]} -gt 0 ]; then echo "  $(pip_command)"; fi
    for m in "${manual[@]}"; do echo "  $m"; done
  } >&2
  exit 1
fi
if [ ${#apt[@]} -gt 0 ]; then
  echo "Installing ${apt[*]} (for ${missing[*]})"
  "${as_root[@]}" apt-get update -qq || die "apt-get update failed (output above)."
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt[@]}" ||
    die "apt-get could not install ${apt[*]} (output above)."
  hash -r
  check
fi
if [ ${#pip[@]} -gt 0 ]; then
  cmd=$(pip_command)
  echo "Installing ${pip[*]}: $cmd"
  # One retry and a short timeout: with no reachable index this fails in seconds, not minutes.
  if ! PIP_RETRIES=1 PIP_TIMEOUT=20 PIP_DISABLE_PIP_VERSION_CHECK=1 bash -c "$cmd"; then
    die "could not install ${pip[*]} (is a package index reachable?). The deploy tests run AWS against moto 5's" \
        "moto_server; install it and run ./test.sh again: $cmd"
  fi
  if [ -x "$moto_home/bin/moto_server" ]; then export PATH="$moto_home/bin:$PATH"; fi
  if has pyenv; then pyenv rehash || true; fi
  hash -r
  check
fi
if [ ${#missing[@]} -gt 0 ]; then die "still missing after installing: ${missing[*]}"; fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1

dotnet build UvLambda.Build.sln -c Release || die "the build failed (errors above)."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test UvLambda.Build.sln -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# VSTest's summary line per assembly: "Passed!  - Failed: 0, Passed: 57, Skipped: 0, Total: 57, Duration: 2 s - X.dll (net10.0)".
summary=$(grep -E '^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+, Total: +[0-9]+, .* - [^ ]+\.dll ' "$log" || true)
count() { grep -oE "$1: +[0-9]+" | awk '{s += $2} END {print s + 0}'; }
passed=$(count Passed <<<"$summary")
failed=$(count Failed <<<"$summary")

problems=()
if [ "$status" -ne 0 ]; then problems+=("dotnet test exited with $status"); fi
# A tier with no summary line, or one that passed nothing, did not run: it must not count as green.
for assembly in UvLambda.Core.Tests UvLambda.Build.Tasks.Tests UvLambda.Sdk.Tests UvLambda.EndToEnd.Tests; do
  line=$(grep -F " - $assembly.dll " <<<"$summary" || true)
  if [ -z "$line" ]; then
    problems+=("$assembly reported no result")
  elif [ "$(count Passed <<<"$line")" -eq 0 ]; then
    problems+=("$assembly passed no tests")
  fi
done
for p in "${problems[@]}"; do echo "error: $p" >&2; done
echo "${passed} passed, ${failed} failed"
if [ ${#problems[@]} -gt 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
