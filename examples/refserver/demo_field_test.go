package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The demo's primary customer's viewer signs in with the printed link and
// sees the sites of both sub-customers on the map; --tiles "" leaves the
// tiles out, the markers stay.
func TestRunDemoSiteMap(t *testing.T) {
	t.Parallel()
	s := start(t, t.TempDir(), "--demo", "--tiles", "")
	out := s.output()
	link := regexp.MustCompile(`vic@nordwind\.example.*\n\s+(http://\S+/access\?token=pa_\S+)`).FindStringSubmatch(out)
	require.NotNil(t, link, out)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(link[1])
	require.NoError(t, err)
	_ = resp.Body.Close()
	resp, err = browser.PostForm(s.url+"/access", nil)
	require.NoError(t, err)
	_ = resp.Body.Close()
	resp, err = browser.Get(s.url + "/sites")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	for _, site := range []string{"Berlin Zentrale", "Hamburg Hafen", "Bremen Überseestadt", "München Werksviertel", "Stuttgart Mitte"} {
		assert.Contains(t, string(body), site)
	}
	assert.Equal(t, 5, strings.Count(string(body), `class="marker"`), "a marker per site")
	assert.NotContains(t, string(body), "<image", "no tiles")
	assert.NotContains(t, string(body), "Acme GmbH", "another customer's sites are not on it")
	assert.NoError(t, s.shutdown(t))
}
