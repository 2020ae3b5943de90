package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is a server under test, running as a child process of portalbench
// (this same binary, `portalbench serve …`), so its CPU time and memory are
// its own and can be read from /proc.
type server struct {
	kind string
	base string // http://127.0.0.1:port
	cmd  *exec.Cmd
	done chan error
}

// startServer starts `portalbench serve --kind kind args…` and waits until
// it says where it listens.
func startServer(ctx context.Context, kind string, args ...string) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, append([]string{"serve", "--kind", kind, "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{kind: kind, cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), listeningPrefix); ok {
				addr <- a
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
		s.done <- cmd.Wait()
	}()
	select {
	case a := <-addr:
		s.base = "http://" + a
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("%s server exited before listening: %v", kind, err)
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s server did not start listening within 2 minutes", kind)
	}
}

// listeningPrefix starts the line a server child prints once it accepts connections.
const listeningPrefix = "portalbench: listening on "

// stop ends the server and waits for it.
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == -1 {
			return nil // ended by our signal
		}
		return err
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		return <-s.done
	}
}

// usage is the CPU time a process has used and its peak resident memory.
type usage struct {
	cpu     time.Duration
	peakRSS int64 // bytes
}

// clockTick is the unit of /proc/<pid>/stat's utime and stime: USER_HZ,
// which Linux fixes at 100 for user space on every architecture it runs.
const clockTick = 10 * time.Millisecond

// readUsage reads the process's CPU time (user + system) and peak RSS
// (VmHWM) from /proc.
func readUsage(pid int) (usage, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return usage{}, err
	}
	// The command name (field 2) may hold spaces; the fields after it start past its ')'.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return usage{}, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	st, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return usage{}, err
	}
	u := usage{cpu: time.Duration(ut+st) * clockTick}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return usage{}, err
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return usage{}, fmt.Errorf("/proc/%d/status VmHWM: %w", pid, err)
			}
			u.peakRSS = kb * 1024
		}
	}
	return u, nil
}

// resetPeakRSS makes VmHWM start again from the current RSS, so each
// scenario reports its own peak. It is best effort: without the right to
// write clear_refs the peak since start is reported.
func resetPeakRSS(pid int) {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}
