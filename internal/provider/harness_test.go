package provider

// Shared test setup: provider factories, a fresh fake ZITADEL per test (or a
// real ZITADEL, see README "Acceptance tests against a real ZITADEL"), HCL
// rendering, and state checks that ask the server.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// testEnv is the ZITADEL a test runs against.
type testEnv struct {
	t *testing.T
	// srv is the in-process fake; nil against a real ZITADEL.
	srv *fakezitadel.Server
	// Organizations and tokens: the owner's token owns OrgID and SecondOrgID.
	OrgID, SecondOrgID string
	// UserID is a user of OrgID, SecondUserID one of SecondOrgID.
	UserID, SecondUserID                   string
	OwnerToken, ViewerToken, OutsiderToken string
	// prefix keeps the keys of tests apart on a shared real organization.
	prefix string
	// api reaches a real ZITADEL out of band.
	api  *zitadel.Client
	tune func(*zitadel.Config)
	// version is the metadata API the provider blocks choose, and m the
	// fake's names of its calls.
	version string
	m       apiMethods
	// transport is how the provider blocks make calls: the matrix's.
	transport string
}

// apiMethods are the names of one metadata API's calls, as the fake counts
// them.
type apiMethods struct{ Set, Remove, List, GetOrg string }

var methodsOf = map[string]apiMethods{
	zitadel.APIV1: {Set: "BulkSetOrgMetadata", Remove: "BulkRemoveOrgMetadata", List: "ListOrgMetadata", GetOrg: "GetMyOrg"},
	zitadel.APIV2: {Set: "SetOrganizationMetadata", Remove: "DeleteOrganizationMetadata", List: "ListOrganizationMetadata", GetOrg: "ListOrganizations"},
}

// matrixAPI is the metadata API the acceptance tests run against:
// TF_ACC_ZITADEL_API_VERSION, v1 or v2 (make test runs the suite for both),
// v1 when unset.
func matrixAPI() string {
	if v := os.Getenv("TF_ACC_ZITADEL_API_VERSION"); v != "" {
		return v
	}
	return zitadel.APIV1
}

// matrixTransport is the transport the acceptance tests use:
// TF_ACC_ZITADEL_TRANSPORT, grpc or rest (make test runs both), grpc when
// unset.
func matrixTransport() string {
	if v := os.Getenv("TF_ACC_ZITADEL_TRANSPORT"); v != "" {
		return v
	}
	return zitadel.TransportGRPC
}

// onlyFor runs a test that pins its own API version in one leg of the
// matrix only: the leg of that version (auto counts as v1).
func onlyFor(t *testing.T, version string) {
	t.Helper()
	if version == zitadel.APIAuto {
		version = zitadel.APIV1
	}
	if matrixAPI() != version {
		t.Skipf("pins api_version; runs in the %s leg of the matrix", version)
	}
}

// realZITADEL reports whether the tests target a real ZITADEL.
func realZITADEL() bool { return os.Getenv("TF_ACC_ZITADEL_REAL") == "1" }

// parallelOnFake marks a test parallel when it runs against its own fake;
// against a real ZITADEL the tests share one organization and run one after
// another.
func parallelOnFake(t *testing.T) {
	t.Helper()
	if !realZITADEL() {
		t.Parallel()
	}
}

// newTestEnv starts a fresh fake ZITADEL on 127.0.0.1:0 for the test, or
// connects to the real one the environment names.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	return newTestEnvWith(t, fakezitadel.Options{})
}

// newTestEnvWith is newTestEnv with options for the fake.
func newTestEnvWith(t *testing.T, opts fakezitadel.Options) *testEnv {
	t.Helper()
	if realZITADEL() {
		return newRealEnv(t)
	}
	srv, fx := fakezitadel.StartTest(t, opts)
	return &testEnv{
		t: t, srv: srv,
		OrgID: fx.OrgID, SecondOrgID: fx.SecondOrgID, UserID: fx.UserID, SecondUserID: fx.SecondUserID,
		OwnerToken: fx.OwnerToken, ViewerToken: fx.ViewerToken, OutsiderToken: fx.OutsiderToken,
		tune:    func(c *zitadel.Config) { c.Retry.InitialBackoff = 5 * time.Millisecond },
		version: matrixAPI(), m: methodsOf[matrixAPI()], transport: matrixTransport(),
	}
}

// byAPI picks what a test expects on the tests' metadata API: v1 (and
// auto) or v2.
func (e *testEnv) byAPI(v1, v2 string) string {
	if e.version == zitadel.APIV2 {
		return v2
	}
	return v1
}

// withAPI makes the provider blocks choose another metadata API than the
// matrix's (auto included); m then names v1's calls for auto.
func (e *testEnv) withAPI(version string) *testEnv {
	e.version = version
	e.m = methodsOf[zitadel.APIV1]
	if version == zitadel.APIV2 {
		e.m = methodsOf[zitadel.APIV2]
	}
	return e
}

func newRealEnv(t *testing.T) *testEnv {
	get := func(name string, required bool) string {
		v := os.Getenv(name)
		if v == "" && required {
			t.Fatalf("TF_ACC_ZITADEL_REAL=1 needs %s", name)
		}
		return v
	}
	e := &testEnv{
		t:             t,
		OrgID:         get("ZITADEL_ORG_ID", true),
		OwnerToken:    get("ZITADEL_ACCESS_TOKEN", true),
		ViewerToken:   get("ZITADEL_VIEWER_ACCESS_TOKEN", false),
		OutsiderToken: get("ZITADEL_OUTSIDER_ACCESS_TOKEN", false),
		prefix:        "tfacc-" + randomHex(4) + "-",
		SecondOrgID:   get("ZITADEL_SECOND_ORG_ID", false),
		version:       matrixAPI(),
		m:             methodsOf[matrixAPI()],
		transport:     matrixTransport(),
	}
	e.UserID, e.SecondUserID = realUserIDs()
	port := 443
	if p := get("ZITADEL_PORT", false); p != "" {
		port, _ = strconv.Atoi(p)
	}
	insecure := get("ZITADEL_INSECURE", false) == "true"
	if insecure && get("ZITADEL_PORT", false) == "" {
		port = 80
	}
	api, err := zitadel.New(zitadel.Config{
		Domain: get("ZITADEL_DOMAIN", true), Port: port, Insecure: insecure,
		AccessToken: e.OwnerToken, Retry: zitadel.DefaultRetryPolicy(), UserAgent: "terraform-provider-zitadelmeta/acctest",
		APIVersion: e.version, Transport: e.transport,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.api = api
	t.Cleanup(func() {
		// Leave the shared organization as it was: drop this test's keys.
		var mine []string
		for k := range e.Metadata(e.OrgID) {
			if strings.HasPrefix(k, e.prefix) {
				mine = append(mine, k)
			}
		}
		_, _ = api.RemoveMetadata(context.Background(), zitadel.OrgOwner(e.OrgID), mine)
		if e.UserID != "" {
			var theirs []string
			entries, _ := api.ListMetadata(context.Background(), zitadel.UserOwner(e.OrgID, e.UserID), nil)
			for _, en := range entries {
				if strings.HasPrefix(en.Key, e.prefix) {
					theirs = append(theirs, en.Key)
				}
			}
			_, _ = api.RemoveMetadata(context.Background(), zitadel.UserOwner(e.OrgID, e.UserID), theirs)
		}
		_ = api.Close()
	})
	return e
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// fakeOnly skips tests that need the fake's hooks (call counts, faults,
// removing organizations) against a real ZITADEL.
func (e *testEnv) fakeOnly() {
	if e.srv == nil {
		e.t.Skip("needs the fake ZITADEL's test hooks")
	}
}

// K returns a key unique to this test run.
func (e *testEnv) K(name string) string { return e.prefix + name }

// factories serves the provider in-process over protocol 6.
func (e *testEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"zitadelmeta": providerserver.NewProtocol6WithError(&zitadelMetaProvider{
			version: "test",
			getenv:  e.getenv,
			tune:    e.tune,
		}),
	}
}

// getenv isolates tests against the fake from the developer's ZITADEL_*
// variables; against a real ZITADEL the environment configures the provider.
func (e *testEnv) getenv(name string) string {
	if e.srv == nil {
		return os.Getenv(name)
	}
	return ""
}

// Provider renders a provider block for the owner's token plus extra lines.
func (e *testEnv) Provider(extra ...string) string {
	return e.ProviderWithToken(e.OwnerToken, extra...)
}

// ProviderWithToken renders a provider block authenticating with token.
func (e *testEnv) ProviderWithToken(token string, extra ...string) string {
	var b strings.Builder
	b.WriteString("provider \"zitadelmeta\" {\n")
	if e.srv != nil {
		host, port := splitHostPort(e.srv.Addr())
		fmt.Fprintf(&b, "  domain   = %s\n  port     = %s\n", hclString(host), port)
		if ca := e.srv.CACertPEM(); ca != nil {
			fmt.Fprintf(&b, "  ca_certificate = %s\n", hclString(string(ca)))
		} else {
			b.WriteString("  insecure = true\n")
		}
	}
	if token != e.OwnerToken || e.srv != nil {
		fmt.Fprintf(&b, "  access_token = %s\n", hclString(token))
	}
	for attr, value := range map[string]string{"api_version": e.version, "transport": e.transport} {
		if !slices.ContainsFunc(extra, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), attr) }) {
			fmt.Fprintf(&b, "  %s = %s\n", attr, hclString(value))
		}
	}
	for _, l := range extra {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func splitHostPort(addr string) (string, string) {
	i := strings.LastIndex(addr, ":")
	return addr[:i], addr[i+1:]
}

// hclString quotes s as an HCL string literal, escaping template sequences.
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '"':
			b.WriteString(`\"`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case (c == '$' || c == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte(c)
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hclMap renders a map of strings as an HCL object, keys sorted.
func hclMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("{\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s = %s\n", hclString(k), hclString(m[k]))
	}
	b.WriteString("  }")
	return b.String()
}

// Metadata returns what the server holds for an organization.
func (e *testEnv) Metadata(orgID string) map[string][]byte {
	if e.srv != nil {
		return e.srv.Metadata(orgID)
	}
	entries, err := e.api.ListMetadata(context.Background(), zitadel.OrgOwner(orgID), nil)
	if err != nil {
		e.t.Fatalf("reading metadata out of band: %v", err)
	}
	out := map[string][]byte{}
	for _, en := range entries {
		out[en.Key] = en.Value
	}
	return out
}

// Set writes a key out of band, as another tool would.
func (e *testEnv) Set(orgID, key string, value []byte) {
	if e.srv != nil {
		e.srv.SetMetadata(orgID, key, value)
		return
	}
	if _, err := e.api.SetMetadata(context.Background(), zitadel.OrgOwner(orgID), []zitadel.KV{{Key: key, Value: value}}); err != nil {
		e.t.Fatalf("writing metadata out of band: %v", err)
	}
}

// Delete removes a key out of band.
func (e *testEnv) Delete(orgID, key string) {
	if e.srv != nil {
		e.srv.DeleteMetadata(orgID, key)
		return
	}
	if _, err := e.api.RemoveMetadata(context.Background(), zitadel.OrgOwner(orgID), []string{key}); err != nil {
		e.t.Fatalf("removing metadata out of band: %v", err)
	}
}

// serverHolds checks, after a step, that the organization holds exactly
// want among the keys named in want and in absent; other keys are not
// looked at.
func (e *testEnv) serverHolds(orgID string, want map[string]string, absent ...string) statecheck.StateCheck {
	return serverCheck(func() error { return compareKeys(e.Metadata(orgID), want, absent) })
}

// compareKeys checks that got holds exactly want among the keys named in
// want and in absent.
func compareKeys(got map[string][]byte, want map[string]string, absent []string) error {
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			return fmt.Errorf("key %q missing on the server", k)
		}
		if string(g) != v {
			return fmt.Errorf("key %q holds %q on the server, want %q", k, truncate(string(g)), truncate(v))
		}
	}
	for _, k := range absent {
		if _, ok := got[k]; ok {
			return fmt.Errorf("key %q still on the server", k)
		}
	}
	return nil
}

// serverCheck is a state check that asks the server instead of the state.
type serverCheck func() error

func (f serverCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

// writes checks the fake's write calls since the last ResetCalls.
func (e *testEnv) writes(bulkSet, bulkRemove int) statecheck.StateCheck {
	return serverCheck(func() error {
		if e.srv == nil {
			return nil
		}
		gotSet, gotRemove := e.srv.Calls(e.m.Set), e.srv.Calls(e.m.Remove)
		if gotSet != bulkSet || gotRemove != bulkRemove {
			return fmt.Errorf("%d %s and %d %s calls, want %d and %d", gotSet, e.m.Set, gotRemove, e.m.Remove, bulkSet, bulkRemove)
		}
		return nil
	})
}

// pagesPerSearch checks that every search since the last ResetCalls,
// however many Terraform made, took exactly pages list calls.
func (e *testEnv) pagesPerSearch(pages int) statecheck.StateCheck {
	return serverCheck(func() error {
		if n, searches := e.srv.Calls(e.m.List), e.srv.Searches(); searches == 0 || n != pages*searches {
			return fmt.Errorf("%d %s calls for %d searches, want %d pages each", n, e.m.List, searches, pages)
		}
		return nil
	})
}

// resetCalls zeroes the fake's call counts (a PreConfig).
func (e *testEnv) resetCalls() {
	if e.srv != nil {
		e.srv.ResetCalls()
	}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

// errorText matches diagnostics containing each part in order, whatever
// line breaks Terraform wrapped them with.
func errorText(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, `.*`))
}

// TestMain keeps the developer's environment out of the tests: Terraform
// settings such as TF_CLI_ARGS or TF_WORKSPACE would change every command
// the tests run, and against the fake no ZITADEL_* variable may count.
func TestMain(m *testing.M) {
	if !slices.Contains([]string{zitadel.APIV1, zitadel.APIV2}, matrixAPI()) || !slices.Contains([]string{zitadel.TransportGRPC, zitadel.TransportREST}, matrixTransport()) {
		fmt.Fprintf(os.Stderr, "TF_ACC_ZITADEL_API_VERSION must be v1 or v2 and TF_ACC_ZITADEL_TRANSPORT grpc or rest, not %q and %q\n", matrixAPI(), matrixTransport())
		os.Exit(2)
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if keepForTests(name, realZITADEL()) {
			continue
		}
		_ = os.Unsetenv(name)
	}
	os.Exit(m.Run())
}

// keepForTests tells which TF_* and ZITADEL_* variables the tests use:
// terraform-plugin-testing's own (TF_ACC*), logging, the CLI configuration
// make test points at an empty file, and ZITADEL_* against a real ZITADEL.
func keepForTests(name string, realMode bool) bool {
	switch {
	case strings.HasPrefix(name, "ZITADEL_"):
		return realMode
	case strings.HasPrefix(name, "TF_"):
		return strings.HasPrefix(name, "TF_ACC") || strings.HasPrefix(name, "TF_LOG") || name == "TF_CLI_CONFIG_FILE"
	}
	return true
}
