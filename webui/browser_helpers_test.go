package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/filestore"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/webui"
)

// The environment variables of the browser tests. .ci/run sets the first
// two; outside CI the tests skip what they cannot run (no Chromium: the
// browser tests; no axe-core: the accessibility checks).
const (
	// envCI set (to anything) makes a missing Chromium or axe-core fail
	// the tests instead of skipping them.
	envCI = "PORTALKIT_CI"
	// envAxe is the path of axe-core's axe.min.js.
	envAxe = "PORTALKIT_AXE_JS"
	// envScreenshots set to 1 writes the screenshots into docs/screenshots
	// of the repository instead of a temporary directory.
	envScreenshots = "PORTALKIT_SCREENSHOTS"
	// envChromium names the browser's binary; default the first of
	// chromium, chromium-browser, google-chrome on PATH.
	envChromium = "PORTALKIT_CHROMIUM"
)

// screenshotDir is where PORTALKIT_SCREENSHOTS=1 puts the screenshots,
// relative to this package's directory.
const screenshotDir = "../docs/screenshots"

// actionTimeout bounds one step in the browser (a page load, a click
// with its navigation, an accessibility check), so that a page that never
// comes fails its test at once rather than at go test's timeout.
const actionTimeout = 30 * time.Second

func inCI() bool { return os.Getenv(envCI) != "" }

// chrome is the one browser process of the package's tests, started by the
// first test that asks for it and stopped by TestMain.
var chrome struct {
	once   sync.Once
	ctx    context.Context // a chromedp context whose browser runs
	stop   func()
	dir    string // the profile directory
	skip   string // why there is no browser, when it is missing
	err    error  // why it did not start
	axe    string // axe-core's source, "" without it
	axeErr error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.stop != nil {
		chrome.stop()
	}
	if chrome.dir != "" {
		_ = os.RemoveAll(chrome.dir)
	}
	siteTemplate.remove()
	consoleTemplate.remove()
	os.Exit(code)
}

// findChromium returns the path of the browser, or "" when there is none.
func findChromium() string {
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	if p := os.Getenv(envChromium); p != "" {
		names = []string{p}
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func startChrome() {
	path := findChromium()
	if path == "" {
		chrome.skip = "no Chromium (apt-get install chromium, or name it in " + envChromium + ")"
		return
	}
	dir, err := os.MkdirTemp("", "portalkit-chromium-")
	if err != nil {
		chrome.err = err
		return
	}
	chrome.dir = dir
	// Without the background-networking flags Chromium calls home, and on
	// a closed network its connections are refused. The flags after them
	// turn off work the tests never look at, which otherwise costs more
	// CPU than the portal itself (measured on the stories, 163 -> 109 CPU
	// s, counting every Chromium process): a renderer per browser context
	// for the address bar's popups, a process per site (every page here is
	// one site), rasterizing on the software "GPU" the Debian launcher
	// turns on, and background services (translation, safe browsing,
	// phishing detection, hints, metrics).
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("disable-features", strings.Join([]string{
			"WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "site-per-process", "Translate",
			"OptimizationHints", "MediaRouter", "BackForwardCache", "AutofillServerCommunication",
		}, ",")),
	}
	for _, on := range []string{
		"disable-quic", "disable-background-networking", "disable-component-update", "disable-sync",
		"disable-dev-shm-usage", "disable-extensions", "hide-scrollbars", "mute-audio",
		"disable-site-isolation-trials", "disable-gpu-rasterization", "disable-client-side-phishing-detection",
		"safebrowsing-disable-auto-update", "disable-hang-monitor", "disable-default-apps",
		"metrics-recording-only", "disable-breakpad",
	} {
		opts = append(opts, chromedp.Flag(on, true))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	chrome.stop = func() { cancel(); cancelAlloc() }
	// The first Do starts the browser, bound to ctx, not to a test's.
	if err := chromedp.Do(ctx); err != nil {
		chrome.err = fmt.Errorf("starting %s: %w", path, err)
		return
	}
	chrome.ctx = ctx

	if p := os.Getenv(envAxe); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			chrome.axeErr = fmt.Errorf("%s: %w", envAxe, err)
		}
		chrome.axe = string(b)
	}
}

// chromium returns the context of the running browser. Without Chromium
// the test skips, or fails in CI.
func chromium(t *testing.T) context.Context {
	t.Helper()
	chrome.once.Do(startChrome)
	switch {
	case chrome.skip != "" && inCI():
		t.Fatalf("%s; CI (%s) runs the browser tests", chrome.skip, envCI)
	case chrome.skip != "":
		t.Skip(chrome.skip)
	case chrome.err != nil:
		t.Fatal(chrome.err)
	}
	return chrome.ctx
}

// liveSite is a running portal: the API at /v1/ and the pages at / on a free
// port, over SQLite in a temporary directory, with the outbox's mail
// delivered into a recorder.
type liveSite struct {
	URL  string
	p    *portal.Portal
	mail *portaltest.Recorder
	// staff sets things up and looks at them as the provider's owner,
	// where a story has no page for it.
	staff context.Context
	shots string // where screenshots go
}

func newLiveSite(t *testing.T, opts ...webui.Option) *liveSite {
	t.Helper()
	return newLiveSiteConfig(t, nil, opts...)
}

// newLiveSiteConfig is newLiveSite with the portal's configuration changed
// by configure, when not nil.
func newLiveSiteConfig(t *testing.T, configure func(*portal.Config), opts ...webui.Option) *liveSite {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	s := &liveSite{URL: "http://" + srv.Listener.Addr().String(), mail: &portaltest.Recorder{}}
	files, err := filestore.Open(t.Context(), (&url.URL{Scheme: "file", Path: t.TempDir()}).String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = files.Close() })
	s.p = portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) {
		// The browser keeps cookies by the real clock, so the sessions'
		// expiry must come from it too.
		c.Now = time.Now
		c.Files = files
		c.Mailer = s.mail
		c.Branding = mailer.Branding{ProductName: "Acme Portal", PublicBaseURL: s.URL}
		if configure != nil {
			configure(c)
		}
	})
	mux := http.NewServeMux()
	mux.Handle("/v1/", httpapi.NewHandler(s.p))
	mux.Handle("/", webui.New(s.p, append([]webui.Option{webui.WithBranding(webui.Branding{Name: "Acme Portal"})}, opts...)...))
	srv.Config.Handler = mux
	srv.Start()
	s.staff = portaltest.Owner(context.Background())
	s.shots = t.TempDir()
	if os.Getenv(envScreenshots) == "1" {
		s.shots = screenshotDir
		require.NoError(t, os.MkdirAll(s.shots, 0o755))
	}
	return s
}

// lastMail returns the last message of kind to the address; it fails the
// test when there is none.
func (s *liveSite) lastMail(t *testing.T, to string, kind portal.NotificationKind) portaltest.Mail {
	t.Helper()
	m, ok := s.mail.Last(to)
	require.True(t, ok, "no mail to %s", to)
	require.Equal(t, kind, m.Kind, "the last mail to %s: %q", to, m.Subject)
	require.NotEmpty(t, m.Link, "a %s mail without a link", kind)
	return m
}

// Viewports the pages are looked at in.
type viewport struct {
	name          string
	width, height int64
	phone         bool
}

var (
	desktop = viewport{"desktop", 1280, 800, false}
	phone   = viewport{"phone", 390, 844, true}
)

// visitor is one person at the browser: a tab in a browser context of its
// own, so that its cookies are its own. Every page it loads is checked
// with axe-core.
type visitor struct {
	t    *testing.T
	s    *liveSite
	ctx  context.Context
	name string
	// lastStatus is the HTTP status of the page loaded last, shared by
	// the copies that in makes for subtests.
	lastStatus *int64
	console    *devConsole
}

// devConsole keeps what a tab's pages report as errors: uncaught exceptions,
// console.error calls and the browser's own error entries, such as a
// resource refused by the Content Security Policy or not found.
type devConsole struct {
	mu     sync.Mutex
	errors []string
	notify chan struct{} // a token when an error comes
}

// listen collects ctx's tab's errors until ctx ends.
func (c *devConsole) listen(ctx context.Context) {
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			// Chromium asks every site for an icon; the pages name none.
			if strings.HasSuffix(m.URL, "/favicon.ico") {
				continue
			}
			text := m.String()
			if m.URL != "" {
				text += " (" + m.URL + ")"
			}
			c.mu.Lock()
			c.errors = append(c.errors, text)
			c.mu.Unlock()
			select {
			case c.notify <- struct{}{}:
			default:
			}
		}
	}()
}

// take returns the errors collected since the last call.
func (c *devConsole) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.errors
	c.errors = nil
	return e
}

// visitorOption changes a new visitor's browser.
type visitorOption func(t *testing.T, ctx context.Context)

// speaking makes the browser ask for pages in languages (a
// comma-separated list, such as "de-DE,de"; Chromium adds the q-values).
func speaking(languages string) visitorOption {
	return func(t *testing.T, ctx context.Context) {
		t.Helper()
		ua, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`))
		require.NoError(t, err)
		_, err = chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent: ua, AcceptLanguage: languages,
		})
		require.NoError(t, err)
	}
}

// newVisitor opens a tab for a person, named in failures, at desktop size.
func (s *liveSite) newVisitor(t *testing.T, name string, opts ...visitorOption) *visitor {
	t.Helper()
	ctx, cancel := chromedp.NewContext(chromium(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(ctx), "opening a tab")
	v := &visitor{t: t, s: s, ctx: ctx, name: name, lastStatus: new(int64), console: &devConsole{notify: make(chan struct{}, 1)}}
	v.console.listen(ctx)
	if chrome.axe != "" {
		// Every page the tab loads gets axe-core before its own scripts:
		// faster than sending its 650 kB along with each check.
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: chrome.axe})
		require.NoError(t, err, "adding axe-core to the pages")
	}
	for _, o := range opts {
		o(t, ctx)
	}
	v.resize(desktop)
	return v
}

// in returns v for use by test t, a subtest of the one that made it.
func (v *visitor) in(t *testing.T) *visitor {
	w := *v
	w.t = t
	return &w
}

// do runs steps within actionTimeout.
func (v *visitor) do(steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(v.ctx, actionTimeout)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

func run[T any](v *visitor, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(v.ctx, actionTimeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

func (v *visitor) resize(vp viewport) {
	v.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if vp.phone {
		opts = append(opts, chromedp.EmulateMobile)
	}
	require.NoError(v.t, v.do(chromedp.EmulateViewport(vp.width, vp.height, opts...)), "%s: viewport %s", v.name, vp.name)
}

// open loads the page at path (or an absolute URL, such as a mail's link)
// and checks it; it returns the HTTP status of the page (after redirects).
func (v *visitor) open(path string) int64 {
	v.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = v.s.URL + path
	}
	require.NoError(v.t, v.do(chromedp.Navigate(u)), "%s: opening %s", v.name, path)
	return v.loaded()
}

// click clicks the element sel finds (a CSS selector) and waits for the
// page it leads to, which it checks; it returns that page's status.
func (v *visitor) click(sel string) int64 {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.ctx, actionTimeout)
	defer cancel()
	_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	require.NoError(v.t, err, "%s: clicking %s on %s", v.name, sel, v.path())
	return v.loaded()
}

// loaded notes the status of the page just loaded and checks the page.
// The status comes from the page's navigation timing: chromedp's
// response misses the page a form's POST redirects to.
func (v *visitor) loaded() int64 {
	v.t.Helper()
	*v.lastStatus = eval[int64](v, `performance.getEntriesByType("navigation")[0].responseStatus`)
	v.checkConsole()
	v.checkAccessible()
	return *v.lastStatus
}

// typeInto empties the field sel finds and types text into it, key by
// key. (chromedp.Clear refuses an empty textarea.)
func (v *visitor) typeInto(sel, text string) {
	v.t.Helper()
	_, err := run(v, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { document.querySelector(%q).value = ""; return true })()`, sel)))
	require.NoError(v.t, err, "%s: emptying %s on %s", v.name, sel, v.path())
	require.NoError(v.t, v.do(
		chromedp.SendKeys(chromedp.CSS(sel), text),
	), "%s: typing into %s on %s", v.name, sel, v.path())
}

// tick turns on the checkbox sel finds, leaving it on when it is.
func (v *visitor) tick(sel string) {
	v.t.Helper()
	if !eval[bool](v, fmt.Sprintf(`document.querySelector(%q).checked`, sel)) {
		v.check(sel)
	}
}

// attach puts the local file at path into the file field sel finds.
func (v *visitor) attach(sel, path string) {
	v.t.Helper()
	require.NoError(v.t, v.do(chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path})), "%s: attaching %s in %s", v.name, path, sel)
}

// choose selects value in the select field sel finds.
func (v *visitor) choose(sel, value string) {
	v.t.Helper()
	require.NoError(v.t, v.do(chromedp.SetValue(chromedp.CSS(sel), value)), "%s: choosing %s in %s", v.name, value, sel)
}

// check clicks a checkbox or radio button without leaving the page.
func (v *visitor) check(sel string) {
	v.t.Helper()
	require.NoError(v.t, v.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)), "%s: clicking %s", v.name, sel)
}

// text returns the visible text of the first element sel finds.
func (v *visitor) text(sel string) string {
	v.t.Helper()
	s, err := run(v, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady))
	require.NoError(v.t, err, "%s: reading %s on %s", v.name, sel, v.path())
	return s
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](v *visitor, expr string) T {
	v.t.Helper()
	r, err := run(v, chromedp.Evaluate[T](expr))
	require.NoError(v.t, err, "%s: %s", v.name, expr)
	return r
}

// body returns the page's visible text.
func (v *visitor) body() string { return eval[string](v, `document.body.innerText`) }

// has reports whether sel finds an element on the page.
func (v *visitor) has(sel string) bool {
	return eval[bool](v, fmt.Sprintf(`document.querySelector(%q) !== null`, sel))
}

// location returns the page's URL.
func (v *visitor) location() *url.URL {
	v.t.Helper()
	u, err := url.Parse(eval[string](v, `location.href`))
	require.NoError(v.t, err)
	return u
}

// path returns the page's path, for messages.
func (v *visitor) path() string {
	u, err := run(v, chromedp.Evaluate[string](`location.pathname + location.search`))
	if err != nil {
		return "?"
	}
	return u
}

// checkConsole fails the test on the errors the tab reported since the
// last check. A page that is not found is an error of its own document,
// which requireStatus checks instead.
func (v *visitor) checkConsole() {
	v.t.Helper()
	page := eval[string](v, `location.href`)
	for _, e := range v.console.take() {
		if *v.lastStatus >= 400 && strings.HasSuffix(e, "("+page+")") {
			continue
		}
		v.t.Errorf("%s: %s: %s", v.name, page, e)
	}
}

// axeViolation is what axe-core reports of one rule a page breaks.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

var axeSkipLogged sync.Once

// checkAccessible runs axe-core on the page and fails the test on any
// serious or critical violation. Without axe-core (PORTALKIT_AXE_JS) it
// logs that it skipped, outside CI only.
//
// axe-core goes in through the DevTools protocol (newVisitor adds it with
// Page.addScriptToEvaluateOnNewDocument, and Runtime.evaluate runs it),
// which the page's Content Security Policy does not govern: the policy
// forbids inline script, and TestContentSecurityPolicy shows it does. A
// page that had no axe-core would fail here with "axe is not defined".
func (v *visitor) checkAccessible() {
	v.t.Helper()
	if chrome.axeErr != nil {
		v.t.Fatal(chrome.axeErr)
	}
	if chrome.axe == "" {
		if inCI() {
			v.t.Fatalf("no axe-core: CI (%s) sets %s to axe.min.js", envCI, envAxe)
		}
		axeSkipLogged.Do(func() { v.t.Logf("accessibility checks skipped: %s names no axe.min.js", envAxe) })
		return
	}
	where := v.path()
	for _, f := range v.axeViolations() {
		if f.Impact != "serious" && f.Impact != "critical" {
			continue
		}
		var targets []string
		for _, n := range f.Nodes {
			targets = append(targets, fmt.Sprint(n.Target...))
		}
		v.t.Errorf("%s: %s: axe %s (%s): %s; at %s", v.name, where, f.ID, f.Impact, f.Help, strings.Join(targets, ", "))
	}
}

// axeReportable is the JavaScript expression of the IDs of axe-core's
// rules that can find a serious or critical problem, the only ones
// checkAccessible reports. An axe rule's impact is fixed by the rule, so
// leaving out the minor and moderate ones (a quarter of them) changes no
// report; the list is axe's own, read where it keeps them (axe._audit).
const axeReportable = `axe._audit.rules.filter(r => r.enabled && r.impact !== "minor" && r.impact !== "moderate").map(r => r.id)`

// axeRun runs the rules of axeReportable, or every rule when axe keeps
// no list where axeReportable reads it.
const axeRun = `(() => {
	const options = {resultTypes: ["violations"]};
	if (axe._audit && Array.isArray(axe._audit.rules)) {
		options.runOnly = {type: "rule", values: ` + axeReportable + `};
	}
	return axe.run(document, options).then(r => r.violations);
})()`

// axeViolations runs axe-core on the page as it is now.
func (v *visitor) axeViolations() []axeViolation {
	v.t.Helper()
	found, err := run(v, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	require.NoError(v.t, err, "%s: running axe-core on %s", v.name, v.path())
	return found
}

// checkFits fails the test when the page is wider than the viewport:
// a phone would scroll sideways. It names the elements that stick out.
func (v *visitor) checkFits() {
	v.t.Helper()
	type fit struct {
		Scroll int      `json:"scroll"`
		Inner  int      `json:"inner"`
		Wide   []string `json:"wide"`
	}
	f := eval[fit](v, `(() => {
		const wide = [];
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.right > innerWidth + 0.5 && wide.length < 5) {
				wide.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().replace(/\s+/g, ".") : "") + " (right " + Math.round(r.right) + ")");
			}
		}
		return {scroll: document.scrollingElement.scrollWidth, inner: innerWidth, wide};
	})()`)
	if f.Scroll > f.Inner {
		v.t.Errorf("%s: %s is %dpx wide in a %dpx viewport; sticking out: %s", v.name, v.path(), f.Scroll, f.Inner, strings.Join(f.Wide, ", "))
	}
}

// screenshot writes a full-page PNG of the page as name.png.
func (v *visitor) screenshot(name string) {
	v.t.Helper()
	png, err := run(v, chromedp.FullScreenshot(100))
	require.NoError(v.t, err, "%s: screenshot %s", v.name, name)
	require.NoError(v.t, os.WriteFile(filepath.Join(v.s.shots, name+".png"), png, 0o644))
}

// requireStatus fails the test unless the page loaded last answered want.
func (v *visitor) requireStatus(want int64) {
	v.t.Helper()
	require.Equal(v.t, want, *v.lastStatus, "%s: status of %s", v.name, v.path())
}

// hrefs returns the links' targets on the page, as paths.
func (v *visitor) hrefs() []string {
	links := eval[[]string](v, `[...document.querySelectorAll("a[href]")].map(a => a.pathname)`)
	slices.Sort(links)
	return slices.Compact(links)
}
