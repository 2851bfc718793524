package fakezitadel

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/testcert"
)

// Roles that grant org.write, and the further ones that grant org.read only.
// ORG_OWNER_VIEWER and IAM_OWNER_VIEWER read users too.
var (
	writeRoles = []string{"IAM_OWNER", "IAM_ORG_MANAGER", "ORG_OWNER", "ORG_SETTINGS_MANAGER"}
	readRoles  = []string{"ORG_OWNER_VIEWER", "IAM_OWNER_VIEWER"}
	// org.delete, needed by RemoveOrg.
	deleteRoles = []string{"IAM_OWNER", "IAM_ORG_MANAGER", "ORG_OWNER"}
	// user.write (and user.delete, which the fake does not tell apart) in
	// the user's organization; user.read adds readRoles, as org.read does.
	userWriteRoles = []string{"IAM_OWNER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER", "ORG_OWNER", "ORG_USER_MANAGER"}
	// org.member.write, needed by AddOrgMember.
	memberWriteRoles = []string{"IAM_OWNER", "IAM_ORG_MANAGER", "ORG_OWNER"}
	// org.create, needed by AddOrg: instance roles only in the fake (see
	// authorize).
	createOrgRoles = []string{"IAM_OWNER", "IAM_ORG_MANAGER"}
)

// Options tune the fake.
type Options struct {
	// UnknownWrapQuirk reproduces ZITADEL v4.11.0 to v4.13.1, which answer
	// validation failures and "auth header missing" with code Unknown and
	// the intended status folded into the message.
	UnknownWrapQuirk bool
	// TLS serves gRPC and HTTP over TLS with a certificate from a private CA
	// (see CACertPEM) instead of plaintext.
	TLS bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// TokenLifetime is the expires_in of tokens from the JWT profile grant;
	// ZITADEL's 12 hours when zero. (The fake does not expire them.)
	TokenLifetime time.Duration
	// WriteConflicts reproduces the event-store conflict of concurrent writes
	// to one organization (contract: "Concurrent writes to one
	// organization"), which a real server produces now and then and a client
	// must retry. Each metadata write holds its owner's event stream "in
	// flight" for WriteWindow before it writes; a second write of that owner
	// starting meanwhile fails with code Unknown and WriteConflictMessage and
	// writes nothing. The owner is the organization for organization
	// metadata and the user for user metadata (a user is an aggregate of its
	// own in ZITADEL): writes to different organizations, to different users
	// (of one organization too), or to a user and its organization never
	// conflict.
	WriteConflicts bool
	// WriteWindow is how long a write stays in flight with WriteConflicts;
	// 5ms when zero. Tests that need two writes to overlap raise it.
	WriteWindow time.Duration
	// ShuffleLists makes every metadata list (organizations and users, v1
	// and v2) answer in an order that is not sorted, so clients that rely on an order the real server does not
	// guarantee fail their tests. The order is random per Server but stable
	// as a database's: the same for every call, and a key keeps its place
	// when others come and go, so offset paging stays consistent; filters,
	// paging and total_result apply on top of it.
	ShuffleLists bool
	// ReorderLists makes every metadata list answer its matches in a new
	// random order on every request, as the user service v2 does for the
	// keys of one bulk write (it sorts by creation date alone, and they
	// tie; contract section 4): offset pages then overlap and miss keys on
	// a quiet server. Filters, paging and total_result apply on top of it.
	ReorderLists bool
	// DisableV1 makes every call of the management API v1 answer
	// Unimplemented, as a server from the future that dropped the
	// deprecated calls would; the v2 services (organization and user) still
	// work.
	DisableV1 bool
	// DisableV2 makes every call of the organization service v2 and of the
	// user service v2 answer Unimplemented, as a ZITADEL older than v4.7
	// does for the metadata calls (the fake switches off ListOrganizations
	// and the user service's GetUserByID too, so a client cannot mix the
	// APIs on such a server).
	DisableV2 bool
}

// defaultWriteWindow keeps conflicts frequent under parallel writes without
// slowing a test that writes sequentially by much.
const defaultWriteWindow = 5 * time.Millisecond

// Fault makes calls of one method fail or slow down.
type Fault struct {
	// Code is the status code to fail with; codes.OK only delays the call.
	Code    codes.Code
	Message string
	// Delay is waited before the call fails or proceeds (cut short when the
	// caller gives up).
	Delay time.Duration
	// Skip lets this many calls through untouched before the fault starts.
	Skip int
	// Page, when set, answers with an HTML error page of that HTTP status
	// (e.g. 502) instead of Code, as a gateway in front of ZITADEL does.
	// Only a Front can: the fake itself answers with Code.
	Page int
}

type pendingFault struct {
	Fault
	remaining int // < 0: forever
}

// Server is one fake ZITADEL instance.
type Server struct {
	opts Options

	mu     sync.Mutex
	orgs   map[string]*org
	tokens map[string]*user // access token -> user
	// users holds callers and the users whose metadata the user calls
	// serve alike: both are ZITADEL users (see users.go).
	users map[string]*user // user id -> user
	keys  map[string]*serviceKey
	calls map[string]int
	// serviceCalls counts the gRPC calls again by qualified name,
	// "zitadel.user.v2.UserService/ListUserMetadata", which tells apart the
	// methods of one name in two services.
	serviceCalls map[string]int
	// headers counts the requests (any transport, OIDC included) that
	// carried each header, by lower-case name.
	headers  map[string]int
	peers    map[string]map[string]bool // method -> client addresses
	faults   map[string]*pendingFault
	nextID   uint64
	issuer   string
	caPEM    []byte
	listener net.Listener
	http     *http.Server
	grpc     *grpc.Server
	done     chan struct{}

	// writing holds the owners (organization or user ids) with a metadata
	// write in flight, and conflicts counts the writes that failed on one
	// (WriteConflicts).
	writing   map[string]bool
	conflicts int
	searches  int // metadata list calls at offset 0
	// front marks the Server of a Front (see Fault.Page).
	front bool
	// listSeed orders metadata lists with ShuffleLists; nil keeps them
	// sorted.
	listSeed *maphash.Seed
}

// New returns a fake with no organizations and no users.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.WriteConflicts && opts.WriteWindow == 0 {
		opts.WriteWindow = defaultWriteWindow
	}
	var seed *maphash.Seed
	if opts.ShuffleLists {
		// Random per server, so no client can come to depend on one order.
		random := maphash.MakeSeed()
		seed = &random
	}
	return &Server{
		opts:         opts,
		orgs:         map[string]*org{},
		tokens:       map[string]*user{},
		users:        map[string]*user{},
		keys:         map[string]*serviceKey{},
		calls:        map[string]int{},
		serviceCalls: map[string]int{},
		peers:        map[string]map[string]bool{},
		faults:       map[string]*pendingFault{},
		writing:      map[string]bool{},
		listSeed:     seed,
		nextID:       290000000000000000 + uint64(time.Now().UnixNano()%1000000)*1000,
	}
}

func (s *Server) newID() string {
	s.nextID++
	return fmt.Sprint(s.nextID)
}

// Start serves gRPC, the same calls over REST (see rest.go) and the OIDC
// endpoints JWT-profile auth needs on one listener at addr, e.g.
// "127.0.0.1:0", and returns the address. Requests of HTTP/2 (h2c, or h2
// with Options.TLS) with a gRPC content type go to gRPC, all others
// (HTTP/1.1 or HTTP/2) to the HTTP routes.
func (s *Server) Start(addr string) (string, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.grpc = grpc.NewServer(grpc.UnaryInterceptor(s.intercept))
	impls := map[*grpc.ServiceDesc]any{mgmtDesc: &managementServer{s: s}, orgDesc: &orgServer{s: s}, userDesc: &userServer{s: s}}
	for desc, impl := range impls {
		s.grpc.RegisterService(desc, impl)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("POST /oauth/v2/token", s.token)
	mux.HandleFunc("GET /fake/calls", s.callsHandler)
	mux.HandleFunc("POST /fake/calls/reset", s.resetHandler)
	mux.Handle("/", s.restHandler(impls))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.noteHeaders(r.Header)
		if r.ProtoMajor == 2 && isGRPCRequest(r) {
			s.grpc.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
	return s.serve(lis, handler)
}

// serve serves handler on lis: plaintext HTTP/1.1 and h2c, or with
// Options.TLS HTTP/1.1 and h2 over TLS with a certificate of a private CA
// (CACertPEM).
func (s *Server) serve(lis net.Listener, handler http.Handler) (string, error) {
	s.http = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	s.http.Protocols = new(http.Protocols)
	scheme := "http"
	if s.opts.TLS {
		cert, caPEM, err := testcert.New("fakezitadel test CA")
		if err != nil {
			_ = lis.Close()
			return "", err
		}
		s.caPEM = caPEM
		s.http.Protocols.SetHTTP2(true)
		s.http.Protocols.SetHTTP1(true)
		s.http.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
		lis = tls.NewListener(lis, s.http.TLSConfig)
		scheme = "https"
	} else {
		s.http.Protocols.SetUnencryptedHTTP2(true)
		s.http.Protocols.SetHTTP1(true)
	}
	s.listener = lis
	s.issuer = scheme + "://" + lis.Addr().String()
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		if err := s.http.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener was closed under us; nothing to report to
		}
	}()
	return lis.Addr().String(), nil
}

// Addr is the listening address, host:port.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Issuer is the OIDC issuer URL, as ZITADEL reports it in discovery.
func (s *Server) Issuer() string { return s.issuer }

// CACertPEM is the PEM of the CA that signed the server certificate (TLS only).
func (s *Server) CACertPEM() []byte { return s.caPEM }

// Close stops serving and drops open connections.
func (s *Server) Close() {
	if s.http == nil {
		return
	}
	_ = s.http.Close()
	<-s.done
}

// intercept does what ZITADEL's interceptors do before a handler runs:
// authentication, and for the management API v1 choosing the organization
// (x-zitadel-orgid) and checking the permission. The v2 services
// (organization and user) name the organization or user in their requests
// and check permissions inside each call, so for v2 it only authenticates.
// Either way it hands the caller to the handler (userFrom), and for v1 the
// organization of the call (orgFrom).
// It also counts calls, applies injected faults and answers Unimplemented for
// a service switched off by Options.DisableV1 or DisableV2 (counted, but
// before any fault).
func (s *Server) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	service, method := splitMethod(info.FullMethod)
	v2 := service != mgmtDesc.ServiceName
	if err := s.countAndFault(ctx, service, method, s.disabled(service)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var orgID string
	u, err := s.authenticate(ctx)
	if err == nil && !v2 {
		orgID, err = s.authorize(ctx, u, method)
	}
	s.mu.Unlock()
	if err != nil {
		return nil, s.toStatus(err)
	}
	ctx = withUser(ctx, u)
	if !v2 {
		ctx = withOrg(ctx, orgID)
	}
	resp, err := handler(ctx, req)
	if err != nil {
		return nil, s.toStatus(err)
	}
	return resp, nil
}

// countAndFault counts a call of service's method under its name and its
// qualified name and applies the fault injected for the qualified name, else
// for the name (see InjectFault).
func (s *Server) countAndFault(ctx context.Context, service, method string, disabled error) error {
	s.mu.Lock()
	s.calls[method]++
	qualified := service + "/" + method
	s.serviceCalls[qualified]++
	if p, ok := peer.FromContext(ctx); ok {
		if s.peers[method] == nil {
			s.peers[method] = map[string]bool{}
		}
		s.peers[method][p.Addr.String()] = true
	}
	if disabled != nil {
		s.mu.Unlock()
		return disabled
	}
	var f *Fault
	faultKey := method
	if s.faults[qualified] != nil {
		faultKey = qualified
	}
	if p := s.faults[faultKey]; p != nil && p.Skip > 0 {
		p.Skip--
	} else if p != nil {
		fault := p.Fault
		f = &fault
		if p.remaining > 0 {
			p.remaining--
			if p.remaining == 0 {
				delete(s.faults, faultKey)
			}
		}
	}
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	if err := sleep(ctx, f.Delay); err != nil {
		return err
	}
	if f.Page != 0 && s.front {
		return pageError{f.Page}
	}
	if f.Code != codes.OK {
		return status.Error(f.Code, f.Message)
	}
	return nil
}

// sleep waits d, cut short with the call's status when the caller gives up.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}

func requiredRoles(method string) []string {
	switch method {
	case "ListOrgMetadata", "GetOrgMetadata", "GetMyOrg":
		return readRolesAll()
	case "RemoveOrg":
		return deleteRoles
	case "ListUserMetadata", "GetUserByID":
		return userReadRolesAll()
	case "BulkSetUserMetadata", "BulkRemoveUserMetadata", "AddMachineUser", "DeactivateUser", "RemoveUser", "AddPersonalAccessToken":
		return userWriteRoles
	case "AddOrgMember":
		return memberWriteRoles
	default:
		return writeRoles
	}
}

// authorize chooses the organization of a v1 call (x-zitadel-orgid, else
// the caller's own) and checks the caller's permission there. The caller
// holds s.mu.
//
// AddOrg acts on no existing organization: it needs org.create, which the
// fake grants with an instance role only (createOrgRoles), and it looks at
// neither the header nor the caller's own organization, so an instance
// owner creates organizations whatever the header names (an organization
// that does not exist, say). Every other caller gets AUTH-5mWD2. (A real ZITADEL resolves the organization of the
// call first, as for any v1 call, and checks org.create in it, instance
// roles included; the fake does not model organization roles granting
// org.create.)
func (s *Server) authorize(ctx context.Context, u *user, method string) (string, error) {
	if method == "AddOrg" {
		if !hasAny(u.roles[""], createOrgRoles) {
			return "", errNoPermission
		}
		return "", nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	orgID := first(md, "x-zitadel-orgid")
	if orgID == "" {
		orgID = u.resourceOwner
	}
	if _, ok := s.orgs[orgID]; !ok {
		return "", errOrgNotExist
	}
	held := rolesIn(u, orgID)
	if len(held) == 0 {
		return "", errNoMembership
	}
	if !hasAny(held, requiredRoles(method)) {
		return "", errNoPermission
	}
	return orgID, nil
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// toStatus renders an error the way ZITADEL does, including the quirk of
// v4.11 to v4.13.1 when it is switched on.
func (s *Server) toStatus(err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	msg := ae.Error()
	// The quirk wraps request validation (no error id), not errors of
	// ZITADEL's own such as the v2 list's Limit exceeded (QUERY-4M0fs).
	if s.opts.UnknownWrapQuirk && (ae.code == codes.InvalidArgument && ae.id == "" || ae == errAuthMissing) {
		return status.Error(codes.Unknown, fmt.Sprintf("rpc error: code = %s desc = %s ()", ae.code, msg))
	}
	st := status.New(ae.code, msg)
	if ae.id != "" {
		if withDetail, err := st.WithDetails(&message.ErrorDetail{Id: ae.id, Message: ae.text}); err == nil {
			st = withDetail
		}
	}
	return st.Err()
}

type orgKey struct{}

func withOrg(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, orgKey{}, id)
}

func orgFrom(ctx context.Context) string {
	id, _ := ctx.Value(orgKey{}).(string)
	return id
}
