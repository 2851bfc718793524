package fakezitadel

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
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// Front stands in front of a ZITADEL, real or fake, and does to the calls
// that pass it what the fake does to its own: it counts them (Calls),
// applies the faults injected with InjectFault, and with Options.DisableV1
// or DisableV2 answers the calls of those services as a server without them
// does. Everything else reaches the backend unchanged but for the Host
// (gRPC's :authority), which is the backend's own: a real ZITADEL finds its
// instance by it. With Options.TLS it serves TLS with a certificate of a
// private CA (CACertPEM), as Server does. So the fault tests run against a
// real ZITADEL as they do against the fake.
type Front struct {
	s *Server // counts, faults and options only: no store
}

// StartFront starts a front on 127.0.0.1 for backend (host:port, reached
// in plaintext, or over TLS with backendTLS, whose RootCAs nil means the
// system's) and stops it when the test ends. Only opts.DisableV1,
// DisableV2 and TLS apply.
func StartFront(t testing.TB, backend string, backendTLS *tls.Config, opts Options) *Front {
	t.Helper()
	f := &Front{s: New(Options{DisableV1: opts.DisableV1, DisableV2: opts.DisableV2, TLS: opts.TLS})}
	f.s.front = true
	scheme := "http"
	grpcUpstream := &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second, Protocols: new(http.Protocols)}
	restUpstream := &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second, Protocols: new(http.Protocols)}
	restUpstream.Protocols.SetHTTP1(true)
	if backendTLS != nil {
		scheme = "https"
		grpcUpstream.Protocols.SetHTTP2(true)
		grpcUpstream.TLSClientConfig = backendTLS.Clone()
		restUpstream.TLSClientConfig = backendTLS.Clone()
	} else {
		grpcUpstream.Protocols.SetUnencryptedHTTP2(true)
	}
	target := &url.URL{Scheme: scheme, Host: backend}
	proxy := func(upstream *http.Transport) *httputil.ReverseProxy {
		return &httputil.ReverseProxy{
			Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(target)
				r.Out.Host = backend
			},
			Transport: upstream,
			// 0, not -1: a response of headers only (how gRPC servers answer
			// an error) must not be flushed before its end, or the client
			// sees a stream closed without trailers. Streamed bodies are
			// flushed at once anyway.
			FlushInterval: 0,
			ErrorLog:      log.New(io.Discard, "", 0),
		}
	}
	toGRPC, toREST := proxy(grpcUpstream), proxy(restUpstream)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 && isGRPCRequest(r) {
			service, method := splitMethod(r.URL.Path)
			if err := f.s.countAndFault(clientContext(r), service, method, f.s.disabled(service)); err != nil {
				writeFault(w, err, true)
				return
			}
			toGRPC.ServeHTTP(w, r)
			return
		}
		if rt, ok := matchRoute(r); ok {
			disabled := f.s.disabled(rt.service.ServiceName)
			if err := f.s.countAndFault(clientContext(r), rt.service.ServiceName, rt.method, disabled); err != nil {
				if disabled != nil {
					writeRoutingError(w, http.StatusNotFound, codes.NotFound)
				} else {
					writeFault(w, err, false)
				}
				return
			}
		}
		toREST.ServeHTTP(w, r)
	})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.serve(lis, handler); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.s.Close()
		grpcUpstream.CloseIdleConnections()
		restUpstream.CloseIdleConnections()
	})
	return f
}

// Addr is the front's address, host:port.
func (f *Front) Addr() string { return f.s.Addr() }

// CACertPEM is the PEM of the CA that signed the front's certificate
// (Options.TLS only).
func (f *Front) CACertPEM() []byte { return f.s.CACertPEM() }

// InjectFault makes the next n calls of method that pass the front fail or
// slow down, as Server.InjectFault does; Fault.Page answers with an error
// page instead.
func (f *Front) InjectFault(method string, n int, fault Fault) { f.s.InjectFault(method, n, fault) }

// ClearFaults drops every pending fault.
func (f *Front) ClearFaults() { f.s.ClearFaults() }

// Calls returns how many calls of method passed the front (or were
// answered by a fault) since the last ResetCalls, as Server.Calls counts.
func (f *Front) Calls(method string) int { return f.s.Calls(method) }

// ResetCalls sets every call count to zero.
func (f *Front) ResetCalls() { f.s.ResetCalls() }

func isGRPCRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc")
}

// matchRoute finds the REST route of a request, if it is one of the calls
// the fake knows.
func matchRoute(r *http.Request) (restRoute, bool) {
	segments := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	for _, rt := range restRoutes {
		if _, ok := rt.match(segments); ok && rt.Verb == r.Method {
			return rt, true
		}
	}
	return restRoute{}, false
}

// clientContext carries the client's address as the gRPC peer, for
// Server.Connections.
func clientContext(r *http.Request) context.Context {
	ctx := r.Context()
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		ctx = peer.NewContext(ctx, &peer.Peer{Addr: net.TCPAddrFromAddrPort(ap)})
	}
	return ctx
}

// pageError is a fault answered with an error page (Fault.Page).
type pageError struct{ status int }

func (e pageError) Error() string { return fmt.Sprintf("error page %d", e.status) }

// writeFault answers a call with what its fault says: an error page, a
// gRPC status (trailers-only), or the status as REST's JSON.
func writeFault(w http.ResponseWriter, err error, grpcCall bool) {
	var page pageError
	switch {
	case errors.As(err, &page):
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(page.status)
		_, _ = fmt.Fprintf(w, "<html><head><title>%[1]d %[2]s</title></head><body><center><h1>%[1]d %[2]s</h1></center><hr><center>fakezitadel front</center></body></html>\n", page.status, http.StatusText(page.status))
	case grpcCall:
		st := status.Convert(err)
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Grpc-Status", strconv.Itoa(int(st.Code())))
		w.Header().Set("Grpc-Message", grpcMessage(st.Message()))
		w.WriteHeader(http.StatusOK)
	default:
		st := status.Convert(err)
		writeProtoJSON(w, httpStatusFromCode(st.Code()), st.Proto())
	}
}

// grpcMessage percent-encodes a status message for the grpc-message header
// as the gRPC protocol asks: every byte outside printable ASCII, and '%'.
func grpcMessage(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c < ' ' || c > '~' || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
