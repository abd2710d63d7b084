module github.com/rawkafka/rawkafka

go 1.24

require (
	github.com/klauspost/compress v1.19.2
	github.com/pierrec/lz4/v4 v4.1.33
)
