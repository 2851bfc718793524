// Package proxytest starts reverse proxies on 127.0.0.1 that pass plain HTTP
// (JSON over HTTP/1.1) to a backend but break gRPC, the way proxies in front
// of ZITADEL do in the field. Tests of a transport that falls back from gRPC
// to REST put one in front of the fake ZITADEL.
//
// What a grpc-go v1.85 client observes for a unary call (tests assert it:
// TestBrokenGRPC, TestBackendAnswerSignals). The last three columns say
// whether a stats.Handler registered with grpc.WithStatsHandler saw a
// *stats.ConnBegin for the connection and a *stats.InHeader and
// *stats.InTrailer for the RPC.
//
//	through      code           message                                   ConnBegin InHeader InTrailer
//	HTTP1Only    Unavailable    connection error: desc = "error reading     yes       no       no
//	                            server preface: http2: failed reading the
//	                            frame payload: http2: frame too large, note
//	                            that the frame header looked like an
//	                            HTTP/1.1 header"
//	HTML404      Unimplemented  unexpected HTTP status code received from   yes       no       no
//	                            server: 404 (Not Found); transport: received
//	                            unexpected content-type "text/html"\ndata:
//	                            "<html>..." (up to 1 KiB of the body)
//	Status520    Unknown        as HTML404 with "520 ()" (no status text)   yes       no       no
//	TLSNoALPN    Unavailable    connection error: desc = "transport:        no        no       no
//	                            authentication handshake failed: remote
//	                            error: tls: no application protocol"
//
// Answers of the gRPC server itself, for contrast:
//
//	straight to            code             ConnBegin InHeader InTrailer
//	fake, success          OK               yes       yes      yes
//	fake, bad token        Unauthenticated  yes       yes      yes
//	fake, DisableV1        Unimplemented    yes       yes      yes
//	grpc.Server, error     Unauthenticated  yes       no       yes
//
// So InTrailer (the grpc-status the server sent) is the structured sign that
// a gRPC server answered: every answer of one carries it, and no breakage
// above produces it. InHeader is not: a standalone grpc.Server answers an
// error trailers-only, with InTrailer alone (servers behind net/http, as
// ZITADEL and the fake are, send headers first). ConnBegin tells only that
// an HTTP/2 connection was set up (for HTTP1Only before the server preface
// failed), and the code alone cannot tell HTML404 from a server that does not
// implement the service. With HTML404 and Status520 the client also sees a
// *stats.OutHeader (its request went out on a stream); with HTTP1Only and
// TLSNoALPN it does not.
package proxytest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/testcert"
)

// Kind is a way a proxy breaks gRPC while passing plain HTTP.
type Kind int

const (
	// HTTP1Only speaks only HTTP/1.1, to clients and to the backend, as a
	// proxy without HTTP/2 support does. It answers the HTTP/2 client
	// preface of a gRPC client with 505 HTTP Version Not Supported and
	// closes the connection; plain HTTP/1.1 requests pass.
	HTTP1Only Kind = iota
	// HTML404 speaks HTTP/1.1 and h2c to clients and answers every request
	// with a Content-Type of application/grpc* with 404 Not Found and an
	// HTML page, as a proxy with no route for gRPC does; everything else
	// passes.
	HTML404
	// Status520 is HTML404 with status 520 instead, Cloudflare's "web
	// server returned an unknown error".
	Status520
	// TLSNoALPN terminates TLS with a certificate from a private CA (see
	// Proxy.CACertPEM) and offers only http/1.1 in ALPN, so the handshake of
	// a gRPC client, which offers only h2, fails; HTTPS requests over
	// HTTP/1.1 pass.
	TLSNoALPN
	// Status502 is HTML404 with 502 Bad Gateway instead: a proxy whose
	// gRPC upstream is not set up, or whose upstream is down. gRPC clients
	// see Unavailable, as for a restart, so it is not in Kinds.
	Status502
)

// Kinds returns every Kind, for tests that run over all of them.
func Kinds() []Kind { return []Kind{HTTP1Only, HTML404, Status520, TLSNoALPN} }

func (k Kind) String() string {
	switch k {
	case HTTP1Only:
		return "HTTP1Only"
	case HTML404:
		return "HTML404"
	case Status520:
		return "Status520"
	case TLSNoALPN:
		return "TLSNoALPN"
	case Status502:
		return "Status502"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Proxy is a running proxy.
type Proxy struct {
	kind  Kind
	addr  string
	caPEM []byte

	grpcRequests  atomic.Int64
	otherRequests atomic.Int64

	// handlers tracks the requests in flight, so the cleanup can wait for
	// them; closed (under mu) turns away requests that arrive after the
	// cleanup began.
	mu       sync.Mutex
	closed   bool
	handlers sync.WaitGroup
}

// Addr is the proxy's address, host:port.
func (p *Proxy) Addr() string { return p.addr }

// URL is the proxy's base URL: https://host:port for TLSNoALPN,
// http://host:port otherwise.
func (p *Proxy) URL() string {
	if p.kind == TLSNoALPN {
		return "https://" + p.addr
	}
	return "http://" + p.addr
}

// CACertPEM is the PEM of the CA that signed the certificate of a TLSNoALPN
// proxy; nil for the other kinds.
func (p *Proxy) CACertPEM() []byte { return p.caPEM }

// GRPCRequests counts the gRPC attempts the proxy turned away: requests with
// a Content-Type of application/grpc*, HTTP/2 client prefaces (HTTP1Only)
// and TLS handshakes that offered h2 but not http/1.1 (TLSNoALPN). Plain
// HTTP/1.1 requests with a gRPC Content-Type that HTTP1Only or TLSNoALPN
// forward are counted here too.
func (p *Proxy) GRPCRequests() int { return int(p.grpcRequests.Load()) }

// OtherRequests counts the requests the proxy forwarded that were not gRPC.
func (p *Proxy) OtherRequests() int { return int(p.otherRequests.Load()) }

// Start starts a proxy of that kind on 127.0.0.1 in front of backend
// (host:port of a server that speaks plaintext HTTP/1.1) and stops it when
// the test ends. Requests it passes reach the backend over HTTP/1.1 with
// method, path, query, headers (Host included) and body unchanged, except
// for the hop-by-hop headers HTTP forbids a proxy to forward; responses
// stream back as they come.
func Start(t testing.TB, kind Kind, backend string) *Proxy {
	t.Helper()
	return StartFor(t, kind, backend, "")
}

// StartFor is Start with the Host header (and :authority) set to host on
// every request it passes, unless host is "": a real ZITADEL finds its
// instance by it, so a proxy in front of one must pass its own name on.
func StartFor(t testing.TB, kind Kind, backend, host string) *Proxy {
	t.Helper()
	if !slices.Contains(Kinds(), kind) && kind != Status502 {
		t.Fatalf("proxytest: unknown %v", kind)
	}
	p := &Proxy{kind: kind}
	upstream := &http.Transport{
		Proxy:                 nil, // never a proxy from the environment
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		DisableCompression:    true, // pass Accept-Encoding and bodies through as they are
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		Protocols:             new(http.Protocols),
	}
	upstream.Protocols.SetHTTP1(true)
	target := &url.URL{Scheme: "http", Host: backend}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
			if host != "" {
				r.Out.Host = host
			}
			// Rewrite drops these from the outbound request; a client's
			// own values pass unchanged.
			for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"} {
				if v, ok := r.In.Header[h]; ok {
					r.Out.Header[h] = v
				}
			}
		},
		Transport: upstream,
		// 0, not -1: a trailers-only gRPC answer must not be flushed
		// before its end (streamed bodies are flushed at once anyway).
		FlushInterval: 0,
		ErrorLog:      log.New(io.Discard, "", 0),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if !errors.Is(err, context.Canceled) {
				t.Logf("proxytest: %s %s: %v", r.Method, r.URL.Path, err)
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}

	srv := &http.Server{
		Handler:           p.track(p.handler(rp)),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
		Protocols:         new(http.Protocols),
	}
	srv.Protocols.SetHTTP1(true)
	if kind == HTML404 || kind == Status520 || kind == Status502 {
		srv.Protocols.SetUnencryptedHTTP2(true)
	}

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxytest: listen: %v", err)
	}
	if kind == TLSNoALPN {
		cert, caPEM, err := testcert.New("proxytest CA")
		if err != nil {
			_ = lis.Close()
			t.Fatalf("proxytest: certificate: %v", err)
		}
		p.caPEM = caPEM
		lis = tls.NewListener(lis, &tls.Config{
			Certificates: []tls.Certificate{cert},
			NextProtos:   []string{"http/1.1"},
			MinVersion:   tls.VersionTLS12,
			GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
				if slices.Contains(hello.SupportedProtos, "h2") && !slices.Contains(hello.SupportedProtos, "http/1.1") {
					p.grpcRequests.Add(1)
				}
				return nil, nil
			},
		})
	}
	p.addr = lis.Addr().String()

	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(lis) // returns http.ErrServerClosed after Close
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-served
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.handlers.Wait()
		upstream.CloseIdleConnections()
	})
	return p
}

// handler answers what the kind turns away and proxies the rest.
func (p *Proxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "PRI" && r.ProtoMajor == 2:
			// The HTTP/2 client preface, which Go's HTTP/1 server hands to
			// the handler; an HTTP/1.1-only proxy rejects the version.
			p.grpcRequests.Add(1)
			w.Header().Set("Connection", "close")
			http.Error(w, "505 HTTP Version Not Supported", http.StatusHTTPVersionNotSupported)
			return
		case isGRPC(r):
			p.grpcRequests.Add(1)
			switch p.kind {
			case HTML404:
				writeHTML(w, http.StatusNotFound, "404 Not Found")
				return
			case Status520:
				writeHTML(w, 520, "520: Web server is returning an unknown error")
				return
			case Status502:
				writeHTML(w, http.StatusBadGateway, "502 Bad Gateway")
				return
			}
		default:
			p.otherRequests.Add(1)
		}
		next.ServeHTTP(w, r)
	})
}

// track runs next unless the proxy is closing, and lets Close wait for it.
func (p *Proxy) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		p.handlers.Add(1)
		p.mu.Unlock()
		defer p.handlers.Done()
		next.ServeHTTP(w, r)
	})
}

func isGRPC(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc")
}

// writeHTML answers with an error page like the ones nginx and Cloudflare
// send.
func writeHTML(w http.ResponseWriter, code int, title string) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>proxytest</center>\r\n</body>\r\n</html>\r\n", title, title)
}
