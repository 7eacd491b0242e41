#!/usr/bin/env bash
# The whole test suite: every Go module in the repository, vetted and
# tested. Needs only Go; what tests need beyond it (Mailpit, the OpenID
# provider, the Stytch SDK) is fetched and built by the tests themselves
# through the Go module proxy. Browser tests also need Chromium, and are
# skipped without it:
#
#   LATCH_TEST_BROWSER=1   fails them instead when Chromium is missing.
#   LATCH_CHROMIUM=PATH    a Chromium binary other than /usr/bin/chromium.
#
#   LATCH_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable
#       also runs every store and flow test on PostgreSQL.
#   LATCH_TEST_FLAGS="-race"   extra flags for go test.
set -euo pipefail
cd "$(dirname "$0")/.."

modules=(. compat examples/consumer-login examples/b2b-discovery)
status=0
for m in "${modules[@]}"; do
  [ -f "$m/go.mod" ] || continue
  echo "== $m"
  unformatted=$(cd "$m" && gofmt -l . | grep -v '^tools/' || true)
  if [ -n "$unformatted" ]; then
    echo "gofmt needed in: $unformatted"
    status=1
  fi
  (cd "$m" && go vet ./...) || status=1
  # The other modules run a latch binary built at test time, which go
  # test's cache cannot see: never reuse their cached results.
  fresh=""
  [ "$m" = . ] || fresh="-count=1"
  # shellcheck disable=SC2086
  (cd "$m" && go test ${LATCH_TEST_FLAGS:-} $fresh ./...) || status=1
done
exit $status
