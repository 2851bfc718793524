package fakezitadel

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// AddOrg creates an active organization and returns its id. Unlike the
// management API's AddOrg it makes nobody a member and does not check that
// the name is unique.
func (s *Server) AddOrg(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newOrg(name).id
}

// newOrg stores a new active organization and returns it. The caller holds
// s.mu.
func (s *Server) newOrg(name string) *org {
	id := s.newID()
	o := &org{metadataOwner: newMetadataOwner(id, id, freshOrgSequence, s.opts.Now()), name: name}
	s.orgs[id] = o
	return o
}

// AddUser creates a human user whose own organization is ownOrg and returns
// its id. Give it roles with Grant and a token with AddToken. It is a user
// like any other: the user calls serve its metadata too.
func (s *Server) AddUser(ownOrg string) string {
	return s.addUser(ownOrg, "", false)
}

// Grant gives the user roles in an organization; orgID "" grants
// instance-wide (IAM) roles.
func (s *Server) Grant(userID, orgID string, roles ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userID]
	u.roles[orgID] = append(u.roles[orgID], roles...)
}

// Roles returns a copy of the roles the user holds in an organization, by
// Grant, AddOrg (the creator's ORG_OWNER) or AddOrgMember; orgID "" returns
// its instance-wide roles.
func (s *Server) Roles(userID, orgID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.users[userID].roles[orgID]...)
}

// AddToken issues a personal access token for the user.
func (s *Server) AddToken(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueToken(s.users[userID])
}

// issueToken issues a personal access token for u, which authenticates as
// u until u is gone (the fake does not expire tokens). The caller holds
// s.mu.
func (s *Server) issueToken(u *user) string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	tok := "pat_" + hex.EncodeToString(b)
	s.tokens[tok] = u
	return tok
}

// Fixture is the standard population: two organizations, an owner of both,
// a viewer of the first, an outsider with no membership anywhere (its own
// organization is a third one), an instance owner (IAM_OWNER, allowed in
// every organization) and a machine user in each of the two organizations,
// whose metadata the user calls serve.
type Fixture struct {
	OrgID          string `json:"org_id"`
	SecondOrgID    string `json:"second_org_id"`
	OwnerID        string `json:"-"`
	OwnerToken     string `json:"access_token"`
	ViewerToken    string `json:"viewer_access_token"`
	OutsiderToken  string `json:"outsider_access_token"`
	OutsiderOrgID  string `json:"-"`
	ViewerID       string `json:"-"`
	OutsiderUserID string `json:"-"`
	// UserID is a machine user of OrgID, SecondUserID one of SecondOrgID.
	UserID       string `json:"user_id"`
	SecondUserID string `json:"second_user_id"`
	AdminID      string `json:"-"`
	AdminToken   string `json:"admin_access_token"`
}

// Populate creates the standard population.
func (s *Server) Populate() Fixture {
	var f Fixture
	f.OrgID = s.AddOrg("acme")
	f.SecondOrgID = s.AddOrg("globex")
	f.OutsiderOrgID = s.AddOrg("initech")
	f.OwnerID = s.AddUser(f.OrgID)
	s.Grant(f.OwnerID, f.OrgID, "ORG_OWNER")
	s.Grant(f.OwnerID, f.SecondOrgID, "ORG_OWNER")
	f.OwnerToken = s.AddToken(f.OwnerID)
	f.ViewerID = s.AddUser(f.OrgID)
	s.Grant(f.ViewerID, f.OrgID, "ORG_OWNER_VIEWER")
	f.ViewerToken = s.AddToken(f.ViewerID)
	f.OutsiderUserID = s.AddUser(f.OutsiderOrgID)
	f.OutsiderToken = s.AddToken(f.OutsiderUserID)
	f.AdminID = s.AddUser(f.OrgID)
	s.Grant(f.AdminID, "", "IAM_OWNER")
	f.AdminToken = s.AddToken(f.AdminID)
	f.UserID = s.AddMachineUser(f.OrgID, "metadata-bot")
	f.SecondUserID = s.AddMachineUser(f.SecondOrgID, "second-bot")
	return f
}

// Calls returns how many calls of a method (e.g. "BulkSetOrgMetadata") the
// fake received, failed ones included. A name serves every service with a
// method of that name: the management API v1 and the user service v2 both
// have ListUserMetadata and GetUserByID. A qualified name, the gRPC full
// method name with or without its leading slash (e.g.
// "zitadel.user.v2.UserService/ListUserMetadata", or the generated
// UserService_ListUserMetadata_FullMethodName), counts one service's.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.serviceCalls[strings.TrimPrefix(method, "/")]; ok {
		return n
	}
	return s.calls[method]
}

// AllCalls returns a copy of every method's call count, by name (not
// qualified).
func (s *Server) AllCalls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// ResetCalls sets every call count, and the count of write conflicts, to
// zero.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.serviceCalls = map[string]int{}
	s.peers = map[string]map[string]bool{}
	s.conflicts = 0
	s.searches = 0
}

// Searches returns how many searches (metadata list calls at offset 0, each
// the first page of a reading: ListOrgMetadata, ListOrganizationMetadata and
// both ListUserMetadata) the fake received since the last ResetCalls;
// Calls("ListOrgMetadata") counts every page.
func (s *Server) Searches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.searches
}

// Connections returns how many client connections (distinct client
// addresses) calls of method came over since the last ResetCalls.
func (s *Server) Connections(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.peers[method])
}

// callsHandler serves the call counts as JSON (GET /fake/calls), for tools
// that drive the standalone fake, such as the benchmark.
func (s *Server) callsHandler(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.AllCalls())
}

func (s *Server) resetHandler(w http.ResponseWriter, _ *http.Request) {
	s.ResetCalls()
	w.WriteHeader(http.StatusNoContent)
}

// InjectFault makes the next n calls of method (every call when n < 0)
// fail or slow down as f says. It replaces any fault pending for method.
// method is a name, which applies to every service's method of that name, or
// a qualified name as Calls takes, which applies to one service's and takes
// precedence over a fault for the name.
func (s *Server) InjectFault(method string, n int, f Fault) {
	method = strings.TrimPrefix(method, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	if n == 0 {
		delete(s.faults, method)
		return
	}
	s.faults[method] = &pendingFault{Fault: f, remaining: n}
}

// ClearFaults drops every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]*pendingFault{}
}

// Metadata returns a copy of an organization's metadata, out of band.
func (s *Server) Metadata(orgID string) map[string][]byte {
	return s.copyMetadata(ownerIn(s.orgs, orgID))
}

// Keys returns an organization's metadata keys, sorted.
func (s *Server) Keys(orgID string) []string {
	return sortedKeys(s.Metadata(orgID))
}

// SetMetadata writes one key out of band, as another client would (one
// event).
func (s *Server) SetMetadata(orgID, key string, value []byte) {
	s.setOutOfBand(ownerIn(s.orgs, orgID), key, value)
}

// DeleteMetadata removes one key out of band; a missing key is ignored.
func (s *Server) DeleteMetadata(orgID, key string) {
	s.deleteOutOfBand(ownerIn(s.orgs, orgID), key)
}

// copyMetadata copies an owner's metadata under the lock (nil without
// owner); find runs under the lock.
func (s *Server) copyMetadata(find func() *metadataOwner) map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := find()
	if o == nil {
		return nil
	}
	out := make(map[string][]byte, len(o.metadata))
	for k, e := range o.metadata {
		out[k] = append([]byte(nil), e.value...)
	}
	return out
}

func sortedKeys(md map[string][]byte) []string {
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// setOutOfBand writes one key of the owner find returns (one event).
func (s *Server) setOutOfBand(find func() *metadataOwner, key string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	find().set(key, value, s.opts.Now())
}

// deleteOutOfBand removes one key of the owner find returns, if present.
func (s *Server) deleteOutOfBand(find func() *metadataOwner, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := find()
	if _, ok := o.metadata[key]; ok {
		o.remove(key, s.opts.Now())
	}
}

// ownerIn finds an organization or user of owners by id, removed or not,
// for the hooks; nil when there is none. It runs under the lock.
func ownerIn[T interface{ owner() *metadataOwner }](owners map[string]T, id string) func() *metadataOwner {
	return func() *metadataOwner {
		if o, ok := owners[id]; ok {
			return o.owner()
		}
		return nil
	}
}

// RemoveOrganization removes an organization out of band, as RemoveOrg does:
// its users are gone with it (see Server.gone). An organization that is
// missing or removed already is an error, as for RemoveOrg.
func (s *Server) RemoveOrganization(orgID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if o == nil {
		return fmt.Errorf("no organization %s", orgID)
	}
	if o.removed {
		return fmt.Errorf("organization %s is removed already", orgID)
	}
	s.removeOrg(o)
	return nil
}

// removeOrg is RemoveOrg's change (contract section 1, "Finding out which
// organization"): the organization answers as removed, its users are gone
// with it (see Server.gone), and every membership in it goes too, so a
// caller whose access was such a membership gets NotFound AUTHZ-cdgFk for
// every call about it, as one that never had a membership does; instance
// roles stay. The caller holds s.mu.
func (s *Server) removeOrg(o *org) {
	o.sequence++
	o.removed = true
	for _, u := range s.users {
		delete(u.roles, o.id)
	}
}

// Sequence returns the organization's event counter.
func (s *Server) Sequence(orgID string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orgs[orgID].sequence
}

// noteHeaders counts a request's headers for RequestsWithHeader.
func (s *Server) noteHeaders(h http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.headers == nil {
		s.headers = map[string]int{}
	}
	for name := range h {
		s.headers[strings.ToLower(name)]++
	}
}

// RequestsWithHeader returns how many requests of any kind (gRPC, REST,
// OIDC discovery and token) carried the header, whatever its value.
func (s *Server) RequestsWithHeader(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers[strings.ToLower(name)]
}
