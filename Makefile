# The two commands a fresh machine needs:
#   make run    start a local Kafka broker, produce sample records, consume them with rawconsume
#   make test   run every test (installs what it needs, starts and stops its own brokers)

.PHONY: run test build broker-stop fuzz bench bench-clients

build:
	go build -o bin/rawconsume ./cmd/rawconsume

run: build
	@scripts/deps
	@scripts/kafka start >/dev/null
	@scripts/sample-data $$(scripts/kafka bootstrap)
	bin/rawconsume -L -b $$(scripts/kafka bootstrap) -t rawkafka-sample
	bin/rawconsume -b $$(scripts/kafka bootstrap) -t rawkafka-sample -o beginning -e \
		-f 'partition %p offset %o key %k: %s\n'

test:
	scripts/test

broker-stop:
	scripts/kafka stop

# Run every fuzz target for FUZZTIME each (default 1m): see fuzz/README.md.
fuzz:
	scripts/fuzz $(FUZZTIME)

bench:
	go test -run '^$$' -bench . -benchmem ./protocol/... ./conn/

# rawkafka against franz-go and librdkafka on a broker of its own: see BENCHMARKS.md.
bench-clients:
	bench/run
