package provider

// Shared test setup: provider factories, a fresh fake ZITADEL per test (or a
// real ZITADEL, see README "Acceptance tests against a real ZITADEL"), HCL
// rendering, and state checks that ask the server.

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
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
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"google.golang.org/grpc/codes"

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
	// UserID is a user of OrgID, SecondUserID one of SecondOrgID; OwnerID
	// is the owner's user (empty for a shared organization).
	UserID, SecondUserID, OwnerID          string
	OwnerToken, ViewerToken, OutsiderToken string
	// prefix keeps the keys of tests apart on a shared real organization.
	prefix string
	// api reaches a real ZITADEL out of band, with the owner's token.
	api *zitadel.Client
	// scratch tells that the organizations and users are the test's own,
	// made with admin, an instance owner's client (ZITADEL_ADMIN_ACCESS_TOKEN).
	scratch bool
	admin   *zitadel.Client
	tune    func(*zitadel.Config)
	// version is the metadata API the provider blocks choose, and m the
	// fake's names of its calls.
	version string
	m       apiMethods
	// transport is how the provider blocks make calls: the matrix's.
	transport string
	// front, when set, stands in front of the server: the provider blocks
	// reach ZITADEL through it (see withFront).
	front *fakezitadel.Front
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
		OrgID: fx.OrgID, SecondOrgID: fx.SecondOrgID, UserID: fx.UserID, SecondUserID: fx.SecondUserID, OwnerID: fx.OwnerID,
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
	e := &testEnv{
		t:         t,
		prefix:    "tfacc-" + randomHex(4) + "-",
		version:   matrixAPI(),
		m:         methodsOf[matrixAPI()],
		transport: matrixTransport(),
	}
	if admin := os.Getenv("ZITADEL_ADMIN_ACCESS_TOKEN"); admin != "" {
		e.populate(admin)
		return e
	}
	get := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			t.Fatalf("TF_ACC_ZITADEL_REAL=1 needs ZITADEL_ADMIN_ACCESS_TOKEN, or %s and the other variables CONTRIBUTING.md names", name)
		}
		return v
	}
	e.OrgID, e.OwnerToken, e.SecondOrgID = get("ZITADEL_ORG_ID"), get("ZITADEL_ACCESS_TOKEN"), get("ZITADEL_SECOND_ORG_ID")
	e.ViewerToken, e.OutsiderToken = os.Getenv("ZITADEL_VIEWER_ACCESS_TOKEN"), os.Getenv("ZITADEL_OUTSIDER_ACCESS_TOKEN")
	e.UserID, e.SecondUserID = realUserIDs()
	e.api = e.realClient(e.OwnerToken, e.version, e.transport)
	t.Cleanup(func() {
		// Leave the shared organization and user as they were: drop this
		// test's keys, and only those.
		ctx := context.Background()
		owners := []zitadel.Owner{zitadel.OrgOwner(e.OrgID)}
		if e.UserID != "" {
			owners = append(owners, zitadel.UserOwner(e.OrgID, e.UserID))
		}
		for _, o := range owners {
			_, _ = removePrefixed(ctx, e.api, o, e.prefix)
		}
		_ = e.api.Close()
	})
	return e
}

// realClient is a client of the real ZITADEL the environment names, with
// token.
func (e *testEnv) realClient(token, version, transport string) *zitadel.Client {
	return e.clientWith(zitadel.Config{AccessToken: token, APIVersion: version, Transport: transport})
}

// clientWith is a client of the real ZITADEL the environment names, with
// the credentials and choices of cfg.
func (e *testEnv) clientWith(cfg zitadel.Config) *zitadel.Client {
	c, err := realClientFromEnv(os.Getenv, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// realClientFromEnv is a client of the real ZITADEL that ZITADEL_DOMAIN,
// ZITADEL_PORT, ZITADEL_INSECURE and ZITADEL_CA_CERTIFICATE name, with the
// credentials and choices of cfg.
func realClientFromEnv(getenv func(string) string, cfg zitadel.Config) (*zitadel.Client, error) {
	cfg.Port = 443
	cfg.Insecure = getenv("ZITADEL_INSECURE") == "true"
	if cfg.Insecure {
		cfg.Port = 80
	}
	if p := getenv("ZITADEL_PORT"); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("ZITADEL_PORT: %w", err)
		}
		cfg.Port = port
	}
	cfg.Domain = getenv("ZITADEL_DOMAIN")
	if cfg.Domain == "" {
		return nil, errors.New("TF_ACC_ZITADEL_REAL=1 needs ZITADEL_DOMAIN")
	}
	cfg.CACertPEM = []byte(getenv("ZITADEL_CA_CERTIFICATE"))
	cfg.Retry = zitadel.DefaultRetryPolicy()
	cfg.UserAgent = "terraform-provider-zitadelmeta/acctest"
	return zitadel.New(cfg)
}

// removePrefixed removes an owner's keys that start with prefix, and says
// how many it removed.
func removePrefixed(ctx context.Context, api *zitadel.Client, owner zitadel.Owner, prefix string) (int, error) {
	entries, err := api.ListMetadata(ctx, owner, []zitadel.KeyFilter{{Key: prefix, Method: zitadel.StartsWith}})
	if err != nil {
		return 0, err
	}
	var mine []string
	for _, en := range entries {
		if strings.HasPrefix(en.Key, prefix) {
			mine = append(mine, en.Key)
		}
	}
	return api.RemoveMetadata(ctx, owner, mine)
}

// populate sets up, with an instance owner's token, what the fake's
// Populate does, in scratch organizations of the test's own: two
// organizations named after the test's prefix; an owner of both (a service
// account of the first with ORG_OWNER in each: its own organization is the
// first), a viewer of the first (ORG_OWNER_VIEWER), an outsider (a service
// account of the second without any membership) and a user in each
// organization. Removing the organizations at the end removes the rest.
func (e *testEnv) populate(adminToken string) {
	ctx := context.Background()
	e.scratch = true
	admin := e.realClient(adminToken, zitadel.APIV1, zitadel.TransportGRPC)
	e.admin = admin
	e.t.Cleanup(func() { _ = admin.Close() })
	must := func(err error) {
		if err != nil {
			e.t.Fatalf("setting up the scratch organizations: %v", err)
		}
	}
	var orgs [2]string
	for i := range orgs {
		orgs[i] = e.scratchOrg(fmt.Sprintf("org%d", i+1))
	}
	e.OrgID, e.SecondOrgID = orgs[0], orgs[1]
	account := func(org, name string, withToken bool) (id, token string) {
		id, err := admin.AddMachineUser(ctx, org, e.prefix+name)
		must(err)
		if withToken {
			token, err = admin.AddPersonalAccessToken(ctx, org, id, time.Now().Add(3*time.Hour))
			must(err)
		}
		return id, token
	}
	var ownerToken string
	e.OwnerID, ownerToken = account(e.OrgID, "owner", true)
	viewer, viewerToken := account(e.OrgID, "viewer", true)
	_, outsiderToken := account(e.SecondOrgID, "outsider", true)
	must(admin.AddOrgMember(ctx, e.OrgID, e.OwnerID, "ORG_OWNER"))
	must(admin.AddOrgMember(ctx, e.SecondOrgID, e.OwnerID, "ORG_OWNER"))
	must(admin.AddOrgMember(ctx, e.OrgID, viewer, "ORG_OWNER_VIEWER"))
	// User names are unique in the whole instance (ZITADEL's default
	// domain policy), not per organization.
	e.UserID, _ = account(e.OrgID, "user1", false)
	e.SecondUserID, _ = account(e.SecondOrgID, "user2", false)
	e.OwnerToken, e.ViewerToken, e.OutsiderToken = ownerToken, viewerToken, outsiderToken
	e.api = e.realClient(e.OwnerToken, e.version, e.transport)
	e.t.Cleanup(func() { _ = e.api.Close() })

	// Tokens and memberships reach ZITADEL's projections a moment later:
	// wait until the owner reaches both organizations, the viewer the
	// first, and the outsider is told it has no membership there.
	e.await(e.realClient(e.OwnerToken, zitadel.APIV1, zitadel.TransportGRPC), works, e.OrgID, e.SecondOrgID)
	e.await(e.realClient(e.ViewerToken, zitadel.APIV1, zitadel.TransportGRPC), works, e.OrgID)
	e.await(e.realClient(e.OutsiderToken, zitadel.APIV1, zitadel.TransportGRPC), func(err error) bool {
		return zitadel.IsKind(err, zitadel.KindNoMembership)
	}, e.OrgID)
}

// scratchOrg makes an organization named after the test's prefix with the
// admin's token, and removes it when the test ends.
func (e *testEnv) scratchOrg(name string) string {
	e.t.Helper()
	ctx := context.Background()
	id, err := e.admin.AddOrg(ctx, e.prefix+name)
	if err != nil {
		e.t.Fatalf("making a scratch organization: %v", err)
	}
	admin := e.admin
	e.t.Cleanup(func() {
		err := admin.RemoveOrg(ctx, id)
		// A test may have removed it already (NotFound).
		var ze *zitadel.Error
		if err == nil || errors.As(err, &ze) && (ze.Code == codes.NotFound || ze.Kind == zitadel.KindOrgNotFound) {
			return
		}
		e.t.Logf("removing scratch organization %s: %v (make sweep removes it)", id, err)
	})
	return id
}

// addOrg gives the test one more organization, of which the owner is
// ORG_OWNER: on the fake directly, against a real ZITADEL a scratch one.
func (e *testEnv) addOrg(name string) string {
	e.t.Helper()
	if e.srv != nil {
		id := e.srv.AddOrg(name)
		e.srv.Grant(e.OwnerID, id, "ORG_OWNER")
		return id
	}
	id := e.scratchOrg(name)
	if err := e.admin.AddOrgMember(context.Background(), id, e.OwnerID, "ORG_OWNER"); err != nil {
		e.t.Fatalf("making the owner ORG_OWNER of a scratch organization: %v", err)
	}
	e.await(e.realClient(e.OwnerToken, zitadel.APIV1, zitadel.TransportGRPC), works, id)
	return id
}

// works is what await waits for when credentials should work.
func works(err error) bool { return err == nil }

// await waits until done holds for what c's GetOrg answers for each
// organization (a minute at most), then closes c: new tokens and
// memberships take a moment to work.
func (e *testEnv) await(c *zitadel.Client, done func(error) bool, orgs ...string) {
	e.t.Helper()
	defer func() { _ = c.Close() }()
	deadline := time.Now().Add(time.Minute)
	for _, org := range orgs {
		for {
			_, err := c.GetOrg(context.Background(), org)
			if done(err) {
				break
			}
			if time.Now().After(deadline) {
				e.t.Fatalf("new credentials still answer %v a minute after they were made", err)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// withFront puts a fakezitadel.Front in front of the test's ZITADEL, the
// fake or a real one, and makes the provider blocks reach it: the test's
// faults are injected there, its calls counted there, and opts shape it
// (a server without v1 or v2, TLS with a private CA), so the test runs
// against a real ZITADEL as it does against the fake.
func (e *testEnv) withFront(opts fakezitadel.Options) *fakezitadel.Front {
	e.t.Helper()
	backend, backendTLS := e.serverAddr()
	e.front = fakezitadel.StartFront(e.t, backend, backendTLS, opts)
	return e.front
}

// serverAddr is the address of the test's ZITADEL, host:port, and how to
// reach it over TLS (nil: plaintext): the fake's, or the one
// ZITADEL_DOMAIN, ZITADEL_PORT, ZITADEL_INSECURE and ZITADEL_CA_CERTIFICATE
// name.
func (e *testEnv) serverAddr() (string, *tls.Config) {
	trusting := func(caPEM []byte) *tls.Config {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if len(caPEM) > 0 {
			cfg.RootCAs = x509.NewCertPool()
			cfg.RootCAs.AppendCertsFromPEM(caPEM)
		}
		return cfg
	}
	if e.srv != nil {
		if ca := e.srv.CACertPEM(); ca != nil {
			return e.srv.Addr(), trusting(ca)
		}
		return e.srv.Addr(), nil
	}
	var tlsCfg *tls.Config
	if os.Getenv("ZITADEL_INSECURE") != "true" {
		tlsCfg = trusting([]byte(os.Getenv("ZITADEL_CA_CERTIFICATE")))
	}
	domain := os.Getenv("ZITADEL_DOMAIN")
	domain = strings.TrimPrefix(strings.TrimPrefix(domain, "https://"), "http://")
	if strings.Contains(domain, ":") {
		return domain, tlsCfg
	}
	port := os.Getenv("ZITADEL_PORT")
	switch {
	case port != "":
	case tlsCfg != nil:
		port = "443"
	default:
		port = "80"
	}
	return domain + ":" + port, tlsCfg
}

// callCounter counts calls as the fake does: the fake itself, or a Front.
type callCounter interface{ Calls(method string) int }

// counter is what counts the provider's calls: the front when there is
// one, else the fake; nil against a real ZITADEL without a front.
func (e *testEnv) counter() callCounter {
	switch {
	case e.front != nil:
		return e.front
	case e.srv != nil:
		return e.srv
	}
	return nil
}

// onCalls checks the call counts, where anything counts them.
func (e *testEnv) onCalls(check func(callCounter) error) statecheck.StateCheck {
	return serverCheck(func() error {
		c := e.counter()
		if c == nil {
			return nil
		}
		return check(c)
	})
}

// ownsOrganizations skips a test that changes or owns whole organizations
// or users, or needs the caller's own organization, against a real
// ZITADEL without organizations of the test's own.
func (e *testEnv) ownsOrganizations() {
	e.t.Helper()
	if e.srv == nil && !e.scratch {
		e.t.Skip("needs organizations of its own: set ZITADEL_ADMIN_ACCESS_TOKEN (CONTRIBUTING.md)")
	}
}

// grantKey makes the service account of a key file a member of the
// scratch organization with roles, and waits until its grant works.
func (e *testEnv) grantKey(keyFile []byte, roles ...string) {
	e.t.Helper()
	kf, err := zitadel.ParseKeyFile(keyFile)
	if err != nil {
		e.t.Fatal(err)
	}
	// The admin's own key is a member already: it made the organization.
	err = e.admin.AddOrgMember(context.Background(), e.OrgID, kf.UserID, roles...)
	var ze *zitadel.Error
	if errors.As(err, &ze) && ze.Code == codes.AlreadyExists {
		err = nil
	}
	if err != nil {
		e.t.Fatalf("granting the key file's service account %v: %v", roles, err)
	}
	e.await(e.clientWith(zitadel.Config{KeyFile: kf}), works, e.OrgID)
}

// removeOrg removes an organization (and its users), as an administrator
// would.
func (e *testEnv) removeOrg(id string) {
	e.t.Helper()
	e.administer("removing organization "+id, func(srv *fakezitadel.Server) error { return srv.RemoveOrganization(id) },
		func(ctx context.Context, admin *zitadel.Client) error { return admin.RemoveOrg(ctx, id) })
}

// userOrg is the organization of one of the environment's users.
func (e *testEnv) userOrg(userID string) string {
	if userID == e.SecondUserID {
		return e.SecondOrgID
	}
	return e.OrgID
}

// removeUser removes a user, as an administrator would.
func (e *testEnv) removeUser(id string) {
	e.t.Helper()
	e.administer("removing user "+id, func(srv *fakezitadel.Server) error { return srv.RemoveUser(id) },
		func(ctx context.Context, admin *zitadel.Client) error {
			return admin.RemoveUser(ctx, e.userOrg(id), id)
		})
}

// deactivateUser deactivates a user, as an administrator would.
func (e *testEnv) deactivateUser(id string) {
	e.t.Helper()
	e.administer("deactivating user "+id, func(srv *fakezitadel.Server) error { return srv.DeactivateUser(id) },
		func(ctx context.Context, admin *zitadel.Client) error {
			return admin.DeactivateUser(ctx, e.userOrg(id), id)
		})
}

// administer does what an administrator would: with the fake's hook, or
// with the instance owner's client against a real ZITADEL.
func (e *testEnv) administer(doing string, onFake func(*fakezitadel.Server) error, onReal func(context.Context, *zitadel.Client) error) {
	e.t.Helper()
	var err error
	if e.srv != nil {
		err = onFake(e.srv)
	} else {
		err = onReal(context.Background(), e.admin)
	}
	if err != nil {
		e.t.Fatalf("%s: %v", doing, err)
	}
}

// onFake runs a check of the fake's call counts; against a real ZITADEL,
// which counts nothing, it passes.
func (e *testEnv) onFake(check func(*fakezitadel.Server) error) statecheck.StateCheck {
	return serverCheck(func() error {
		if e.srv == nil {
			return nil
		}
		return check(e.srv)
	})
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
// With scratch organizations only the connection settings count: the
// tokens and organizations are the test's own.
func (e *testEnv) getenv(name string) string {
	switch {
	case e.srv != nil:
		return ""
	case e.scratch && !slices.Contains([]string{"ZITADEL_DOMAIN", "ZITADEL_PORT", "ZITADEL_INSECURE", "ZITADEL_CA_CERTIFICATE"}, name):
		return ""
	}
	return os.Getenv(name)
}

// Provider renders a provider block for the owner's token plus extra lines.
func (e *testEnv) Provider(extra ...string) string {
	return e.ProviderWithToken(e.OwnerToken, extra...)
}

// ProviderWithToken renders a provider block authenticating with token.
func (e *testEnv) ProviderWithToken(token string, extra ...string) string {
	switch {
	case e.front != nil:
		return e.providerAt(e.front.Addr(), e.front.CACertPEM(), token, extra...)
	case e.srv != nil:
		return e.providerAt(e.srv.Addr(), e.srv.CACertPEM(), token, extra...)
	}
	return e.providerAt("", nil, token, extra...)
}

// ProviderVia renders a provider block that reaches ZITADEL at addr
// (host:port of a proxy in front of it, say), trusting the CA of caPEM, or
// in plaintext without one.
func (e *testEnv) ProviderVia(addr string, caPEM []byte, extra ...string) string {
	return e.providerAt(addr, caPEM, e.OwnerToken, extra...)
}

// providerAt renders a provider block for addr ("": the address the
// environment names, against a real ZITADEL), authenticating with token.
func (e *testEnv) providerAt(addr string, caPEM []byte, token string, extra ...string) string {
	var b strings.Builder
	b.WriteString("provider \"zitadelmeta\" {\n")
	if addr != "" {
		host, port := splitHostPort(addr)
		fmt.Fprintf(&b, "  domain   = %s\n  port     = %s\n", hclString(host), port)
		if caPEM != nil {
			fmt.Fprintf(&b, "  ca_certificate = %s\n  insecure = false\n", hclString(string(caPEM)))
		} else {
			b.WriteString("  insecure = true\n")
		}
	}
	if token != e.OwnerToken || addr != "" || e.scratch {
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

// setMany writes keys out of band in one go.
func (e *testEnv) setMany(orgID string, kv map[string][]byte) {
	if e.srv != nil {
		for k, v := range kv {
			e.srv.SetMetadata(orgID, k, v)
		}
		return
	}
	e.writeOutOfBand(zitadel.OrgOwner(orgID), kv)
}

// writeOutOfBand writes keys of an owner of a real ZITADEL in one go, as
// another tool would.
func (e *testEnv) writeOutOfBand(owner zitadel.Owner, kv map[string][]byte) {
	entries := make([]zitadel.KV, 0, len(kv))
	for k, v := range kv {
		entries = append(entries, zitadel.KV{Key: k, Value: v})
	}
	if _, err := e.api.SetMetadata(context.Background(), owner, entries); err != nil {
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
	return e.onCalls(func(srv callCounter) error {
		gotSet, gotRemove := srv.Calls(e.m.Set), srv.Calls(e.m.Remove)
		if gotSet != bulkSet || gotRemove != bulkRemove {
			return fmt.Errorf("%d %s and %d %s calls, want %d and %d", gotSet, e.m.Set, gotRemove, e.m.Remove, bulkSet, bulkRemove)
		}
		return nil
	})
}

// pagesPerSearch checks that every search since the last ResetCalls,
// however many Terraform made, took exactly pages list calls.
func (e *testEnv) pagesPerSearch(pages int) statecheck.StateCheck {
	return e.onFake(func(srv *fakezitadel.Server) error {
		if n, searches := srv.Calls(e.m.List), srv.Searches(); searches == 0 || n != pages*searches {
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
	if e.front != nil {
		e.front.ResetCalls()
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
	// resource.TestMain runs the sweeper (sweeper_test.go) for -sweep, the
	// tests otherwise.
	resource.TestMain(m)
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

// forEachWire runs a test that drives the resource without Terraform once
// per metadata API and transport: these tests are not acceptance tests, so
// make test's legs do not repeat them.
func forEachWire(t *testing.T, test func(t *testing.T, api, transport string)) {
	for _, api := range []string{zitadel.APIV1, zitadel.APIV2} {
		for _, transport := range []string{zitadel.TransportGRPC, zitadel.TransportREST} {
			t.Run(api+"/"+transport, func(t *testing.T) { test(t, api, transport) })
		}
	}
}

// testClient connects to an in-process fake, for tests that drive the
// resource without Terraform.
func testClient(t *testing.T, srv *fakezitadel.Server, token string, tune func(*zitadel.Config)) *zitadel.Client {
	t.Helper()
	_, p := splitHostPort(srv.Addr())
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	cfg := zitadel.Config{Domain: "127.0.0.1", Port: port, Insecure: true, AccessToken: token, Retry: zitadel.DefaultRetryPolicy()}
	if tune != nil {
		tune(&cfg)
	}
	client, err := zitadel.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}
