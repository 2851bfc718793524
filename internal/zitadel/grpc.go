package zitadel

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// grpcTransport makes calls over one gRPC connection. It tells ZITADEL's
// answers from failures to get one by what it observed, not by gRPC's
// error texts: the TLS handshake it makes itself, and gRPC stats on the
// connection and each call.
type grpcTransport struct {
	conn     *grpc.ClientConn
	closeOne sync.Once
	src      tokenSource
	track    *grpcTracker
	headers  []string // extra metadata, key/value pairs
}

func newGRPCTransport(target string, tlsCfg *tls.Config, src tokenSource, cfg Config) (*grpcTransport, error) {
	t := &grpcTransport{track: &grpcTracker{}, src: src}
	creds := insecure.NewCredentials()
	if tlsCfg != nil {
		c := tlsCfg.Clone()
		// Offering HTTP/1.1 too lets a server without HTTP/2 say so (it
		// picks http/1.1) instead of failing the handshake.
		c.NextProtos = []string{"h2", "http/1.1"}
		creds = &tlsCreds{cfg: c, track: t.track}
	}
	for k, v := range cfg.Headers {
		t.headers = append(t.headers, k, v)
	}
	conn, err := grpc.NewClient("passthrough:///"+target,
		grpc.WithStatsHandler(t.track),
		grpc.WithTransportCredentials(creds),
		grpc.WithPerRPCCredentials(perRPC{src: src, secure: tlsCfg != nil}),
		grpc.WithUserAgent(cfg.UserAgent),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRecvSize)),
	)
	if err != nil {
		return nil, err
	}
	t.conn = conn
	return t, nil
}

func (*grpcTransport) name() string { return TransportGRPC }

// shutdown closes the connection, once.
func (t *grpcTransport) shutdown() {
	t.closeOne.Do(func() { _ = t.conn.Close() })
}

func (t *grpcTransport) attempt(ctx context.Context, r rpc, orgID string, req, resp proto.Message) *Error {
	md := t.headers
	if orgID != "" && !r.orgInRequest {
		md = append(md[:len(md):len(md)], OrgHeader, orgID)
	}
	if len(md) > 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, md...)
	}
	// The token first: its failures are not the path's (the per-call
	// credentials then find it cached).
	if _, err := t.src.token(ctx); err != nil {
		return tokenError(r.method, orgID, TransportGRPC, err)
	}
	obs := &callObservation{}
	err := t.conn.Invoke(context.WithValue(ctx, observationKey{}, obs), r.fullMethod(), req, resp)
	if err == nil {
		t.track.answered.Store(true)
		return nil
	}
	st := status.Convert(err)
	switch {
	case obs.trailer.Load():
		// Every gRPC answer ends with trailers, errors included; a proxy
		// that breaks gRPC sends none.
		t.track.answered.Store(true)
		return answerError(r.method, orgID, st.Code(), st.Message(), detailID(st))
	case ended(ctx) != nil:
		// The caller's deadline or cancellation; retry.do names it.
		return answerError(r.method, orgID, st.Code(), st.Message(), "")
	case obs.header.Load() && st.Code() == codes.ResourceExhausted:
		// The answer began but this client stopped reading it: a response
		// above maxRecvSize.
		e := noAnswer(r.method, orgID, KindTooLarge, TransportGRPC, st.Message())
		e.Code = codes.ResourceExhausted
		return e
	}
	kind := grpcFailure(st.Code(), obs.sent.Load(), t.track.handshakeFailure(), t.track.connected.Load(), t.track.answered.Load())
	msg, _, _ := strings.Cut(st.Message(), "\n") // grpc-go appends the proxy's page
	if hs := t.track.handshakeFailure(); hs != nil {
		msg = hs.msg
	}
	e := noAnswer(r.method, orgID, kind, TransportGRPC, msg)
	e.Code = st.Code()
	// A gateway's status in place of any gRPC answer so far: ZITADEL
	// restarting, or a proxy that cannot reach it over gRPC.
	e.Gateway = kind == KindTransient && obs.sent.Load() && !t.track.answered.Load()
	return e
}

// grpcFailure classifies a call that got no gRPC answer (no trailers) by
// what was observed: the last TLS handshake, whether a connection was ever
// made, whether the request went out on a stream (sent), whether ZITADEL
// ever answered in gRPC. grpc-go reports a gateway's 429, 502, 503 and 504
// as Unavailable, its other statuses (404, 520, 413, ...) as other codes.
func grpcFailure(code codes.Code, sent bool, hs *handshakeOutcome, connected, answered bool) Kind {
	switch {
	case hs != nil:
		return hs.kind
	case !connected:
		return KindUnreachable
	case code == codes.Unavailable && (sent || answered):
		// A gateway's "try again" (ZITADEL restarting behind it), or a
		// server that answered before and went away.
		return KindTransient
	}
	// Something answered, but not in gRPC: a connection that never
	// completed HTTP/2, or a proxy's page or status.
	return KindNotGRPC
}

// detailID is the ZITADEL error id a status carries, "" when none.
func detailID(st *status.Status) string {
	for _, d := range st.Details() {
		if ed, ok := d.(*message.ErrorDetail); ok {
			return ed.GetId()
		}
	}
	return ""
}

// entrySize is the encoded size of one entry of a bulk set (the same in
// v1's BulkSetOrgMetadataRequest and v2's SetOrganizationMetadataRequest).
func (*grpcTransport) entrySize(key string, value []byte) int {
	inner := protowire.SizeTag(1) + protowire.SizeBytes(len(key)) + protowire.SizeTag(2) + protowire.SizeBytes(len(value))
	return protowire.SizeTag(1) + protowire.SizeBytes(inner)
}

// keySize is the encoded size of one key of a bulk remove (v1 and v2).
func (*grpcTransport) keySize(key string) int {
	return protowire.SizeTag(1) + protowire.SizeBytes(len(key))
}

func (*grpcTransport) limit(_ rpc, chunkBytes int) int { return chunkBytes }

// grpcTracker is what the gRPC transport observed: whether a connection
// was ever made (after the TLS handshake), whether ZITADEL ever answered
// in gRPC, and how the last TLS handshake ended. It is a gRPC stats
// handler rather than a dialer: a custom dialer would switch off gRPC's
// support for HTTPS_PROXY.
type grpcTracker struct {
	connected atomic.Bool
	answered  atomic.Bool

	mu        sync.Mutex
	handshake *handshakeOutcome
}

type handshakeOutcome struct {
	kind Kind
	msg  string
}

func (t *grpcTracker) handshakeFailure() *handshakeOutcome {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.handshake
}

func (t *grpcTracker) setHandshake(h *handshakeOutcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.handshake = h
}

// callObservation is what the stats handler saw of one call: the request
// going out on a stream, the answer's headers and trailers.
type callObservation struct {
	sent, header, trailer atomic.Bool
}

type observationKey struct{}

func (t *grpcTracker) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }

func (t *grpcTracker) HandleRPC(ctx context.Context, s stats.RPCStats) {
	obs, _ := ctx.Value(observationKey{}).(*callObservation)
	if obs == nil {
		return
	}
	switch s.(type) {
	case *stats.OutHeader:
		obs.sent.Store(true)
	case *stats.InHeader:
		obs.header.Store(true)
	case *stats.InTrailer:
		obs.trailer.Store(true)
	}
}

func (t *grpcTracker) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}

// HandleConn sees a client transport come up: after the dial and the TLS
// handshake.
func (t *grpcTracker) HandleConn(_ context.Context, s stats.ConnStats) {
	if _, ok := s.(*stats.ConnBegin); ok {
		t.connected.Store(true)
	}
}

// alertNoApplicationProtocol is TLS alert 120: no protocol in common.
const alertNoApplicationProtocol tls.AlertError = 120

// tlsCreds is gRPC's TLS with the handshake's outcome recorded: a
// certificate problem (KindHandshake) and a server that does not agree to
// HTTP/2 (KindNoH2, a proxy that only speaks HTTP/1.1) are told apart
// without reading error texts.
type tlsCreds struct {
	cfg   *tls.Config
	track *grpcTracker
}

func (c *tlsCreds) ClientHandshake(ctx context.Context, authority string, raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	cfg := c.cfg.Clone()
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(authority)
		if err != nil {
			host = authority
		}
		cfg.ServerName = host
	}
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		var alert tls.AlertError
		switch {
		case ctx.Err() != nil:
		case errors.As(err, &alert) && alert == alertNoApplicationProtocol:
			c.track.setHandshake(&handshakeOutcome{kind: KindNoH2, msg: "the TLS server agreed to no protocol the client offered (h2, http/1.1): " + err.Error()})
		case tlsFailure(err):
			c.track.setHandshake(&handshakeOutcome{kind: KindHandshake, msg: "TLS handshake failed: " + err.Error()})
		default:
			// Cut short (EOF, reset): the connection's failure, not the
			// certificate's.
			c.track.setHandshake(nil)
		}
		return nil, nil, err
	}
	if conn.ConnectionState().NegotiatedProtocol != "h2" {
		_ = conn.Close()
		err := errors.New("the TLS server did not agree to HTTP/2 (ALPN h2), which gRPC needs")
		c.track.setHandshake(&handshakeOutcome{kind: KindNoH2, msg: err.Error()})
		return nil, nil, err
	}
	c.track.setHandshake(nil)
	return conn, credentials.TLSInfo{
		State:          conn.ConnectionState(),
		CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity},
	}, nil
}

func (c *tlsCreds) ServerHandshake(net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return nil, nil, errors.New("client-side credentials only")
}

func (c *tlsCreds) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "tls"}
}

func (c *tlsCreds) Clone() credentials.TransportCredentials {
	return &tlsCreds{cfg: c.cfg.Clone(), track: c.track}
}

// OverrideServerName is part of gRPC's (deprecated) interface.
func (c *tlsCreds) OverrideServerName(name string) error {
	c.cfg.ServerName = name
	return nil
}
