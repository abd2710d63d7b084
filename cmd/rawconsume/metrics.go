package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/rawkafka/rawkafka"
)

// serveMetrics serves c's metrics (Consumer.WritePrometheus) on
// http://addr/metrics while the run consumes (--metrics-addr), and says
// where on errOut unless quiet: with port 0, that line is the only way to
// learn the port. A listen error ends the run before it consumes. stop
// shuts the server down, waiting at most a second for scrapes in progress.
func serveMetrics(addr string, c *rawkafka.Consumer, errOut io.Writer, quiet bool) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		c.WritePrometheus(w) // a write error is the scraper gone
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if !quiet {
		fmt.Fprintf(errOut, "%% Metrics on http://%s/metrics\n", ln.Addr())
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && !quiet {
			fmt.Fprintf(errOut, "%% Metrics server: %v\n", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, nil
}
