#!/usr/bin/env bash
# Runs every AutoVolt test. On a fresh Debian machine as root it first installs what the tests
# need (PostgreSQL server binaries, mosquitto, Chromium) with apt-get; the tests start their own
# PostgreSQL cluster and brokers on free loopback ports. Ends with "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto mosquitto-clients)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null \
      || { echo "apt-get install ${need[*]} failed"; exit 1; }
  else
    echo "Missing system packages: ${need[*]} (install them, or run this script as root on Debian/Ubuntu)"; exit 1
  fi
fi

results="$(pwd)/TestResults"
rm -rf "$results"
dotnet build AutoVolt.Blazor.sln -c Debug -nologo -v q || { echo "0 passed, 1 failed (build failed)"; exit 1; }
dotnet test AutoVolt.Blazor.sln --no-build -nologo --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*' "$trx" | head -n 1)
  val() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(val passed)))
  failed=$((failed + $(val failed) + $(val error) + $(val timeout) + $(val aborted)))
  skipped=$((skipped + $(val notExecuted)))
done
# A test that fails once and passes on an immediate rerun is reported by name as flaky (never hidden); a test
# that fails twice fails the run. Only a handful of failures are rerun: more than that is not flakiness.
rerun_note=""
if [ "$failed" -gt 0 ] && [ "$failed" -le 3 ]; then
  mapfile -t flaky < <(grep -ho '<UnitTestResult [^>]*outcome="Failed"' "$results"/*.trx | grep -o 'testName="[^"]*"' \
    | sed -e 's/^testName="//' -e 's/"$//' -e 's/(.*//' | sort -u)
  if [ ${#flaky[@]} -gt 0 ]; then
    filter=$(printf 'FullyQualifiedName~%s|' "${flaky[@]}"); filter=${filter%|}
    echo "Rerunning ${#flaky[@]} failed test(s) once: ${flaky[*]}"
    if dotnet test AutoVolt.Web.Tests --no-build -nologo --filter "$filter"; then
      passed=$((passed + failed)); failed=0; status=0
      rerun_note=" (flaky, passed on rerun: ${flaky[*]})"
    fi
  fi
fi
echo "$passed passed, $failed failed, $skipped skipped$rerun_note"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
summary=$?
[ $status -eq 0 ] && [ $summary -eq 0 ]
