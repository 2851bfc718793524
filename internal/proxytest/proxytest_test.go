package proxytest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/proxytest"
)

// seen is what a client's stats handler saw of one connection and one RPC.
type seen struct {
	ConnBegin, OutHeader, InHeader, InTrailer bool
}

// recorder is a grpc stats.Handler that notes which events arrived.
type recorder struct {
	mu sync.Mutex
	s  seen
}

func (r *recorder) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (r *recorder) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}

func (r *recorder) HandleRPC(_ context.Context, s stats.RPCStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch s.(type) {
	case *stats.OutHeader:
		r.s.OutHeader = true
	case *stats.InHeader:
		r.s.InHeader = true
	case *stats.InTrailer:
		r.s.InTrailer = true
	}
}

func (r *recorder) HandleConn(_ context.Context, s stats.ConnStats) {
	if _, ok := s.(*stats.ConnBegin); ok {
		r.mu.Lock()
		r.s.ConnBegin = true
		r.mu.Unlock()
	}
}

func (r *recorder) seen() seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.s
}

// getMyOrg makes one GetMyOrg call to addr with a fresh client and returns
// its error and what the stats handler saw.
func getMyOrg(t *testing.T, addr string, creds credentials.TransportCredentials, token string) (seen, error) {
	t.Helper()
	rec := &recorder{}
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(creds), grpc.WithStatsHandler(rec))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	_, callErr := management.NewManagementServiceClient(conn).GetMyOrg(ctx, &management.GetMyOrgRequest{})
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	return rec.seen(), callErr
}

// grpcCreds are the credentials a client of the proxy uses: TLS trusting
// the proxy's CA for TLSNoALPN, plaintext otherwise.
func grpcCreds(t *testing.T, p *proxytest.Proxy) credentials.TransportCredentials {
	if p.CACertPEM() == nil {
		return insecure.NewCredentials()
	}
	return credentials.NewTLS(&tls.Config{RootCAs: caPool(t, p), MinVersion: tls.VersionTLS12})
}

func caPool(t *testing.T, p *proxytest.Proxy) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(p.CACertPEM()) {
		t.Fatal("CACertPEM holds no certificate")
	}
	return pool
}

// httpClient is a plain HTTP client of the proxy. Over TLS it offers h2 and
// http/1.1, as a browser or Go's default client does.
func httpClient(t *testing.T, p *proxytest.Proxy) *http.Client {
	tr := &http.Transport{Proxy: nil, ForceAttemptHTTP2: true}
	if p.CACertPEM() != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: caPool(t, p), MinVersion: tls.VersionTLS12}
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestBrokenGRPC records what a grpc-go client sees through each proxy: the
// call fails, while the same call straight to the backend succeeds, and
// plain HTTP through the proxy reaches the backend.
func TestBrokenGRPC(t *testing.T) {
	tests := []struct {
		kind proxytest.Kind
		code codes.Code
		// msg are parts of the status message.
		msg  []string
		seen seen
	}{{
		// The proxy answers the HTTP/2 preface with an HTTP/1.1 505 and
		// closes; the client reads the status line as a frame header.
		kind: proxytest.HTTP1Only,
		code: codes.Unavailable,
		msg:  []string{"connection error", "error reading server preface"},
		seen: seen{ConnBegin: true},
	}, {
		// HTTP 404 maps to Unimplemented; grpc-go appends the start of the
		// body after "data:".
		kind: proxytest.HTML404,
		code: codes.Unimplemented,
		msg: []string{
			"unexpected HTTP status code received from server: 404 (Not Found)",
			`transport: received unexpected content-type "text/html"`,
			"data:", "404 Not Found",
		},
		seen: seen{ConnBegin: true, OutHeader: true},
	}, {
		// 520 is in no table of grpc-go's and maps to Unknown; Go has no
		// text for it, hence the empty parentheses.
		kind: proxytest.Status520,
		code: codes.Unknown,
		msg: []string{
			"unexpected HTTP status code received from server: 520 ()",
			`transport: received unexpected content-type "text/html"`,
			"data:", "520",
		},
		seen: seen{ConnBegin: true, OutHeader: true},
	}, {
		// grpc-go offers only h2; Go's TLS server fails the handshake with
		// no_application_protocol, before any HTTP/2 connection exists.
		kind: proxytest.TLSNoALPN,
		code: codes.Unavailable,
		msg:  []string{"tls: no application protocol"},
		seen: seen{},
	}}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			t.Parallel()
			srv, fx := fakezitadel.StartTest(t, fakezitadel.Options{})
			p := proxytest.Start(t, tt.kind, srv.Addr())

			s, err := getMyOrg(t, p.Addr(), grpcCreds(t, p), fx.OwnerToken)
			st := status.Convert(err)
			t.Logf("through %v: code=%v seen=%+v message=%q", tt.kind, st.Code(), s, st.Message())
			if st.Code() != tt.code {
				t.Errorf("code = %v, want %v (message %q)", st.Code(), tt.code, st.Message())
			}
			for _, part := range tt.msg {
				if !strings.Contains(st.Message(), part) {
					t.Errorf("message %q does not contain %q", st.Message(), part)
				}
			}
			if s != tt.seen {
				t.Errorf("stats seen = %+v, want %+v", s, tt.seen)
			}
			if got := srv.Calls("GetMyOrg"); got != 0 {
				t.Errorf("backend saw %d GetMyOrg calls through the proxy, want 0", got)
			}
			if p.GRPCRequests() == 0 {
				t.Error("GRPCRequests() = 0 after a gRPC attempt")
			}

			if _, err := getMyOrg(t, srv.Addr(), insecure.NewCredentials(), fx.OwnerToken); err != nil {
				t.Fatalf("GetMyOrg straight to the backend: %v", err)
			}

			c := httpClient(t, p)
			resp, body := get(t, c, p.URL()+"/.well-known/openid-configuration")
			_, direct := get(t, c, "http://"+srv.Addr()+"/.well-known/openid-configuration")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("discovery through the proxy: %s %s: %s", resp.Status, resp.Header.Get("Content-Type"), body)
			}
			if resp.ProtoMajor != 1 {
				t.Errorf("discovery through the proxy came over %s, want HTTP/1.1", resp.Proto)
			}
			if string(body) != string(direct) {
				t.Errorf("discovery through the proxy = %s, straight = %s", body, direct)
			}
			if got := p.OtherRequests(); got != 1 {
				t.Errorf("OtherRequests() = %d, want 1", got)
			}
		})
	}
}

// unauthenticated is a management service that turns every caller away, as
// a gRPC server of its own (not behind net/http) does.
type unauthenticated struct {
	management.UnimplementedManagementServiceServer
}

func (unauthenticated) GetMyOrg(context.Context, *management.GetMyOrgRequest) (*management.GetMyOrgResponse, error) {
	return nil, status.Error(codes.Unauthenticated, "token invalid")
}

// TestBackendAnswerSignals records what the stats handler sees when a gRPC
// server itself answers, success or error: InTrailer always, which no broken
// proxy above produces. InHeader comes with every answer of a server behind
// net/http (ZITADEL and the fake serve gRPC through http.Handler), but not
// with the trailers-only error answer of a standalone grpc.Server.
func TestBackendAnswerSignals(t *testing.T) {
	srv, fx := fakezitadel.StartTest(t, fakezitadel.Options{})
	noV1, noV1Fx := fakezitadel.StartTest(t, fakezitadel.Options{DisableV1: true})

	native := grpc.NewServer()
	management.RegisterManagementServiceServer(native, unauthenticated{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = native.Serve(lis)
	}()
	t.Cleanup(func() {
		native.Stop()
		<-served
	})

	all := seen{ConnBegin: true, OutHeader: true, InHeader: true, InTrailer: true}
	tests := []struct {
		name, addr, token string
		code              codes.Code
		seen              seen
	}{
		{"success", srv.Addr(), fx.OwnerToken, codes.OK, all},
		{"bad token", srv.Addr(), "no-such-token", codes.Unauthenticated, all},
		// The same code as through HTML404, told apart by InTrailer.
		{"service switched off", noV1.Addr(), noV1Fx.OwnerToken, codes.Unimplemented, all},
		{"trailers-only error", lis.Addr().String(), fx.OwnerToken, codes.Unauthenticated,
			seen{ConnBegin: true, OutHeader: true, InTrailer: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := getMyOrg(t, tt.addr, insecure.NewCredentials(), tt.token)
			st := status.Convert(err)
			t.Logf("%s: code=%v seen=%+v message=%q", tt.name, st.Code(), s, st.Message())
			if st.Code() != tt.code {
				t.Errorf("code = %v, want %v (message %q)", st.Code(), tt.code, st.Message())
			}
			if s != tt.seen {
				t.Errorf("stats seen = %+v, want %+v", s, tt.seen)
			}
		})
	}
}
