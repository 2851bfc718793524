// Package zitadel is the provider's ZITADEL API client: one gRPC connection
// per configured provider, bearer tokens per call, retries of transient
// failures, error classification and list paging. Resources use it through
// the MetadataAPI interface and never see generated stubs.
package zitadel

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// OrgHeader chooses the organization a call acts on.
const OrgHeader = "x-zitadel-orgid"

// maxRecvSize bounds one response; list pages shrink when a page would be
// larger.
const maxRecvSize = 64 << 20

// Config is everything needed to reach and authenticate to ZITADEL.
type Config struct {
	// Domain is the host name, Port its port.
	Domain string
	Port   int
	// Insecure selects plaintext gRPC; TLS otherwise.
	Insecure bool
	// CACertPEM, when set, replaces the system roots.
	CACertPEM []byte
	// Exactly one of AccessToken and KeyFile.
	AccessToken string
	KeyFile     *KeyFile
	UserAgent   string
	Retry       RetryPolicy
	// ChunkBytes caps one write request (DefaultChunkBytes when 0).
	ChunkBytes int
	// PageSize is the list page size (DefaultPageSize when 0, at most
	// MaxPageSize).
	PageSize int
	// APIVersion chooses the metadata API: APIAuto (also ""), APIV1 or
	// APIV2.
	APIVersion string
}

// Client talks to one ZITADEL instance. It is safe for concurrent use.
type Client struct {
	target     string
	dials      connTracker
	conn       *grpc.ClientConn
	api        backend
	retry      RetryPolicy
	chunkBytes int
	pageSize   int
}

// New builds a client. It does not dial: the connection is made on first
// use, so configuring a provider never blocks on the network.
func New(cfg Config) (*Client, error) {
	if cfg.Domain == "" {
		return nil, errors.New("domain is empty")
	}
	target := net.JoinHostPort(cfg.Domain, strconv.Itoa(cfg.Port))
	var tlsCfg *tls.Config
	var transport credentials.TransportCredentials
	scheme := "http"
	if cfg.Insecure {
		transport = insecure.NewCredentials()
	} else {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.Domain}
		if len(cfg.CACertPEM) > 0 {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(cfg.CACertPEM) {
				return nil, errors.New("ca_certificate holds no PEM certificate")
			}
			tlsCfg.RootCAs = pool
		}
		transport = credentials.NewTLS(tlsCfg)
		scheme = "https"
	}
	var src tokenSource
	switch {
	case cfg.AccessToken != "" && cfg.KeyFile != nil:
		return nil, errors.New("both an access token and a key file were given")
	case cfg.AccessToken != "":
		src = staticToken(cfg.AccessToken)
	case cfg.KeyFile != nil:
		src = &jwtProfile{
			key:     cfg.KeyFile,
			baseURL: scheme + "://" + target,
			http:    &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment}},
			now:     time.Now,
		}
	default:
		return nil, errors.New("no access token and no key file were given")
	}
	c := &Client{target: target, retry: cfg.Retry, chunkBytes: cfg.ChunkBytes, pageSize: cfg.PageSize}
	conn, err := grpc.NewClient("passthrough:///"+target,
		grpc.WithStatsHandler(&c.dials),
		grpc.WithTransportCredentials(transport),
		grpc.WithPerRPCCredentials(perRPC{src: src, secure: !cfg.Insecure}),
		grpc.WithUserAgent(cfg.UserAgent),
		grpc.WithChainUnaryInterceptor(logInterceptor),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRecvSize)),
	)
	if err != nil {
		return nil, err
	}
	c.conn = conn
	if c.chunkBytes <= 0 {
		c.chunkBytes = DefaultChunkBytes
	}
	if c.pageSize <= 0 || c.pageSize > MaxPageSize {
		c.pageSize = DefaultPageSize
	}
	c.api, err = c.backendFor(cfg.APIVersion)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return c, nil
}

// Close releases the connection.
func (c *Client) Close() error { return c.conn.Close() }

// rpc names one ZITADEL call the way every transport knows it.
type rpc struct {
	// api is the metadata API the call belongs to: APIV1 or APIV2.
	api             string
	service, method string
	// read marks a call without side effects: also retried when the
	// server's deadline passed.
	read bool
	// orgInRequest marks the organization service v2, whose requests name
	// the organization: no x-zitadel-orgid header.
	orgInRequest bool
}

func (r rpc) fullMethod() string { return "/" + r.service + "/" + r.method }

// invoke runs one call with retries. orgID is the organization it acts on
// ("" for the caller's own): sent in the header for v1, only reported in
// errors and logs for v2. Until a connection to the server has been made
// once, a failure to connect is KindUnreachable, with the address.
func (c *Client) invoke(ctx context.Context, r rpc, orgID string, req, resp proto.Message) error {
	ctx = context.WithValue(ctx, orgKey{}, orgID)
	if orgID != "" && !r.orgInRequest {
		ctx = metadata.AppendToOutgoingContext(ctx, OrgHeader, orgID)
	}
	err := c.retry.do(ctx, r.method, orgID, r.read, func(ctx context.Context) error {
		err := c.conn.Invoke(ctx, r.fullMethod(), req, resp)
		if err != nil && status.Code(err) == codes.Unavailable && !c.dials.everConnected() && !isHandshakeFailure(err) {
			return &Error{Method: r.method, OrgID: orgID, Code: codes.Unavailable, Message: status.Convert(err).Message(), Kind: KindUnreachable, Addr: c.target}
		}
		return err
	})
	var e *Error
	if errors.As(err, &e) {
		e.API = r.api
		if e.Kind == KindUnimplemented {
			e.Addr = c.target
		}
	}
	return err
}

// orgKey carries the organization of a call to the log interceptor.
type orgKey struct{}

// connTracker remembers whether a connection to the server (through any
// proxy gRPC honours) was ever established. It is a gRPC stats handler
// rather than a dialer: a custom dialer would switch off gRPC's support for
// HTTPS_PROXY.
type connTracker struct {
	connected atomic.Bool
}

func (t *connTracker) everConnected() bool { return t.connected.Load() }

func (t *connTracker) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (t *connTracker) HandleRPC(context.Context, stats.RPCStats)                       {}
func (t *connTracker) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}

// HandleConn sees a client transport come up: after the dial and the TLS
// handshake.
func (t *connTracker) HandleConn(_ context.Context, s stats.ConnStats) {
	if _, ok := s.(*stats.ConnBegin); ok {
		t.connected.Store(true)
	}
}

// OrgState is the lifecycle state ZITADEL reports for an organization.
type OrgState int

const (
	// OrgStateUnspecified is what a removed organization reports.
	OrgStateUnspecified OrgState = iota
	OrgStateActive
	OrgStateInactive
	OrgStateRemoved
)

// Org is what GetMyOrg tells of an organization.
type Org struct {
	ID    string
	Name  string
	State OrgState
}

// Exists reports whether the organization is still there (active or
// deactivated). A removed organization answers with state unspecified.
func (o Org) Exists() bool { return o.State == OrgStateActive || o.State == OrgStateInactive }

// GetOrg tells which organization calls with orgID act on ("" for the
// caller's own) and whether it still exists.
func (c *Client) GetOrg(ctx context.Context, orgID string) (Org, error) {
	return c.api.getOrg(ctx, orgID)
}
