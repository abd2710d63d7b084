// Package fuzz holds rawkafka's fuzz targets: one per decoder of protocol,
// seeded from the wire bytes captured from real brokers in testdata/fixtures,
// and FuzzCRC32C, which checks the batch checksum against hash/crc32.
//
// `go test ./fuzz/` runs every seed (CI does). To fuzz one target longer:
//
//	go test ./fuzz/ -run '^$' -fuzz '^FuzzFetchResponse$' -fuzztime 10m -timeout 0
//
// or `make fuzz FUZZTIME=10m` for all of them in turn (scripts/fuzz).
package fuzz
