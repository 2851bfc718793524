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
	"sync"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
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
	dials      dialTracker
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
		grpc.WithContextDialer(c.dials.dial),
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
		if err != nil && status.Code(err) == codes.Unavailable {
			if derr := c.dials.neverConnected(); derr != nil {
				return &Error{Method: method, OrgID: orgID, Code: codes.Unavailable, Message: derr.Error(), Kind: KindUnreachable, Addr: c.target}
			}
		}
		return err
	})
}

// dialTracker remembers whether a connection to the server was ever made,
// and the last failure to make one.
type dialTracker struct {
	mu        sync.Mutex
	connected bool
	lastErr   error
}

func (d *dialTracker) dial(ctx context.Context, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.lastErr = err
	} else {
		d.connected = true
	}
	return conn, err
}

// neverConnected returns the last dial error while no connection was ever
// made, else nil.
func (d *dialTracker) neverConnected() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.connected {
		return nil
	}
	return d.lastErr
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
