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

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
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
	// PageSize is the list page size (DefaultPageSize when 0).
	PageSize int
}

// Client talks to one ZITADEL instance. It is safe for concurrent use.
type Client struct {
	target     string
	dials      connTracker
	conn       *grpc.ClientConn
	mgmt       management.ManagementServiceClient
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
	c.conn, c.mgmt = conn, management.NewManagementServiceClient(conn)
	if c.chunkBytes <= 0 {
		c.chunkBytes = DefaultChunkBytes
	}
	if c.pageSize <= 0 {
		c.pageSize = DefaultPageSize
	}
	return c, nil
}

// Close releases the connection.
func (c *Client) Close() error { return c.conn.Close() }

// withOrg scopes a call to an organization; "" leaves the caller's own.
func withOrg(ctx context.Context, orgID string) context.Context {
	if orgID == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, OrgHeader, orgID)
}

// call runs one RPC with retries. Until a connection to the server has
// been made once, a failure to connect is KindUnreachable, with the address.
func (c *Client) call(ctx context.Context, method, orgID string, read bool, fn func(context.Context) error) error {
	ctx = withOrg(ctx, orgID)
	return c.retry.do(ctx, method, orgID, read, func(ctx context.Context) error {
		err := fn(ctx)
		if err != nil && status.Code(err) == codes.Unavailable && !c.dials.everConnected() && !isHandshakeFailure(err) {
			return &Error{Method: method, OrgID: orgID, Code: codes.Unavailable, Message: status.Convert(err).Message(), Kind: KindUnreachable, Addr: c.target}
		}
		return err
	})
}

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
	var resp *management.GetMyOrgResponse
	err := c.call(ctx, "GetMyOrg", orgID, true, func(ctx context.Context) (err error) {
		resp, err = c.mgmt.GetMyOrg(ctx, &management.GetMyOrgRequest{})
		return err
	})
	if err != nil {
		return Org{}, err
	}
	o := resp.GetOrg()
	return Org{ID: o.GetId(), Name: o.GetName(), State: OrgState(o.GetState())}, nil
}
