//go:build linux

package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/portalkit/portalkit/client"
)

// TestReadyzFollowsWrites runs the reference server on an SQLite file and
// takes its writes away while it runs, in two ways: /readyz answers 503
// while writes fail (and so does a write, with 500), though the process is
// alive (/healthz 200) and the database still reads; once writes work again,
// /readyz answers 200 and writes succeed, from the same process.
//
// How writes are taken away matters, because the server holds its database
// files open: a mode change (chmod 0444) stops only later opens, so the
// server would go on writing through the descriptors it has, as root or
// not. Each way below stops writes through open descriptors too:
//
//   - read-only files: chattr +i on the database and its -wal file (not on
//     -shm, which SQLite maps into memory: a store to an immutable mapping
//     is SIGBUS, which kills the server). Setting the flag needs root
//     (CAP_LINUX_IMMUTABLE) and a file system that has it; the subtest
//     skips, saying why, where it cannot.
//   - no room to write: the server's file size limit (RLIMIT_FSIZE, set
//     with prlimit, which needs no privilege for one's own processes) is
//     lowered to 0, so each write to a file fails with EFBIG, as on a full
//     disk with ENOSPC. The server ignores the SIGXFSZ that comes with it,
//     as Go programs do.
func TestReadyzFollowsWrites(t *testing.T) {
	t.Parallel()
	bin := serverBinary(t)
	for _, tc := range []struct {
		name string
		// can skips t when this way is not available here.
		can func(t *testing.T)
		// block takes the writes of the server r, whose database is at
		// path, away and returns what gives them back.
		block func(t *testing.T, r *replica, path string) (unblock func())
	}{
		{"read-only files", canChattr, readOnlyFiles},
		{"no room to write", func(*testing.T) {}, noRoomToWrite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // a server each
			tc.can(t)
			path := filepath.Join(t.TempDir(), "portal.db")
			r := startReplica(t, bin, migrated(t, path), "")
			require.NotEmpty(t, r.key, "a new database prints its owner key:\n%s", r.output())
			staff := r.client(t, client.WithAPIKey(r.key))
			ctx := t.Context()
			get := func(route string) int {
				res, err := http.Get(r.url + route)
				require.NoError(t, err)
				_ = res.Body.Close()
				return res.StatusCode
			}
			createCustomer := func(name string) int {
				res, err := staff.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{Name: name})
				require.NoError(t, err)
				return res.StatusCode()
			}
			require.Equal(t, http.StatusOK, get("/readyz"))
			require.Equal(t, http.StatusCreated, createCustomer("Before"))

			unblock := tc.block(t, r, path)
			require.Eventually(t, func() bool { return get("/readyz") == http.StatusServiceUnavailable },
				30*time.Second, 20*time.Millisecond, "/readyz turns 503 when writes fail:\n%s", r.output())
			assert.Equal(t, http.StatusInternalServerError, createCustomer("During"), "a write fails")
			assert.Equal(t, http.StatusOK, get("/healthz"), "the process is alive")
			list, err := client.Check(staff.ListCustomersWithResponse(ctx, nil))
			require.NoError(t, err, "reads still work")
			assert.Len(t, list.JSON200.Items, 1)

			unblock()
			require.Eventually(t, func() bool { return get("/readyz") == http.StatusOK },
				30*time.Second, 20*time.Millisecond, "/readyz turns 200 again without a restart:\n%s", r.output())
			assert.Equal(t, http.StatusCreated, createCustomer("After"), "writes work again")
			assert.Nil(t, r.cmd.ProcessState, "the same process, never restarted")
		})
	}
}

// canChattr skips t unless it runs as root with chattr at hand.
func canChattr(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("read-only files: chattr +i needs root, and chmod 0444 would not stop the server writing through the descriptors it holds; \"no room to write\" takes writes away without root")
	}
	if _, err := exec.LookPath("chattr"); err != nil {
		t.Skipf("read-only files: chattr is not installed (%v)", err)
	}
}

// readOnlyFiles makes the database at path and its WAL immutable.
func readOnlyFiles(t *testing.T, _ *replica, path string) func() {
	t.Helper()
	files := []string{path, path + "-wal"}
	for _, f := range files {
		_, err := os.Stat(f)
		require.NoError(t, err, "the server holds %s open", f)
	}
	if out, err := exec.Command("chattr", append([]string{"+i"}, files...)...).CombinedOutput(); err != nil {
		t.Skipf("read-only files: chattr +i failed (no CAP_LINUX_IMMUTABLE, or a file system without the flag): %v: %s", err, out)
	}
	unblock := sync.OnceFunc(func() {
		out, err := exec.Command("chattr", append([]string{"-i"}, files...)...).CombinedOutput()
		assert.NoError(t, err, "chattr -i: %s", out)
	})
	// Before the server stops and the directory is removed, whatever
	// happens in between.
	t.Cleanup(unblock)
	return unblock
}

// noRoomToWrite lowers the file size limit of the server r to 0.
func noRoomToWrite(t *testing.T, r *replica, _ string) func() {
	t.Helper()
	pid := r.cmd.Process.Pid
	var old unix.Rlimit
	require.NoError(t, unix.Prlimit(pid, unix.RLIMIT_FSIZE, nil, &old))
	require.NoError(t, unix.Prlimit(pid, unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 0, Max: old.Max}, nil))
	unblock := sync.OnceFunc(func() {
		assert.NoError(t, unix.Prlimit(pid, unix.RLIMIT_FSIZE, &old, nil))
	})
	t.Cleanup(unblock)
	return unblock
}
