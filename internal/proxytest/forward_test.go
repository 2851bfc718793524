package proxytest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/proxytest"
)

// echo is a backend that answers with what it received.
type echo struct {
	Method, URI, Host, Proto, Body string
	Header                         http.Header
}

func startEcho(t *testing.T) string {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "echo")
		_ = json.NewEncoder(w).Encode(echo{
			Method: r.Method, URI: r.RequestURI, Host: r.Host, Proto: r.Proto,
			Body: string(body), Header: r.Header,
		})
	}))
	t.Cleanup(backend.Close)
	return backend.Listener.Addr().String()
}

// TestForwardsUnchanged checks that a request reaches the backend as the
// client sent it, over HTTP/1.1, from HTTP/1.1 clients and, where the proxy
// speaks it, h2c clients.
func TestForwardsUnchanged(t *testing.T) {
	for _, kind := range proxytest.Kinds() {
		for _, h2c := range []bool{false, true} {
			if h2c && kind != proxytest.HTML404 && kind != proxytest.Status520 {
				continue
			}
			name := kind.String()
			if h2c {
				name += "/h2c"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p := proxytest.Start(t, kind, startEcho(t))
				c := httpClient(t, p)
				if h2c {
					tr := &http.Transport{Proxy: nil, Protocols: new(http.Protocols)}
					tr.Protocols.SetUnencryptedHTTP2(true)
					t.Cleanup(tr.CloseIdleConnections)
					c = &http.Client{Transport: tr, Timeout: 5 * time.Second}
				}

				const body = `{"query":{"offset":"0","limit":10}}`
				const uri = "/management/v1/orgs/me/metadata/_search?a=1&b=%2F"
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL()+uri, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Host = "zitadel.example.com"
				req.Header.Set("Authorization", "Bearer secret")
				req.Header.Set("X-Zitadel-Orgid", "123")
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", "192.0.2.1")
				req.Header.Add("X-Custom", "one")
				req.Header.Add("X-Custom", "two")
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = resp.Body.Close() }()
				if h2c && resp.ProtoMajor != 2 {
					t.Errorf("h2c client got %s", resp.Proto)
				}
				var got echo
				if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
					t.Fatalf("%s: %v", resp.Status, err)
				}
				if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Backend") != "echo" {
					t.Errorf("response %s, X-Backend %q", resp.Status, resp.Header.Get("X-Backend"))
				}
				want := echo{Method: http.MethodPost, URI: uri, Host: "zitadel.example.com", Proto: "HTTP/1.1", Body: body}
				if got.Method != want.Method || got.URI != want.URI || got.Host != want.Host || got.Proto != want.Proto || got.Body != want.Body {
					t.Errorf("backend saw %+v, want %+v", got, want)
				}
				for name, values := range req.Header {
					if strings.Join(got.Header.Values(name), ",") != strings.Join(values, ",") {
						t.Errorf("backend saw %s: %q, want %q", name, got.Header.Values(name), values)
					}
				}
			})
		}
	}
}

// TestStreamsResponse checks that the proxy passes on what the backend has
// flushed without waiting for the rest.
func TestStreamsResponse(t *testing.T) {
	for _, kind := range proxytest.Kinds() {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, "first\n")
				_ = http.NewResponseController(w).Flush()
				select {
				case <-release:
				case <-r.Context().Done():
				}
				_, _ = io.WriteString(w, "second\n")
			}))
			t.Cleanup(backend.Close)
			p := proxytest.Start(t, kind, backend.Listener.Addr().String())

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL()+"/stream", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := httpClient(t, p).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			r := bufio.NewReader(resp.Body)
			if line, err := r.ReadString('\n'); line != "first\n" {
				t.Fatalf("first line %q, %v", line, err)
			}
			close(release)
			if rest, err := io.ReadAll(r); string(rest) != "second\n" {
				t.Fatalf("rest %q, %v", rest, err)
			}
		})
	}
}

// TestGRPCContentTypeOverHTTP1 shows that HTML404 and Status520 turn gRPC
// away by Content-Type whatever the HTTP version, while HTTP1Only forwards
// such a request as any other.
func TestGRPCContentTypeOverHTTP1(t *testing.T) {
	tests := []struct {
		kind proxytest.Kind
		code int
	}{
		{proxytest.HTML404, http.StatusNotFound},
		{proxytest.Status520, 520},
		{proxytest.HTTP1Only, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			t.Parallel()
			p := proxytest.Start(t, tt.kind, startEcho(t))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL()+"/zitadel.management.v1.ManagementService/GetMyOrg", strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/grpc+proto")
			resp, err := httpClient(t, p).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			_, _ = io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != tt.code {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.code)
			}
			if tt.code != http.StatusOK && resp.Header.Get("Content-Type") != "text/html" {
				t.Errorf("Content-Type %q, want text/html", resp.Header.Get("Content-Type"))
			}
			if p.GRPCRequests() != 1 || p.OtherRequests() != 0 {
				t.Errorf("GRPCRequests() = %d, OtherRequests() = %d, want 1 and 0", p.GRPCRequests(), p.OtherRequests())
			}
		})
	}
}

// TestStopsWithTest checks that a proxy no longer listens once its test
// has ended.
func TestStopsWithTest(t *testing.T) {
	backend := startEcho(t)
	for _, kind := range proxytest.Kinds() {
		var addr string
		t.Run(kind.String(), func(t *testing.T) {
			addr = proxytest.Start(t, kind, backend).Addr()
		})
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = conn.Close()
			t.Errorf("%v proxy at %s still accepts connections after its test", kind, addr)
		}
	}
}
