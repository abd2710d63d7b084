module github.com/rawkafka/rawkafka

go 1.24
