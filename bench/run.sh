#!/usr/bin/env bash
# The pg_clone benchmark is bench/run.py (see bench/README.md); this keeps `bash bench/run.sh` working.
exec python3 "$(dirname "${BASH_SOURCE[0]}")/run.py" "$@"
