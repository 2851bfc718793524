package zitadel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/proxytest"
)

func withTransport(transport string) func(*Config) {
	return func(c *Config) { c.Transport = transport }
}

// The whole engine over REST, on both APIs: writes in chunks, paged and
// filtered searches, removal of keys already gone, organization lookups.
func TestRESTLifecycle(t *testing.T) {
	for _, api := range []string{APIV1, APIV2} {
		t.Run(api, func(t *testing.T) {
			h := startFake(t, fakezitadel.Options{ShuffleLists: true})
			c := h.client(t, func(c *Config) { c.Transport = TransportREST; c.APIVersion = api; c.ChunkBytes = 4000; c.PageSize = 7 })
			ctx := context.Background()
			var kvs []KV
			for i := range 20 {
				kvs = append(kvs, KV{Key: fmt.Sprintf("k%02d", i), Value: []byte{0, 255, byte(i), '"', '\\'}})
			}
			kvs = append(kvs, KV{Key: "ä key/with:odd%chars", Value: make([]byte, 3000)})
			if n, err := c.SetMetadata(ctx, OrgOwner(h.fx.OrgID), kvs); err != nil || n != len(kvs) {
				t.Fatalf("set %d: %v", n, err)
			}
			m := methodsOfAPI(api)
			if calls := h.srv.Calls(m.set); calls < 2 {
				t.Fatalf("%d set calls: the 4,000-byte chunks were not respected", calls)
			}
			for _, kv := range kvs {
				if got := h.srv.Metadata(h.fx.OrgID)[kv.Key]; string(got) != string(kv.Value) {
					t.Fatalf("%q holds %v on the server, want %v", kv.Key, got, kv.Value)
				}
			}
			got, err := c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil)
			if err != nil || len(got) != len(kvs) || got[0].Key != "k00" || string(got[3].Value) != string(kvs[3].Value) {
				t.Fatalf("list: %d entries, %v", len(got), err)
			}
			if pages := h.srv.Calls(m.list); pages != 3 {
				t.Fatalf("%d list calls, want 3 pages of 7", pages)
			}
			got, err = c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), []KeyFilter{{Key: "K1", Method: StartsWithIgnoreCase}, {Key: "9", Method: EndsWith}})
			if err != nil || len(got) != 1 || got[0].Key != "k19" {
				t.Fatalf("filtered: %v %v", got, err)
			}
			h.srv.DeleteMetadata(h.fx.OrgID, "k01")
			if n, err := c.RemoveMetadata(ctx, OrgOwner(h.fx.OrgID), []string{"k00", "k01", "ä key/with:odd%chars"}); err != nil || n != 3 {
				t.Fatalf("remove %d: %v", n, err)
			}
			if keys := h.srv.Keys(h.fx.OrgID); len(keys) != 18 || slices.Contains(keys, "k00") {
				t.Fatalf("keys left: %q", keys)
			}
			if o, err := c.GetOrg(ctx, h.fx.OrgID); err != nil || o.ID != h.fx.OrgID || !o.Exists() {
				t.Fatalf("org: %+v %v", o, err)
			}
			if n := h.srv.Connections(m.list); n == 0 {
				t.Fatal("the fake saw no REST connection")
			}
			if c.Transport() != TransportREST {
				t.Fatalf("transport %q", c.Transport())
			}
		})
	}
}

type apiNames struct{ set, remove, list string }

func methodsOfAPI(api string) apiNames {
	if api == APIV2 {
		return apiNames{"SetOrganizationMetadata", "DeleteOrganizationMetadata", "ListOrganizationMetadata"}
	}
	return apiNames{"BulkSetOrgMetadata", "BulkRemoveOrgMetadata", "ListOrgMetadata"}
}

// A REST error body is classified exactly as the same answer over gRPC.
func TestRESTErrorsClassifyAsGRPC(t *testing.T) {
	h := startFake(t, fakezitadel.Options{UnknownWrapQuirk: true})
	ctx := context.Background()
	cases := []struct {
		name  string
		token string
		call  func(c *Client) error
	}{
		{"no membership", h.fx.OutsiderToken, func(c *Client) error {
			_, err := c.SetMetadata(ctx, OrgOwner(h.fx.OrgID), []KV{{Key: "a", Value: []byte("b")}})
			return err
		}},
		{"viewer writes", h.fx.ViewerToken, func(c *Client) error {
			_, err := c.SetMetadata(ctx, OrgOwner(h.fx.OrgID), []KV{{Key: "a", Value: []byte("b")}})
			return err
		}},
		{"bad token", "nope", func(c *Client) error {
			_, err := c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil)
			return err
		}},
		{"invalid key behind the Unknown quirk", h.fx.OwnerToken, func(c *Client) error {
			_, err := c.SetMetadata(ctx, OrgOwner(h.fx.OrgID), []KV{{Key: strings.Repeat("k", 201), Value: []byte("b")}})
			return err
		}},
		{"org that never existed", h.fx.OwnerToken, func(c *Client) error {
			_, err := c.ListMetadata(ctx, OrgOwner("4242"), nil)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got [2]*Error
			for i, transport := range []string{TransportGRPC, TransportREST} {
				c := h.client(t, func(c *Config) { c.Transport = transport; c.APIVersion = APIV1; c.AccessToken = tc.token })
				if err := tc.call(c); !errors.As(err, &got[i]) {
					t.Fatalf("%s: %v", transport, err)
				}
			}
			g, r := got[0], got[1]
			if g.Kind != r.Kind || g.Code != r.Code || g.ID != r.ID || g.Message != r.Message || g.Attempts != r.Attempts {
				t.Fatalf("gRPC %+v\nREST %+v", g, r)
			}
			if r.HTTPStatus == 0 {
				t.Fatal("REST answer without its HTTP status")
			}
		})
	}
}

// The event-store conflict (code Unknown, SQLSTATE 23505) is retried over
// REST as over gRPC, never taken for bad input.
func TestRESTWriteConflictRetried(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	c := h.client(t, withTransport(TransportREST))
	h.srv.InjectFault("BulkSetOrgMetadata", 2, fakezitadel.Fault{Code: codes.Unknown, Message: fakezitadel.WriteConflictMessage})
	if _, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KV{{Key: "a", Value: []byte("b")}}); err != nil {
		t.Fatal(err)
	}
	if n := h.srv.Calls("BulkSetOrgMetadata"); n != 3 {
		t.Fatalf("%d calls, want two conflicts and a success", n)
	}
}

// v2's REST delete carries its keys in the query string, so a long list of
// keys is split to keep each request line short.
func TestRESTV2DeleteKeepsRequestLinesShort(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	var keys []string
	for i := range 300 {
		k := fmt.Sprintf("%s-%03d", strings.Repeat("long-key-", 5), i)
		keys = append(keys, k)
		h.srv.SetMetadata(h.fx.OrgID, k, []byte("v"))
	}
	c := h.client(t, func(c *Config) { c.Transport = TransportREST; c.APIVersion = APIV2 })
	if n, err := c.RemoveMetadata(context.Background(), OrgOwner(h.fx.OrgID), keys); err != nil || n != 300 {
		t.Fatalf("removed %d: %v", n, err)
	}
	if calls := h.srv.Calls("DeleteOrganizationMetadata"); calls < 3 {
		t.Fatalf("%d delete calls for 300 keys of 50 bytes: request lines would exceed %d bytes", calls, maxQueryBytes)
	}
	if len(h.srv.Keys(h.fx.OrgID)) != 0 {
		t.Fatal("keys left")
	}
}

// A page too large for one answer is read in smaller pages, on both
// transports: the client notices the limit itself, without reading error
// texts.
func TestListShrinksPagesTooLargeForOneAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("moves about 80 MB")
	}
	h := startFake(t, fakezitadel.Options{})
	big := make([]byte, 500000)
	for i := range 150 {
		h.srv.SetMetadata(h.fx.OrgID, fmt.Sprintf("k%03d", i), big)
	}
	for _, transport := range []string{TransportGRPC, TransportREST} {
		t.Run(transport, func(t *testing.T) {
			c := h.client(t, withTransport(transport))
			got, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
			if err != nil || len(got) != 150 {
				t.Fatalf("%d entries: %v", len(got), err)
			}
		})
	}
}

// Through each proxy that breaks gRPC, auto switches to REST on the first
// call and stays there; grpc fails with advice to use REST.
func TestAutoTransportThroughBrokenProxies(t *testing.T) {
	for _, kind := range proxytest.Kinds() {
		t.Run(kind.String(), func(t *testing.T) {
			h := startFake(t, fakezitadel.Options{})
			p := proxytest.Start(t, kind, h.srv.Addr())
			through := func(c *Config) {
				c.Domain, c.Port = splitAddr(p.Addr())
				if ca := p.CACertPEM(); ca != nil {
					c.Insecure, c.CACertPEM = false, ca
				}
			}
			ctx := context.Background()

			auto := h.client(t, through)
			if _, err := auto.SetMetadata(ctx, OrgOwner(h.fx.OrgID), []KV{{Key: "a", Value: []byte("b")}}); err != nil {
				t.Fatalf("auto: %v", err)
			}
			grpcTries := p.GRPCRequests()
			for range 3 {
				if got, err := auto.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil); err != nil || len(got) != 1 {
					t.Fatalf("auto list: %v %v", got, err)
				}
			}
			if auto.Transport() != TransportREST {
				t.Fatalf("auto chose %q", auto.Transport())
			}
			// (The TLS proxy cannot count gRPC attempts: the client offers
			// HTTP/1.1 too, so its handshakes look like any other.)
			if grpcTries == 0 && kind != proxytest.TLSNoALPN || p.GRPCRequests() != grpcTries {
				t.Fatalf("gRPC attempts: %d before the switch, %d after: want some, then none", grpcTries, p.GRPCRequests())
			}

			forced := h.client(t, func(c *Config) { through(c); c.Transport = TransportGRPC })
			_, err := forced.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil)
			var e *Error
			if !errors.As(err, &e) || (e.Kind != KindNotGRPC && e.Kind != KindNoH2) || e.Attempts != 1 {
				t.Fatalf("forced gRPC: %#v", err)
			}
		})
	}
}

// An answer of ZITADEL over gRPC, even an error, settles gRPC: no REST.
func TestAutoTransportStaysOnGRPCAfterAZITADELError(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	c := h.client(t, func(c *Config) { c.AccessToken = "bad" })
	if _, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); !IsKind(err, KindUnauthenticated) {
		t.Fatalf("got %v", err)
	}
	if c.Transport() != TransportGRPC {
		t.Fatalf("chose %q after ZITADEL's answer", c.Transport())
	}
}

// When neither transport gets an answer from ZITADEL, the error says what
// each saw.
func TestAutoTransportNamesBothAttempts(t *testing.T) {
	nginx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html>404 Not Found</html>"))
	}))
	t.Cleanup(nginx.Close)
	host, port := splitAddr(strings.TrimPrefix(nginx.URL, "http://"))
	c, err := New(Config{Domain: host, Port: port, Insecure: true, AccessToken: "t", Retry: DefaultRetryPolicy()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_, err = c.ListMetadata(context.Background(), OrgOwner("1"), nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindNotZITADEL || e.Transport != TransportAuto ||
		!strings.Contains(e.Message, "over gRPC: ") || !strings.Contains(e.Message, "over REST: ") || e.HTTPStatus != http.StatusNotFound {
		t.Fatalf("got %#v", err)
	}
	if c.Transport() != TransportAuto {
		t.Fatalf("decided %q without an answer", c.Transport())
	}
}

// Extra headers travel with every request of both transports, OIDC
// discovery and the token request included, and cannot replace the
// credentials or the organization.
func TestExtraHeadersOnEveryRequest(t *testing.T) {
	for _, transport := range []string{TransportGRPC, TransportREST} {
		t.Run(transport, func(t *testing.T) {
			h := startFake(t, fakezitadel.Options{})
			kf := h.keyFile(t)
			c := h.client(t, func(c *Config) {
				c.Transport, c.AccessToken, c.KeyFile = transport, "", kf
				c.Headers = map[string]string{"cf-access-client-id": "gate"}
			})
			if _, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KV{{Key: "a", Value: []byte("b")}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err != nil {
				t.Fatal(err)
			}
			if h.srv.Calls(".well-known/openid-configuration") != 1 || h.srv.Calls("oauth/v2/token") != 1 {
				t.Fatalf("calls: %v", h.srv.AllCalls())
			}
			// Every request carries a user agent: four of them.
			all, gated := h.srv.RequestsWithHeader("user-agent"), h.srv.RequestsWithHeader("cf-access-client-id")
			if all != 4 || gated != all {
				t.Fatalf("%d of %d requests carried the extra header", gated, all)
			}
		})
	}
	for _, reserved := range []string{"Authorization", "x-zitadel-orgid"} {
		if _, err := New(Config{Domain: "h", Port: 1, Insecure: true, AccessToken: "t", Headers: map[string]string{reserved: "x"}}); err == nil {
			t.Errorf("%s accepted as an extra header", reserved)
		}
	}
}

// With issuer set, a key file's token comes from <issuer>/oauth/v2/token
// with the issuer as audience, without discovery at the address dialled.
func TestIssuerReplacesDiscovery(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	kf := h.keyFile(t)
	_, port := splitAddr(h.srv.Addr())
	c := h.client(t, func(c *Config) {
		// Dialled as localhost; the fake calls itself 127.0.0.1.
		c.Domain, c.Port, c.AccessToken, c.KeyFile, c.Issuer = "localhost", port, "", kf, h.srv.Issuer()
	})
	if _, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err != nil {
		t.Fatal(err)
	}
	if h.srv.Calls(".well-known/openid-configuration") != 0 || h.srv.Calls("oauth/v2/token") != 1 {
		t.Fatalf("calls: %v", h.srv.AllCalls())
	}
	// The audience is the issuer: another one is refused.
	wrong := h.client(t, func(c *Config) {
		c.AccessToken, c.KeyFile, c.Issuer = "", kf, "http://localhost:"+fmt.Sprint(port)
	})
	if _, err := wrong.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err == nil || !strings.Contains(err.Error(), "JWT profile") {
		t.Fatalf("wrong issuer: %v", err)
	}
}

// A refused token grant says nothing about the path: auto decides nothing,
// and the error is about the credentials on either transport.
func TestTokenFailureDecidesNoTransport(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	other := fakezitadel.New(fakezitadel.Options{})
	foreign, err := other.AddServiceAccountKey(other.Populate().OwnerID)
	if err != nil {
		t.Fatal(err)
	}
	kf, err := ParseKeyFile(foreign)
	if err != nil {
		t.Fatal(err)
	}
	for _, transport := range []string{TransportAuto, TransportGRPC, TransportREST} {
		c := h.client(t, func(c *Config) { c.Transport, c.AccessToken, c.KeyFile = transport, "", kf })
		_, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
		if !IsKind(err, KindUnauthenticated) || !strings.Contains(err.Error(), "JWT profile") {
			t.Fatalf("%s: %v", transport, err)
		}
		if c.Transport() != transport {
			t.Fatalf("%s: now %q", transport, c.Transport())
		}
	}
}

// What a gRPC call without an answer means, from what was observed.
func TestGRPCFailureKinds(t *testing.T) {
	cert := &handshakeOutcome{kind: KindHandshake}
	cases := []struct {
		name                string
		code                codes.Code
		sent                bool
		hs                  *handshakeOutcome
		connected, answered bool
		want                Kind
	}{
		{"certificate", codes.Unavailable, false, cert, false, false, KindHandshake},
		{"nothing listens", codes.Unavailable, false, nil, false, false, KindUnreachable},
		{"HTTP/1.1-only proxy: the HTTP/2 handshake fails", codes.Unavailable, false, nil, true, false, KindNotGRPC},
		{"a gateway's 503 before ZITADEL ever answered", codes.Unavailable, true, nil, true, false, KindTransient},
		{"a gateway's 503 later", codes.Unavailable, true, nil, true, true, KindTransient},
		{"the server went away after answering", codes.Unavailable, false, nil, true, true, KindTransient},
		{"a proxy's HTML 404", codes.Unimplemented, true, nil, true, false, KindNotGRPC},
		{"a proxy's 520", codes.Unknown, true, nil, true, false, KindNotGRPC},
		{"a proxy's 413 after answers", codes.Unknown, true, nil, true, true, KindNotGRPC},
	}
	for _, c := range cases {
		if got := grpcFailure(c.code, c.sent, c.hs, c.connected, c.answered); got != c.want {
			t.Errorf("%s: kind %d, want %d", c.name, got, c.want)
		}
	}
}

// A REST client never follows a redirect: it would turn a write into a
// read and carry the extra headers to another host.
func TestRESTDoesNotFollowRedirects(t *testing.T) {
	leaked := 0
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("cf-access-client-secret") != "" {
			leaked++
		}
	}))
	t.Cleanup(elsewhere.Close)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/login?token=secret", http.StatusFound)
	}))
	t.Cleanup(front.Close)
	host, port := splitAddr(strings.TrimPrefix(front.URL, "http://"))
	c, err := New(Config{Domain: host, Port: port, Insecure: true, AccessToken: "t", Retry: DefaultRetryPolicy(),
		Transport: TransportREST, Headers: map[string]string{"cf-access-client-secret": "s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_, err = c.SetMetadata(context.Background(), OrgOwner("1"), []KV{{Key: "a", Value: []byte("b")}})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindNotZITADEL || e.HTTPStatus != http.StatusFound || !strings.Contains(e.Message, "a redirect to "+elsewhere.URL+"/login") || strings.Contains(e.Message, "secret") {
		t.Fatalf("got %#v", err)
	}
	if leaked != 0 {
		t.Fatal("the redirect was followed with the extra headers")
	}
}

// A gateway's "try again" in front of ZITADEL (restarting) is retried
// over REST, from the first call on.
func TestRESTRetriesGatewayErrors(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	backend, _ := url.Parse("http://" + h.srv.Addr())
	proxy := httputil.NewSingleHostReverseProxy(backend)
	refused := 0
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refused < 2 {
			refused++
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>502 Bad Gateway</html>"))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	c := h.client(t, func(c *Config) {
		c.Domain, c.Port = splitAddr(strings.TrimPrefix(front.URL, "http://"))
		c.Transport = TransportREST
	})
	if _, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err != nil {
		t.Fatal(err)
	}
	if refused != 2 {
		t.Fatalf("%d refusals", refused)
	}
}

// REST requests are never larger than the client counted, whatever
// whitespace protojson chooses.
func TestRESTSizesCoverTheBody(t *testing.T) {
	var rt restTransport
	req := &management.BulkSetOrgMetadataRequest{}
	counted := 0
	for i, k := range []string{"k", "ä \"quoted\" key", strings.Repeat("x", 200), "<html>&"} {
		v := make([]byte, i*777)
		req.Metadata = append(req.Metadata, &management.BulkSetOrgMetadataRequest_Metadata{Key: k, Value: v})
		counted += rt.entrySize(k, v)
	}
	_, body, err := encodeREST(rpcBulkSet.rest, req)
	if err != nil {
		t.Fatal(err)
	}
	// The list's own {"metadata":[]} is the request's slack.
	if len(body) > counted+restSlack || counted < len(body)-len(`{"metadata":[]}`) {
		t.Fatalf("body %d bytes, counted %d", len(body), counted)
	}
}

// A token endpoint behind a gateway that says "try again" is retried; its
// failure is not taken for refused credentials.
func TestTokenGatewayErrorsAreRetried(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	kf := h.keyFile(t)
	calls := 0
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(gateway.Close)
	c := h.client(t, func(c *Config) {
		c.AccessToken, c.KeyFile, c.Issuer = "", kf, gateway.URL
		c.Retry.MaxElapsed = 300 * time.Millisecond
	})
	_, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindTransient || e.HTTPStatus != http.StatusServiceUnavailable || calls < 2 {
		t.Fatalf("after %d token requests: %#v", calls, err)
	}
}

// A proxy that answers gRPC with a 502 page looks like a restart to gRPC;
// auto asks REST in the same attempt and moves there when ZITADEL answers.
// Forced gRPC retries it as a restart and says to try REST.
func TestAutoTransportOnAGatewaysBadGateway(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	p := proxytest.Start(t, proxytest.Status502, h.srv.Addr())
	through := func(c *Config) { c.Domain, c.Port = splitAddr(p.Addr()) }
	auto := h.client(t, through)
	if _, err := auto.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err != nil {
		t.Fatal(err)
	}
	if auto.Transport() != TransportREST {
		t.Fatalf("auto chose %q", auto.Transport())
	}
	forced := h.client(t, func(c *Config) { through(c); c.Transport = TransportGRPC; c.Retry.MaxElapsed = 200 * time.Millisecond })
	_, err := forced.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindTransient || !e.Gateway || e.Attempts < 2 || strings.Contains(e.Message, "<html") {
		t.Fatalf("forced gRPC: %#v", err)
	}
}
