# Convenience targets; each is a one-line wrapper so the commands stay
# runnable without make.

.PHONY: run test test-postgres bench build

run:            ## run Latch on SQLite with the dev inbox and a test project
	go run ./cmd/latch

build:
	go build -o bin/latch ./cmd/latch

test:           ## the whole suite, every module
	./scripts/test.sh

test-postgres:  ## the whole suite, also on the local PostgreSQL
	LATCH_TEST_POSTGRES_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' ./scripts/test.sh

bench:          ## HTTP benchmarks, see BENCHMARKS.md
	./scripts/bench.sh
