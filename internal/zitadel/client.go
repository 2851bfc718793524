// Package zitadel is the provider's ZITADEL API client: one connection per
// configured provider (gRPC, or REST for servers behind proxies that break
// gRPC), bearer tokens per call, retries of transient failures, error
// classification and list paging. Resources use it through the MetadataAPI
// interface and never see generated stubs.
package zitadel

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/httprule"
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
	// Insecure selects plaintext; TLS otherwise.
	Insecure bool
	// CACertPEM, when set, replaces the system roots.
	CACertPEM []byte
	// Exactly one of AccessToken and KeyFile.
	AccessToken string
	KeyFile     *KeyFile
	// Issuer, when set, is the OIDC issuer URL: the audience of JWT profile
	// assertions and the base of the token endpoint, instead of what
	// discovery at Domain:Port reports.
	Issuer    string
	UserAgent string
	// Headers are added to every request (both transports, and the token
	// request of the JWT profile grant); keys in lower case.
	Headers map[string]string
	Retry   RetryPolicy
	// ChunkBytes caps one write request (DefaultChunkBytes when 0).
	ChunkBytes int
	// PageSize is the list page size (DefaultPageSize when 0, at most
	// MaxPageSize).
	PageSize int
	// APIVersion chooses the metadata API: APIAuto (also ""), APIV1 or
	// APIV2.
	APIVersion string
	// Transport chooses how calls travel: TransportAuto (also ""),
	// TransportGRPC or TransportREST.
	Transport string
}

// Client talks to one ZITADEL instance. It is safe for concurrent use.
type Client struct {
	target  string
	wire    transport
	closers []func() error
	// api is the metadata API in use (Config.APIVersion); v1 and v2 are
	// both, for the lookups that ask a given one whatever api says.
	api, v1, v2 backend
	retry       RetryPolicy
	chunkBytes  int
	pageSize    int
}

// New builds a client. It does not dial: the connection is made on first
// use, so configuring a provider never blocks on the network.
func New(cfg Config) (*Client, error) {
	if cfg.Domain == "" {
		return nil, errors.New("domain is empty")
	}
	for name := range cfg.Headers {
		if reservedHeader(name) {
			return nil, fmt.Errorf("header %q is set by the client itself", name)
		}
	}
	target := net.JoinHostPort(cfg.Domain, strconv.Itoa(cfg.Port))
	var tlsCfg *tls.Config
	scheme := "http"
	if !cfg.Insecure {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.Domain}
		if len(cfg.CACertPEM) > 0 {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(cfg.CACertPEM) {
				return nil, errors.New("ca_certificate holds no PEM certificate")
			}
			tlsCfg.RootCAs = pool
		}
		scheme = "https"
	}
	base := scheme + "://" + target
	var src tokenSource
	switch {
	case cfg.AccessToken != "" && cfg.KeyFile != nil:
		return nil, errors.New("both an access token and a key file were given")
	case cfg.AccessToken != "":
		src = staticToken(cfg.AccessToken)
	case cfg.KeyFile != nil:
		src = &jwtProfile{
			key:     cfg.KeyFile,
			baseURL: base,
			issuer:  strings.TrimSuffix(cfg.Issuer, "/"),
			http:    newHTTPClient(tlsCfg, cfg, 30*time.Second),
			now:     time.Now,
		}
	default:
		return nil, errors.New("no access token and no key file were given")
	}
	c := &Client{target: target, retry: cfg.Retry, chunkBytes: cfg.ChunkBytes, pageSize: cfg.PageSize}
	newGRPC := func() (transport, error) {
		g, err := newGRPCTransport(target, tlsCfg, src, cfg)
		if err != nil {
			return nil, err
		}
		c.closers = append(c.closers, func() error { g.shutdown(); return nil })
		return g, nil
	}
	newREST := func() transport { return newRESTTransport(base, tlsCfg, src, cfg) }
	var err error
	switch cfg.Transport {
	case TransportGRPC:
		c.wire, err = newGRPC()
	case TransportREST:
		c.wire = newREST()
	case "", TransportAuto:
		var g transport
		if g, err = newGRPC(); err == nil {
			c.wire = &autoTransport{grpc: g, rest: newREST()}
		}
	default:
		err = fmt.Errorf("transport %q is not one of %q, %q and %q", cfg.Transport, TransportAuto, TransportGRPC, TransportREST)
	}
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	if c.chunkBytes <= 0 {
		c.chunkBytes = DefaultChunkBytes
	}
	if c.pageSize <= 0 || c.pageSize > MaxPageSize {
		c.pageSize = DefaultPageSize
	}
	c.v1, c.v2 = newV1API(c), newV2API(c)
	c.api, err = c.backendFor(cfg.APIVersion)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// Close releases the connections.
func (c *Client) Close() error {
	var errs []error
	for _, f := range c.closers {
		errs = append(errs, f())
	}
	return errors.Join(errs...)
}

// Transport is how the client's calls travel: TransportGRPC or
// TransportREST, or TransportAuto while that is not decided yet.
func (c *Client) Transport() string { return c.wire.name() }

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
	// rest is the call's REST route, and in and out the types of its
	// request and answer, read from the descriptors.
	rest    httprule.Route
	in, out protoreflect.MessageType
}

// newRPC describes service's method from its descriptor.
func newRPC(api, service, method string, read, orgInRequest bool) rpc {
	md, err := httprule.Method(service, method)
	if err != nil {
		panic("zitadel: " + err.Error())
	}
	in, err := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
	if err != nil {
		panic("zitadel: " + err.Error())
	}
	out, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
	if err != nil {
		panic("zitadel: " + err.Error())
	}
	rest, err := httprule.OfMethod(md)
	if err != nil {
		panic("zitadel: " + err.Error())
	}
	return rpc{api: api, service: service, method: method, read: read, orgInRequest: orgInRequest, rest: rest, in: in, out: out}
}

func (r rpc) fullMethod() string { return "/" + r.service + "/" + r.method }

// invoke runs one call with retries for an owner. Its organization ("" for
// the caller's own) is sent in the header for v1, only reported in errors
// and logs for v2.
func (c *Client) invoke(ctx context.Context, r rpc, owner Owner, req, resp proto.Message) error {
	orgID := owner.OrgID
	began := time.Now()
	// last is ZITADEL's last answer: the attempt cut short when the wait
	// ran out is not one, the answer before it may be.
	last := ""
	err := c.retry.do(ctx, r.method, orgID, r.read, func(ctx context.Context) error {
		start := time.Now()
		e := c.wire.attempt(ctx, r, orgID, req, resp)
		logAttempt(ctx, r, orgID, c.wire.name(), e, time.Since(start))
		if e != nil {
			if e.Transport == "" && !e.Concluded && e.Code != codes.DeadlineExceeded && e.Code != codes.Canceled {
				last = fmt.Sprintf("%s: %s", e.Code, e.Message)
			}
			return e
		}
		return nil
	})
	var e *Error
	if stopped := ended(ctx); err != nil && stopped != nil && (!errors.As(err, &e) || gaveUp(e)) {
		// The provider gave up, not ZITADEL: say so, keeping the last
		// answer ZITADEL gave, if any, before the wait ran out.
		if e == nil {
			e = &Error{Method: r.method, OrgID: orgID, Message: err.Error()}
			err = e
		}
		e.Last = last
		e.Stopped, e.Waited = stopped, time.Since(began)
		e.Code, e.Kind = codes.DeadlineExceeded, KindTimeout
		if errors.Is(stopped, context.Canceled) {
			e.Code, e.Kind = codes.Canceled, KindCanceled
		}
	}
	if errors.As(err, &e) {
		e.API, e.UserID = r.api, owner.UserID
		if e.Addr == "" {
			e.Addr = c.target
		}
	}
	return err
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

// gaveUp tells whether e, returned after the caller's context ended, is
// the provider giving up rather than an answer of ZITADEL's that just came
// in: a failed attempt to get an answer, the context's own status, or a
// transient answer the provider was waiting to retry.
func gaveUp(e *Error) bool {
	return e.Transport != "" || e.Kind == KindTimeout || e.Kind == KindCanceled || e.Kind == KindTransient || e.Kind == KindUnreachable
}

// GetOrg tells which organization calls with orgID act on ("" for the
// caller's own) and whether it still exists.
func (c *Client) GetOrg(ctx context.Context, orgID string) (Org, error) {
	return c.api.getOrg(ctx, orgID)
}

// User is what the user lookup tells of a user.
type User struct {
	ID string
	// OrgID is the user's organization (its resource owner).
	OrgID string
	// Inactive users keep their metadata; Removed ones are gone.
	Inactive, Removed bool
}

// GetUser looks a user up: its organization and state. A user that does
// not exist or was removed is KindUserNotFound.
//
// Whatever api_version says, the user service v2 is asked first: it finds
// a user in any organization, so a user of another organization than the
// one recorded is told apart from a removed one (the management API finds
// only users of the organization in the header). Only a server without it
// is asked with the management API, in owner.OrgID ("" for the caller's
// own). The lookup decides nothing for api_version auto: a server that
// answers it may still lack the management API, or the other way round.
func (c *Client) GetUser(ctx context.Context, owner Owner) (User, error) {
	u, err := c.v2.getUser(ctx, owner)
	if apiMissing(err) {
		return c.v1.getUser(ctx, owner)
	}
	return u, err
}
