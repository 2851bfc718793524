package zitadel

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

type harness struct {
	srv *fakezitadel.Server
	fx  fakezitadel.Fixture
}

func startFake(t *testing.T, opts fakezitadel.Options) *harness {
	t.Helper()
	srv, fx := fakezitadel.StartTest(t, opts)
	return &harness{srv: srv, fx: fx}
}

func (h *harness) client(t *testing.T, mod func(*Config)) *Client {
	t.Helper()
	host, port := splitAddr(h.srv.Addr())
	cfg := Config{Domain: host, Port: port, Insecure: true, AccessToken: h.fx.OwnerToken, UserAgent: "test", Retry: DefaultRetryPolicy()}
	cfg.Retry.InitialBackoff = time.Millisecond
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// keyFile registers a service-account key for the owner and parses it.
func (h *harness) keyFile(t *testing.T) *KeyFile {
	t.Helper()
	keyJSON, err := h.srv.AddServiceAccountKey(h.fx.OwnerID)
	if err != nil {
		t.Fatal(err)
	}
	kf, err := ParseKeyFile(keyJSON)
	if err != nil {
		t.Fatal(err)
	}
	return kf
}

func splitAddr(addr string) (string, int) {
	i := strings.LastIndex(addr, ":")
	port, _ := strconv.Atoi(addr[i+1:])
	return addr[:i], port
}

func TestListReadsEveryPageSorted(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	for i := 9; i >= 0; i-- {
		h.srv.SetMetadata(h.fx.OrgID, fmt.Sprintf("k%02d", i), []byte("v"))
	}
	c := h.client(t, func(c *Config) { c.PageSize = 3 })
	got, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 || got[0].Key != "k00" || got[9].Key != "k09" {
		t.Fatalf("got %d entries, first %q", len(got), got[0].Key)
	}
	// Pages of 3, 3, 3, 1: the total on the last page ends the loop.
	if calls := h.srv.Calls("ListOrgMetadata"); calls != 4 {
		t.Fatalf("%d list calls, want 4", calls)
	}
	if got[0].Sequence == 0 || got[0].ResourceOwner != h.fx.OrgID || got[0].ChangeDate.IsZero() {
		t.Fatalf("entry details missing: %+v", got[0])
	}
}

func TestListFilters(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	for _, k := range []string{"a_b", "axb", "c"} {
		h.srv.SetMetadata(h.fx.OrgID, k, []byte("v"))
	}
	c := h.client(t, nil)
	got, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KeyFilter{{Key: "a_", Method: StartsWith}})
	if err != nil || len(got) != 1 || got[0].Key != "a_b" {
		t.Fatalf("got %v %v", got, err)
	}
}

// Writes are chunked and a later chunk failing reports how much landed
// before it; removes tolerate keys already gone; on both APIs.
func TestWritesChunkAndTolerateGoneKeys(t *testing.T) {
	for _, api := range []string{APIV1, APIV2} {
		t.Run(api, func(t *testing.T) {
			h := startFake(t, fakezitadel.Options{})
			m := methodsOfAPI(api)
			c := h.client(t, func(c *Config) { c.APIVersion, c.Transport, c.ChunkBytes = api, TransportGRPC, 1000 })
			var kvs []KV
			for i := 0; i < 10; i++ {
				kvs = append(kvs, KV{Key: fmt.Sprintf("k%d", i), Value: make([]byte, 300)})
			}
			n, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), kvs)
			if err != nil || n != 10 {
				t.Fatalf("applied %d: %v", n, err)
			}
			if calls := h.srv.Calls(m.set); calls != 4 {
				t.Fatalf("%d %s calls, want 4 (3 entries of ~310 bytes per 1000)", calls, m.set)
			}
			h.srv.InjectFault(m.set, 1, fakezitadel.Fault{Code: codes.PermissionDenied, Message: "no", Skip: 1})
			for i := range kvs {
				kvs[i].Value = []byte(strings.Repeat("c", 300))
			}
			n, err = c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), kvs)
			if n != 3 || !IsKind(err, KindPermissionDenied) {
				t.Fatalf("applied %d: %v", n, err)
			}
			if got := string(h.srv.Metadata(h.fx.OrgID)["k2"]); got != strings.Repeat("c", 300) {
				t.Fatalf("first chunk not applied: %q", got)
			}
			if got := h.srv.Metadata(h.fx.OrgID)["k3"]; got[0] != 0 {
				t.Fatal("second chunk applied despite failing")
			}

			h.srv.DeleteMetadata(h.fx.OrgID, "k3")
			if n, err := c.RemoveMetadata(context.Background(), OrgOwner(h.fx.OrgID), []string{"k1", "k3", "k5", "k1"}); err != nil || n != 3 {
				t.Fatalf("removed %d (k1, k3, k5 after de-duplication), err %v", n, err)
			}
			if keys := h.srv.Keys(h.fx.OrgID); len(keys) != 7 || slices.Contains(keys, "k1") || slices.Contains(keys, "k5") {
				t.Fatalf("left %v", keys)
			}
			if _, err := c.RemoveMetadata(context.Background(), OrgOwner(h.fx.OrgID), []string{"gone"}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWriteConflictRetried(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	h.srv.InjectFault("BulkSetOrgMetadata", 2, fakezitadel.Fault{Code: codes.Unknown, Message: fakezitadel.WriteConflictMessage})
	c := h.client(t, nil)
	if _, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KV{{"k", []byte("v")}}); err != nil {
		t.Fatal(err)
	}
	if calls := h.srv.Calls("BulkSetOrgMetadata"); calls != 3 {
		t.Fatalf("%d calls, want 3", calls)
	}
}

func TestQuirkValidationIsNotRetried(t *testing.T) {
	h := startFake(t, fakezitadel.Options{UnknownWrapQuirk: true})
	c := h.client(t, nil)
	_, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KV{{"", []byte("v")}})
	if !IsKind(err, KindInvalidInput) || h.srv.Calls("BulkSetOrgMetadata") != 1 {
		t.Fatalf("got %v after %d calls", err, h.srv.Calls("BulkSetOrgMetadata"))
	}
}

func TestGetOrg(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	c := h.client(t, nil)
	own, err := c.GetOrg(context.Background(), "")
	if err != nil || own.ID != h.fx.OrgID || !own.Exists() {
		t.Fatalf("own org %+v %v", own, err)
	}
	if err := h.srv.RemoveOrganization(h.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	// An instance owner still reads it, in no live state; the owner's
	// membership went with it.
	admin := h.client(t, func(c *Config) { c.AccessToken = h.fx.AdminToken })
	removed, err := admin.GetOrg(context.Background(), h.fx.SecondOrgID)
	if err != nil || removed.Exists() {
		t.Fatalf("removed org %+v %v", removed, err)
	}
	if _, err := c.GetOrg(context.Background(), h.fx.SecondOrgID); !IsKind(err, KindNoMembership) {
		t.Fatalf("removed org, asked by a former member: %v", err)
	}
	outsider := h.client(t, func(c *Config) { c.AccessToken = h.fx.OutsiderToken })
	if _, err := outsider.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); !IsKind(err, KindNoMembership) {
		t.Fatalf("outsider: %v", err)
	}
}

func TestJWTProfileAuth(t *testing.T) {
	// A token of two minutes, shorter than the five-minute refresh margin,
	// is reused too.
	h := startFake(t, fakezitadel.Options{TokenLifetime: 2 * time.Minute})
	kf := h.keyFile(t)
	c := h.client(t, func(c *Config) { c.AccessToken, c.KeyFile = "", kf })
	for i := 0; i < 3; i++ {
		if _, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.srv.Calls("oauth/v2/token"); n != 1 {
		t.Fatalf("token endpoint called %d times, want 1 (cached)", n)
	}
	// A key the server does not know is refused with a clear error.
	other := fakezitadel.New(fakezitadel.Options{})
	ofx := other.Populate()
	foreign, _ := other.AddServiceAccountKey(ofx.OwnerID)
	fk, _ := ParseKeyFile(foreign)
	bad := h.client(t, func(c *Config) { c.AccessToken, c.KeyFile = "", fk })
	_, err := bad.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
	if err == nil || !strings.Contains(err.Error(), "JWT profile") {
		t.Fatalf("foreign key: %v", err)
	}
}

func TestTLSWithPrivateCA(t *testing.T) {
	h := startFake(t, fakezitadel.Options{TLS: true})
	c := h.client(t, func(c *Config) { c.Insecure, c.CACertPEM = false, h.srv.CACertPEM() })
	if _, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err != nil {
		t.Fatal(err)
	}
	// Without the CA the system roots refuse the certificate.
	untrusted := h.client(t, func(c *Config) { c.Insecure = false })
	if _, err := untrusted.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); !IsKind(err, KindHandshake) {
		t.Fatalf("untrusted certificate: %v", err)
	}
	if n := h.srv.Calls("ListOrgMetadata"); n != 1 {
		t.Fatalf("%d calls reached the server, want only the trusted one", n)
	}
}

func TestCancellationStopsPromptly(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	h.srv.InjectFault("ListOrgMetadata", -1, fakezitadel.Fault{Delay: time.Minute})
	c := h.client(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil)
		done <- err
	}()
	for h.srv.Calls("ListOrgMetadata") == 0 { // until the call is at the server
		select {
		case err := <-done:
			t.Fatalf("the call ended before it was cancelled: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	cancel() // what Terraform does on an interrupt
	select {
	case err := <-done:
		if !IsKind(err, KindCanceled) {
			t.Fatalf("got %v, want a cancellation", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the call did not stop when its context was cancelled")
	}
	if n := h.srv.Calls("ListOrgMetadata"); n != 1 {
		t.Fatalf("%d calls: a cancelled call was retried", n)
	}
}

func TestConcurrentWritersOneOrganization(t *testing.T) {
	// Many writers, one organization, conflicts injected: every write lands.
	h := startFake(t, fakezitadel.Options{})
	h.srv.InjectFault("BulkSetOrgMetadata", 5, fakezitadel.Fault{Code: codes.Unknown, Message: fakezitadel.WriteConflictMessage})
	c := h.client(t, nil)
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		go func() {
			_, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KV{{Key: fmt.Sprintf("w%02d", i), Value: []byte("v")}})
			errs <- err
		}()
	}
	for i := 0; i < 16; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.srv.Keys(h.fx.OrgID)); n != 16 {
		t.Fatalf("%d keys, want 16", n)
	}
}

// A server that was never reached fails fast with the address; once it was
// reached, losing it is transient as before.
func TestUnreachableServer(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close() // nothing listens there now
	host, port := splitAddr(addr)
	clock := time.Unix(0, 0)
	retry := DefaultRetryPolicy()
	retry.Now = func() time.Time { return clock }
	retry.Sleep = func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil }
	c, err := New(Config{Domain: host, Port: port, Insecure: true, AccessToken: "t", Retry: retry})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	_, err = c.ListMetadata(context.Background(), OrgOwner("1"), nil)
	var ze *Error
	if !errors.As(err, &ze) || ze.Kind != KindUnreachable || ze.Addr != addr || !strings.Contains(ze.Message, "refused") {
		t.Fatalf("got %#v", err)
	}
	if spent := clock.Sub(time.Unix(0, 0)); spent > UnreachableTimeout || ze.Attempts < 2 {
		t.Fatalf("retried for %s in %d attempts; want a few attempts within %s, not the whole retry_timeout", spent, ze.Attempts, UnreachableTimeout)
	}

	h := startFake(t, fakezitadel.Options{})
	reached := h.client(t, func(c *Config) { c.Retry.MaxAttempts = 2 })
	if _, err := reached.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err != nil {
		t.Fatal(err)
	}
	h.srv.Close()
	_, err = reached.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
	if !IsKind(err, KindTransient) {
		t.Fatalf("after the server was reached once, losing it should be transient: %v", err)
	}
}

// connectProxy is a minimal HTTP CONNECT proxy that knows the host
// zitadel.internal.example (unknown to any DNS) as backend.
func connectProxy(t *testing.T, backend string) (addr string, used *atomic.Int32) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lis.Close() })
	used = &atomic.Int32{}
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer func() { _ = c.Close() }()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil || req.Method != http.MethodConnect || !strings.HasPrefix(req.Host, "zitadel.internal.example:") {
					return
				}
				used.Add(1)
				b, err := net.Dial("tcp", backend)
				if err != nil {
					_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
					return
				}
				_, _ = io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
				go func() { _, _ = io.Copy(b, br); _ = b.Close() }()
				_, _ = io.Copy(c, b)
			}(c)
		}
	}()
	return lis.Addr().String(), used
}

// Servers reachable only through a CONNECT proxy (HTTPS_PROXY) work, and
// the proxy counts as reaching the server.
func TestHTTPSProxyIsHonoured(t *testing.T) {
	if os.Getenv("ZM_PROXY_TEST_CHILD") == "" {
		// Go reads the proxy settings once per process: check in a fresh one.
		cmd := exec.Command(os.Args[0], "-test.run=^TestHTTPSProxyIsHonoured$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ZM_PROXY_TEST_CHILD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	h := startFake(t, fakezitadel.Options{})
	proxy, used := connectProxy(t, h.srv.Addr())
	for _, v := range []string{"HTTPS_PROXY", "https_proxy"} {
		t.Setenv(v, "http://"+proxy)
	}
	for _, v := range []string{"NO_PROXY", "no_proxy"} {
		t.Setenv(v, "")
	}
	c := h.client(t, func(c *Config) { c.Domain = "zitadel.internal.example" })
	if _, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err != nil {
		t.Fatalf("through HTTPS_PROXY: %v", err)
	}
	if used.Load() == 0 {
		t.Fatal("the proxy saw no CONNECT")
	}
}

// When the caller's time runs out, the error says the provider stopped
// waiting (not that ZITADEL answered DeadlineExceeded), keeps ZITADEL's last
// answer it meant to retry, and leaves a real answer that came in alone.
func TestStoppedWaiting(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	c := h.client(t, func(c *Config) { c.Retry.InitialBackoff = 50 * time.Millisecond })
	h.srv.InjectFault("ListOrgMetadata", -1, fakezitadel.Fault{Code: codes.Unavailable, Message: "down"})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(e.Stopped, context.DeadlineExceeded) || e.Kind != KindTimeout || e.Waited < 200*time.Millisecond || e.Last != "Unavailable: down" {
		t.Fatalf("err = %#v", err)
	}
	h.srv.ClearFaults()
	h.srv.InjectFault("ListOrgMetadata", -1, fakezitadel.Fault{Delay: time.Minute})
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil)
	if !errors.As(err, &e) || !errors.Is(e.Stopped, context.Canceled) || e.Kind != KindCanceled || e.Last != "" {
		t.Fatalf("err = %#v", err)
	}
	h.srv.ClearFaults()
	// A refusal is ZITADEL's answer, whenever it comes.
	h.srv.InjectFault("ListOrgMetadata", -1, fakezitadel.Fault{Code: codes.PermissionDenied, Message: "no", Delay: 100 * time.Millisecond})
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil)
	if errors.As(err, &e) && e.Stopped != nil && e.Kind != KindTimeout {
		t.Fatalf("err = %#v", err)
	}
}
