package main

import (
	"bytes"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestRunAttachments attaches files to a ticket through the running
// server: they land in portalkit-files beside the database, download as
// they were uploaded, and --max-file-mib bounds them (413 beyond).
func TestRunAttachments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := start(t, dir, "--max-file-mib", "1")
	staff, err := client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	ctx := t.Context()
	c, err := client.Check(staff.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{
		Name: "Acme GmbH", Features: &client.FeaturesPatch{Tickets: &[]bool{true}[0]},
	}))
	require.NoError(t, err)
	tk, err := client.Check(staff.OpenTicketWithResponse(ctx, c.JSON201.Id, nil, client.OpenTicketRequest{Type: "generic", Subject: "Help"}))
	require.NoError(t, err)
	cid, tid := c.JSON201.Id, tk.JSON201.Id

	report := []byte(strings.Repeat("The screen flickers.\n", 1000))
	ct, body := client.FileUpload("report.txt", bytes.NewReader(report))
	att, err := client.Check(staff.AttachToTicketWithBodyWithResponse(ctx, cid, tid, ct, body))
	require.NoError(t, err)
	assert.Equal(t, "text/plain; charset=utf-8", att.JSON201.ContentType)
	got, err := client.Check(staff.DownloadTicketAttachmentWithResponse(ctx, cid, tid, att.JSON201.Id))
	require.NoError(t, err)
	assert.Equal(t, report, got.Body)
	ct, body = client.FileUpload("big.txt", bytes.NewReader(bytes.Repeat([]byte("a"), 1<<20+1)))
	res, err := staff.AttachToTicketWithBodyWithResponse(ctx, cid, tid, ct, body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode(), "%s", res.Body)
	list, err := client.Check(staff.ListTicketAttachmentsWithResponse(ctx, cid, tid))
	require.NoError(t, err)
	assert.Len(t, list.JSON200.Items, 1)
	files, err := filepath.Glob(filepath.Join(dir, "portalkit-files", "fil_*"))
	require.NoError(t, err)
	var kept [][]byte
	for _, f := range files {
		if !strings.HasSuffix(f, ".attrs") { // the driver's metadata beside it
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			kept = append(kept, b)
		}
	}
	assert.Equal(t, [][]byte{report}, kept, "the file is kept beside the database; the refused one is not")
}

// TestMaxFileFlag reads --max-file-mib and its variable, and refuses
// sizes outside 1 to 1024 MiB.
func TestMaxFileFlag(t *testing.T) {
	t.Parallel()
	parse := func(args []string, env map[string]string) (config, error) {
		fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return parseFlags(fs, args, func(k string) string { return env[k] })
	}
	cfg, err := parse(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, 10, cfg.maxFileMiB)
	cfg, err = parse(nil, map[string]string{"PORTALKIT_MAX_FILE_MIB": "25"})
	require.NoError(t, err)
	assert.Equal(t, 25, cfg.maxFileMiB)
	cfg, err = parse([]string{"--max-file-mib", "2"}, map[string]string{"PORTALKIT_MAX_FILE_MIB": "25"})
	require.NoError(t, err)
	assert.Equal(t, 2, cfg.maxFileMiB)
	for _, bad := range []string{"0", "1025", "-1"} {
		_, err = parse([]string{"--max-file-mib", bad}, nil)
		assert.ErrorContains(t, err, "--max-file-mib", bad)
	}
	_, err = parse(nil, map[string]string{"PORTALKIT_MAX_FILE_MIB": "ten"})
	assert.Error(t, err)
}
