// Command report turns the JSON lines that drain printed (one per run, with
// a "dataset" field added by bench/run) into a Markdown table: per dataset
// and client, the median and best records/s, the median MB/s, and the median
// CPU seconds per million records, with franz-go as the reference.
//
//	report results.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

type run struct {
	Dataset   string  `json:"dataset"`
	Client    string  `json:"client"`
	Records   int64   `json:"records"`
	Bytes     int64   `json:"bytes"`
	RecPerS   float64 `json:"records_per_s"`
	MBPerS    float64 `json:"mb_per_s"`
	CPUPerM   float64 `json:"cpu_s_per_m"`
	MaxRSSMiB float64 `json:"max_rss_mib"`
}

const reference = "franz"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: report results.jsonl")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	defer f.Close()
	var (
		datasets, clients []string
		runs              = map[[2]string][]run{}
		bytesOf           = map[string]int64{}
		mismatch          []string
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r run
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			fmt.Fprintf(os.Stderr, "report: %v: %s\n", err, line)
			os.Exit(1)
		}
		if !slices.Contains(datasets, r.Dataset) {
			datasets = append(datasets, r.Dataset)
		}
		if !slices.Contains(clients, r.Client) {
			clients = append(clients, r.Client)
		}
		if b, ok := bytesOf[r.Dataset]; ok && b != r.Bytes {
			mismatch = append(mismatch, fmt.Sprintf("%s: %s read %d key+value bytes, an earlier run %d", r.Dataset, r.Client, r.Bytes, b))
		}
		bytesOf[r.Dataset] = r.Bytes
		k := [2]string{r.Dataset, r.Client}
		runs[k] = append(runs[k], r)
	}

	fmt.Println("| dataset | client | runs | records/s median | records/s best | MB/s median | CPU s / M records (median) | max RSS MiB | vs franz-go records/s | vs franz-go CPU |")
	fmt.Println("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, d := range datasets {
		ref, haveRef := runs[[2]string{d, reference}]
		for _, c := range clients {
			rs := runs[[2]string{d, c}]
			if len(rs) == 0 {
				continue
			}
			rate := median(rs, func(r run) float64 { return r.RecPerS })
			cpu := median(rs, func(r run) float64 { return r.CPUPerM })
			vsRate, vsCPU := "", ""
			if haveRef && c != reference {
				vsRate = fmt.Sprintf("%.2f×", rate/median(ref, func(r run) float64 { return r.RecPerS }))
				vsCPU = fmt.Sprintf("%.2f×", cpu/median(ref, func(r run) float64 { return r.CPUPerM }))
			}
			fmt.Printf("| %s | %s | %d | %s | %s | %.1f | %.3f | %.0f | %s | %s |\n",
				d, c, len(rs), thousands(rate), thousands(best(rs)),
				median(rs, func(r run) float64 { return r.MBPerS }), cpu,
				median(rs, func(r run) float64 { return r.MaxRSSMiB }), vsRate, vsCPU)
		}
	}
	for _, m := range mismatch {
		fmt.Printf("\n**Runs disagree** — %s\n", m)
	}
	if len(mismatch) > 0 {
		os.Exit(1)
	}
}

func median(rs []run, f func(run) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func best(rs []run) float64 {
	b := 0.0
	for _, r := range rs {
		b = max(b, r.RecPerS)
	}
	return b
}

// thousands formats n as an integer with thin separators: 1,234,567.
func thousands(f float64) string {
	s := fmt.Sprintf("%d", int64(f+0.5))
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
