package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

// row is one scenario's figures on one server.
type row struct {
	Scenario string `json:"scenario"`
	Server   string `json:"server"` // portalkit, floor or ceiling
	loadResult
	// CPUCores is the server's CPU time over the measured window's wall time:
	// 2.0 on this 2-core machine means both cores were busy serving.
	CPUCores   float64 `json:"server_cpu_cores"`
	PeakRSSMiB float64 `json:"server_peak_rss_mib"`
	// Webhooks is the delivery side of the place-hooked scenario.
	Webhooks *hookResult `json:"webhooks,omitempty"`
}

// report is the whole run, written as JSON for machines.
type report struct {
	Started  time.Time      `json:"started"`
	Machine  machine        `json:"machine"`
	Data     dataSize       `json:"data"`
	Load     loadDescriptor `json:"load"`
	Rows     []row          `json:"rows"`
	Failures []string       `json:"failures,omitempty"`
}

type machine struct {
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

type loadDescriptor struct {
	Conns    int     `json:"conns"`
	Warmup   float64 `json:"warmup_s"`
	Duration float64 `json:"duration_s"`
}

// find returns the row of scenario on server, if measured.
func (r *report) find(scenario, server string) (row, bool) {
	for _, x := range r.Rows {
		if x.Scenario == scenario && x.Server == server {
			return x, true
		}
	}
	return row{}, false
}

// printTable writes the table: every portalkit figure beside its floor
// figure and as a ratio of it.
func (r *report) printTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tserver\treq/s\tvs floor\tp50 ms\tp95 ms\tp99 ms\tunexpected\tcpu cores\tcpu µs/req\tpeak RSS MiB\t")
	for _, x := range r.Rows {
		ratio := "—"
		if f, ok := r.find(x.Scenario, "floor"); ok && x.Server != "floor" && f.RPS > 0 {
			ratio = fmt.Sprintf("%.2f", x.RPS/f.RPS)
		}
		perReq := 0.0
		if x.RPS > 0 {
			perReq = x.CPUCores / x.RPS * 1e6
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%.2f\t%.2f\t%.2f\t%d\t%.2f\t%.0f\t%.0f\t\n",
			x.Scenario, x.Server, x.RPS, ratio, x.P50ms, x.P95ms, x.P99ms, x.Unexpected+x.Errors, x.CPUCores, perReq, x.PeakRSSMiB)
	}
	_ = tw.Flush()
	for _, f := range r.Failures {
		fmt.Fprintln(w, "FAIL:", f)
	}
}

// writeJSON writes the report to path.
func (r *report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
