package zitadel

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

// How calls travel (Config.Transport).
const (
	// TransportAuto uses gRPC, and REST from the first call on which gRPC
	// cannot pass (a proxy in between that breaks it).
	TransportAuto = "auto"
	// TransportGRPC is gRPC over HTTP/2.
	TransportGRPC = "grpc"
	// TransportREST is JSON over HTTP/1.1, or HTTP/2 when a TLS server
	// offers it.
	TransportREST = "rest"
)

// Transports lists the accepted values of Config.Transport.
var Transports = []string{TransportAuto, TransportGRPC, TransportREST}

// transport makes one attempt of one call. Whatever went wrong comes back
// as an *Error of the same kinds on every transport: ZITADEL's answer
// (code, message, error id) or why there was none.
type transport interface {
	// name is TransportGRPC or TransportREST (TransportAuto until decided).
	name() string
	attempt(ctx context.Context, r rpc, orgID string, req, resp proto.Message) *Error
	// entrySize and keySize are how much one entry of a bulk set and one
	// key of a bulk remove add to a request on this transport, and limit
	// how large the sum may be for a call.
	entrySize(key string, value []byte) int
	keySize(key string) int
	limit(r rpc, chunkBytes int) int
}

// reservedHeader tells the headers Config.Headers may not set: the client
// sets them itself.
func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "authorization", OrgHeader, "content-type", "content-length", "host", "te", "user-agent":
		return true
	}
	return strings.HasPrefix(strings.ToLower(name), "grpc-") || strings.HasPrefix(name, ":")
}

// answerError is ZITADEL's answer to a call, from either transport: code,
// message and the error id of its detail ("" when none came).
func answerError(method, orgID string, code codes.Code, message, id string) *Error {
	e := &Error{Method: method, OrgID: orgID, Code: code, Message: message, ID: id}
	if e.Code == codes.Unknown {
		if m := wrapped.FindStringSubmatch(e.Message); m != nil {
			if c, ok := codeNames[m[1]]; ok {
				e.Code, e.Message = c, m[2]
			}
		}
	}
	if e.ID == "" {
		if m := idSuffix.FindStringSubmatch(e.Message); m != nil {
			e.ID = m[1]
		}
	}
	e.Kind = kindOf(e)
	return e
}

// noAnswer is a failed attempt that got no answer from ZITADEL.
func noAnswer(method, orgID string, kind Kind, via, msg string) *Error {
	return &Error{Method: method, OrgID: orgID, Code: codes.Unavailable, Message: msg, Kind: kind, Transport: via}
}

// autoTransport speaks gRPC until gRPC cannot pass: when the first call
// that reaches something gets no gRPC answer (a proxy's HTML, an HTTP
// status, a refused HTTP/2 handshake, no ALPN agreement), that call is made
// again over REST, and REST is used from then on once ZITADEL answers
// there. An answer from ZITADEL over gRPC (any status, errors included)
// settles gRPC. Failures that say nothing about the path (unreachable,
// certificate, timeouts) decide nothing.
type autoTransport struct {
	grpc, rest transport

	mu     sync.Mutex
	chosen transport
}

func (a *autoTransport) current() transport {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.chosen
}

func (a *autoTransport) choose(ctx context.Context, t transport, why string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.chosen != nil {
		return
	}
	a.chosen = t
	if c, ok := a.grpc.(interface{ shutdown() }); ok && t == a.rest {
		// gRPC would keep reconnecting in the background.
		c.shutdown()
	}
	if t == a.rest {
		tflog.Warn(ctx, "transport auto: gRPC cannot pass to ZITADEL, using REST for the rest of this run; set transport = \"rest\" to skip the attempt", map[string]any{"why": why})
	} else {
		tflog.Debug(ctx, "transport auto: ZITADEL answers over gRPC", nil)
	}
}

func (a *autoTransport) name() string {
	if t := a.current(); t != nil {
		return t.name()
	}
	return TransportAuto
}

func (a *autoTransport) attempt(ctx context.Context, r rpc, orgID string, req, resp proto.Message) *Error {
	if t := a.current(); t != nil {
		return t.attempt(ctx, r, orgID, req, resp)
	}
	e := a.grpc.attempt(ctx, r, orgID, req, resp)
	switch {
	case e == nil || fromZITADEL(e):
		a.choose(ctx, a.grpc, "")
		return e
	case e.Kind != KindNotGRPC && e.Kind != KindNoH2 && !e.Gateway:
		return e
	}
	// gRPC got no gRPC answer: see whether REST gets ZITADEL's.
	e2 := a.rest.attempt(ctx, r, orgID, req, resp)
	if e2 == nil || fromZITADEL(e2) {
		a.choose(ctx, a.rest, e.Message)
		return e2
	}
	if e.Gateway {
		// No answer from ZITADEL either way (a restart?): retried, nothing
		// decided.
		return e
	}
	// Neither got through: say what each attempt saw.
	both := *e2
	both.Message = fmt.Sprintf("over gRPC: %s; over REST: %s", e.Message, e2.Message)
	both.Transport = TransportAuto
	return &both
}

// fromZITADEL tells an error ZITADEL itself answered from a failure to get
// an answer (those name the transport that saw them) and from the caller's
// own deadline or cancellation.
func fromZITADEL(e *Error) bool {
	return e.Transport == "" && e.Kind != KindTimeout && e.Kind != KindCanceled && e.Code != codes.DeadlineExceeded && e.Code != codes.Canceled
}

// Until a transport is chosen, requests are sized for the stricter of the
// two (REST: JSON and base64, short query strings), so either can carry
// them.
func (a *autoTransport) entrySize(key string, value []byte) int {
	if t := a.current(); t != nil {
		return t.entrySize(key, value)
	}
	return max(a.grpc.entrySize(key, value), a.rest.entrySize(key, value))
}

func (a *autoTransport) keySize(key string) int {
	if t := a.current(); t != nil {
		return t.keySize(key)
	}
	return max(a.grpc.keySize(key), a.rest.keySize(key))
}

func (a *autoTransport) limit(r rpc, chunkBytes int) int {
	if t := a.current(); t != nil {
		return t.limit(r, chunkBytes)
	}
	return min(a.grpc.limit(r, chunkBytes), a.rest.limit(r, chunkBytes))
}

// httpTransport is the HTTP client transport for REST calls and the token
// request: the given TLS settings (nil: plaintext), proxies from the
// environment, HTTP/2 when a TLS server offers it.
func httpTransport(tlsCfg *tls.Config) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = tlsCfg
	t.ForceAttemptHTTP2 = true
	t.MaxIdleConnsPerHost = 16
	return t
}

// newHTTPClient is an HTTP client for REST calls and the token request:
// the TLS settings without the pinned server name (each URL names its
// host: the issuer may live elsewhere), extra headers, and no redirects
// (they would turn writes into reads and carry the headers elsewhere).
func newHTTPClient(tlsCfg *tls.Config, cfg Config, timeout time.Duration) *http.Client {
	if tlsCfg != nil {
		tlsCfg = tlsCfg.Clone()
		tlsCfg.ServerName = ""
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: withHeaders(httpTransport(tlsCfg), cfg.Headers, cfg.UserAgent),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// headerRoundTripper adds the configured headers and the user agent to
// every request.
type headerRoundTripper struct {
	next      http.RoundTripper
	headers   map[string]string
	userAgent string
}

func withHeaders(next http.RoundTripper, headers map[string]string, userAgent string) http.RoundTripper {
	return &headerRoundTripper{next: next, headers: headers, userAgent: userAgent}
}

func (h *headerRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	for k, v := range h.headers {
		req.Header.Set(k, v)
	}
	if h.userAgent != "" {
		req.Header.Set("User-Agent", h.userAgent)
	}
	return h.next.RoundTrip(req)
}

// logAttempt writes one debug line per attempt: method, organization,
// transport, outcome and duration. Requests, responses and credentials
// are never logged.
func logAttempt(ctx context.Context, r rpc, orgID, transport string, e *Error, d time.Duration) {
	if orgID == "" {
		orgID = "(caller's own)"
	}
	fields := map[string]any{"method": r.method, "org_id": orgID, "transport": transport, "code": "OK", "duration_ms": d.Milliseconds()}
	if e != nil {
		fields["code"] = e.Code.String()
		if e.Transport != "" {
			// Which transport saw the failure (auto: both).
			fields["transport"] = e.Transport
		}
	}
	tflog.Debug(ctx, "ZITADEL call", fields)
}
