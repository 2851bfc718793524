package fakezitadel

import (
	"time"

	"google.golang.org/grpc/codes"
)

// user is a ZITADEL user of one organization (metadataOwner.resourceOwner):
// a caller, with roles and tokens, and an owner of metadata alike. The
// fixture's callers are human users, AddMachineUser adds machine users; the
// user calls (userv1.go, userv2.go) serve both.
type user struct {
	metadataOwner
	username    string
	machine     bool
	name        string // machine users
	description string // machine users
	// inactive: deactivated (USER_STATE_INACTIVE). A removed user has
	// metadataOwner.removed instead: it is gone for every call, and its
	// tokens no longer authenticate.
	inactive bool
	// changed is the time of the user's newest event of its own (added,
	// deactivated, removed), which its details report; metadata events do
	// not count.
	changed time.Time
	// roles by organization id; the key "" holds instance-wide (IAM) roles.
	roles map[string][]string
}

// A fresh user has one event of its own (added) before any metadata is
// written.
const freshUserSequence = 1

// Errors of the user calls (contract section 4; the ids of DeactivateUser,
// RemoveUser and AddMachineUser are those of ZITADEL's commands).
var (
	errUserNotFound    = &apiError{codes.FailedPrecondition, "COMMAND-uXHNj", "User could not be found"}
	errUserKeysMissing = &apiError{codes.NotFound, "META-2nnds", "One or more keys do not exist"}
	// errUserNotFoundQuery is the user lookup's answer (GetUserByID).
	errUserNotFoundQuery = &apiError{codes.NotFound, "QUERY-Dfbg2", "User could not be found"}
	// errUserOfAnotherOrg is management v1 GetUserByID's answer for a user
	// of another organization than the call's.
	errUserOfAnotherOrg    = &apiError{codes.NotFound, "MANAG-fpo4B", "User could not be found"}
	errDeactivateNotFound  = &apiError{codes.NotFound, "COMMAND-3M9ds", "User could not be found"}
	errUserAlreadyInactive = &apiError{codes.FailedPrecondition, "COMMAND-5M0sf", "User already inactive"}
	errRemoveNotFound      = &apiError{codes.NotFound, "COMMAND-m9od", "User could not be found"}
	// errUserIDTaken: AddMachineUser with the user_id of a live user. ZITADEL
	// has no translation for this message key, so it answers the key.
	errUserIDTaken = &apiError{codes.FailedPrecondition, "COMMAND-k2una", "Errors.User.AlreadyExisting"}
	// errUserNameTaken: AddMachineUser with the user name of a live user.
	// ZITADEL's default domain policy makes user names unique in the whole
	// instance, not per organization; its unique-constraint error was not
	// observed on a real server, so the fake answers AlreadyExists without
	// an id.
	errUserNameTaken = &apiError{codes.AlreadyExists, "", "User already exists"}
)

// newUser stores a new user of orgID and returns it; id "" draws a new id,
// username "" falls back to the id as ZITADEL does. The caller holds s.mu.
func (s *Server) newUser(orgID, id, username string, machine bool) *user {
	if id == "" {
		id = s.newID()
	}
	if username == "" {
		username = id
	}
	now := s.opts.Now()
	u := &user{
		metadataOwner: newMetadataOwner(id, orgID, freshUserSequence, now),
		username:      username,
		machine:       machine,
		name:          username,
		changed:       now,
		roles:         map[string][]string{},
	}
	s.users[id] = u
	return u
}

func (s *Server) addUser(orgID, username string, machine bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newUser(orgID, "", username, machine).id
}

// liveUser returns the user unless it is missing, gone (see gone) or, with
// orgID not "", of another organization: the user a v1 call (orgID: the
// call's organization) or a v2 call ("") acts on. The caller holds s.mu.
func (s *Server) liveUser(userID, orgID string) *user {
	u := s.users[userID]
	if u == nil || s.gone(u) || orgID != "" && u.resourceOwner != orgID {
		return nil
	}
	return u
}

// gone tells whether a user was removed, itself or with its organization:
// ZITADEL removes an organization's users with it, so a user of a removed
// organization is gone for every call as a removed user is, and its tokens
// no longer authenticate. (The fake keeps the user's removed flag as it
// was: its metadata stays readable through the hooks.) The caller holds
// s.mu.
func (s *Server) gone(u *user) bool {
	if u.removed {
		return true
	}
	o := s.orgs[u.resourceOwner]
	return o != nil && o.removed
}

// changeUser applies a change of the user's own state (one event of the
// user) to the live user userID of orgID ("": of any) and describes the
// event; notFound is the command's answer for no such user.
func (s *Server) changeUser(userID, orgID string, notFound error, change func(*user) error) (written, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.liveUser(userID, orgID)
	if u == nil {
		return written{}, notFound
	}
	if err := change(u); err != nil {
		return written{}, err
	}
	now := s.opts.Now()
	u.sequence++
	u.changed = now
	return written{owner: u.resourceOwner, sequence: u.sequence, at: now}, nil
}

// deactivate is DeactivateUser's change: the user and its metadata stay,
// and every metadata call keeps working on it.
func deactivate(u *user) error {
	if u.inactive {
		return errUserAlreadyInactive
	}
	u.inactive = true
	return nil
}

// remove is RemoveUser's change: the user is gone for every call (writes
// fail with COMMAND-uXHNj, lists answer empty, lookups QUERY-Dfbg2).
func remove(u *user) error {
	u.removed = true
	return nil
}

// AddMachineUser creates an active machine user (a service account) in an
// organization and returns its id, as the management API's AddMachineUser
// does.
func (s *Server) AddMachineUser(orgID, username string) string {
	return s.addUser(orgID, username, true)
}

// DeactivateUser deactivates a user out of band, as the management API's
// DeactivateUser does; a user that is missing, removed or inactive already
// is an error.
func (s *Server) DeactivateUser(userID string) error {
	_, err := s.changeUser(userID, "", errDeactivateNotFound, deactivate)
	return err
}

// RemoveUser removes a user out of band, as the management API's RemoveUser
// does; a user that is missing or removed already is an error. Its metadata
// stays readable through UserMetadata, as an organization's does after
// RemoveOrganization.
func (s *Server) RemoveUser(userID string) error {
	_, err := s.changeUser(userID, "", errRemoveNotFound, remove)
	return err
}

// UserMetadata returns a copy of a user's metadata, out of band; nil for
// no such user.
func (s *Server) UserMetadata(userID string) map[string][]byte {
	return s.copyMetadata(ownerIn(s.users, userID))
}

// UserKeys returns a user's metadata keys, sorted.
func (s *Server) UserKeys(userID string) []string {
	return sortedKeys(s.UserMetadata(userID))
}

// SetUserMetadata writes one key of a user out of band, as another client
// would (one event of the user).
func (s *Server) SetUserMetadata(userID, key string, value []byte) {
	s.setOutOfBand(ownerIn(s.users, userID), key, value)
}

// DeleteUserMetadata removes one key of a user out of band; a missing key
// is ignored.
func (s *Server) DeleteUserMetadata(userID, key string) {
	s.deleteOutOfBand(ownerIn(s.users, userID), key)
}

// UserSequence returns the user's event counter.
func (s *Server) UserSequence(userID string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[userID].sequence
}
