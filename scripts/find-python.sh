#!/usr/bin/env bash
# Usage: find-python.sh 3.10|3.11 — prints the path of a working interpreter of that version.
# Order: $PYTHON310 / $PYTHON311, a python3.X on PATH, then pyenv's 3.X. A pyenv shim named python3.X exists
# even when that version is not the active one and fails when run, so every candidate is run before it is chosen.
set -u
version=${1:?usage: find-python.sh 3.10|3.11}
override_var="PYTHON${version/./}"
override=${!override_var:-}
works() {
  [ -n "$1" ] && "$1" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$version'" >/dev/null 2>&1
}

if [ -n "$override" ]; then
  if works "$override"; then echo "$override"; exit 0; fi
  echo "$override_var=$override is not a working Python $version interpreter." >&2
  exit 1
fi
candidate=$(command -v "python$version" 2>/dev/null || true)
if works "$candidate"; then echo "$candidate"; exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  prefix=$(pyenv prefix "$version" 2>/dev/null | head -n1 || true)
  if works "$prefix/bin/python"; then echo "$prefix/bin/python"; exit 0; fi
fi
cat >&2 <<MSG
No working Python $version found (Rasa 3.6 needs exactly 3.10; the rest of the project uses 3.11).
Install one of:
  - Debian/Ubuntu: apt-get install python$version python$version-venv (deadsnakes PPA on Ubuntu)
  - pyenv: pyenv install $version
then run make again, or name the interpreter: make run $override_var=/path/to/python$version
MSG
exit 1
