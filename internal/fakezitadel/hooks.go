package fakezitadel

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// AddOrg creates an active organization and returns its id.
func (s *Server) AddOrg(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID()
	s.orgs[id] = &org{id: id, name: name, created: s.opts.Now(), sequence: freshOrgSequence, metadata: map[string]*entry{}}
	return id
}

// AddUser creates a user whose own organization is ownOrg and returns its
// id. Give it roles with Grant and a token with AddToken.
func (s *Server) AddUser(ownOrg string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID()
	s.users[id] = &user{id: id, ownOrg: ownOrg, roles: map[string][]string{}}
	return id
}

// Grant gives the user roles in an organization; orgID "" grants
// instance-wide (IAM) roles.
func (s *Server) Grant(userID, orgID string, roles ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userID]
	u.roles[orgID] = append(u.roles[orgID], roles...)
}

// AddToken issues a personal access token for the user.
func (s *Server) AddToken(userID string) string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	tok := "pat_" + hex.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = s.users[userID]
	return tok
}

// Fixture is the standard population: two organizations, an owner of both,
// a viewer of the first and an outsider with no membership anywhere.
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
	return f
}

// Calls returns how many calls of a method (e.g. "BulkSetOrgMetadata") the
// fake received, failed ones included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// AllCalls returns a copy of every method's call count.
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
	s.peers = map[string]map[string]bool{}
	s.conflicts = 0
	s.searches = 0
}

// Searches returns how many searches (ListOrgMetadata calls at offset 0,
// each the first page of a reading) the fake received since the last
// ResetCalls; Calls("ListOrgMetadata") counts every page.
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
func (s *Server) InjectFault(method string, n int, f Fault) {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if o == nil {
		return nil
	}
	out := make(map[string][]byte, len(o.metadata))
	for k, e := range o.metadata {
		out[k] = append([]byte(nil), e.value...)
	}
	return out
}

// Keys returns an organization's metadata keys, sorted.
func (s *Server) Keys(orgID string) []string {
	md := s.Metadata(orgID)
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SetMetadata writes one key out of band, as another client would (one
// event).
func (s *Server) SetMetadata(orgID, key string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[orgID].set(key, value, s.opts.Now())
}

// DeleteMetadata removes one key out of band; a missing key is ignored.
func (s *Server) DeleteMetadata(orgID, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if _, ok := o.metadata[key]; ok {
		o.remove(key, s.opts.Now())
	}
}

// RemoveOrganization removes an organization out of band, as RemoveOrg does.
func (s *Server) RemoveOrganization(orgID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if o == nil {
		return fmt.Errorf("no organization %s", orgID)
	}
	o.sequence++
	o.removed = true
	return nil
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
