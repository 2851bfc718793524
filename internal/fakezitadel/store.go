// Package fakezitadel is an in-process ZITADEL stand-in that serves the
// organization and user metadata calls of the management API v1, of the
// organization service v2 and of the user service v2, over one store,
// exactly as ../shared/zitadel-api-contract.md describes them: codes,
// messages, error ids, atomicity, sequence numbers and list quirks. It also
// serves the administration calls a test needs around them, which set up
// organizations, users, memberships and tokens (admin.go), as ZITADEL's
// source describes them. Tests use it directly; the fakezitadel command
// serves it standalone.
//
// One listener serves both transports of the real server: gRPC, and REST
// (grpc-gateway JSON, rest.go) through the very same handlers and
// interceptor. The REST routes are:
//
//	GET    /management/v1/orgs/me                               GetMyOrg
//	POST   /management/v1/orgs                                  AddOrg
//	DELETE /management/v1/orgs/me                               RemoveOrg
//	POST   /management/v1/orgs/me/members                       AddOrgMember
//	POST   /management/v1/metadata/_search                      ListOrgMetadata
//	POST   /management/v1/metadata/_bulk                        BulkSetOrgMetadata
//	DELETE /management/v1/metadata/_bulk                        BulkRemoveOrgMetadata (JSON body {"keys":[...]})
//	POST   /management/v1/metadata/{key}                        SetOrgMetadata
//	GET    /management/v1/metadata/{key}                        GetOrgMetadata
//	DELETE /management/v1/metadata/{key}                        RemoveOrgMetadata
//	POST   /v2/organizations/_search                            ListOrganizations
//	POST   /v2/organizations/{organization_id}/metadata         SetOrganizationMetadata
//	POST   /v2/organizations/{organization_id}/metadata/search  ListOrganizationMetadata
//	DELETE /v2/organizations/{organization_id}/metadata?keys=…  DeleteOrganizationMetadata (body ignored)
//	POST   /management/v1/users/machine                         AddMachineUser
//	GET    /management/v1/users/{id}                            GetUserByID (v1)
//	DELETE /management/v1/users/{id}                            RemoveUser
//	POST   /management/v1/users/{id}/_deactivate                DeactivateUser
//	POST   /management/v1/users/{user_id}/pats                  AddPersonalAccessToken
//	POST   /management/v1/users/{id}/metadata/_search           ListUserMetadata (v1)
//	POST   /management/v1/users/{id}/metadata/_bulk             BulkSetUserMetadata
//	DELETE /management/v1/users/{id}/metadata/_bulk             BulkRemoveUserMetadata (JSON body {"keys":[...]})
//	GET    /v2/users/{user_id}                                  GetUserByID (v2)
//	POST   /v2/users/{user_id}/metadata                         SetUserMetadata
//	POST   /v2/users/{user_id}/metadata/search                  ListUserMetadata (v2)
//	DELETE /v2/users/{user_id}/metadata?keys=…                  DeleteUserMetadata (body ignored)
//
// The v1 routes take the organization from the x-zitadel-orgid header, all
// take the token from Authorization. Calls are counted, faulted and switched
// off under their gRPC method names whichever transport carries them (v1
// and v2 share the names GetUserByID and ListUserMetadata, and so their
// counts and faults).
package fakezitadel

import (
	"hash/maphash"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
)

// A fresh organization in ZITADEL has six events of its own before any
// metadata is written; its first metadata write gets sequence 7.
const freshOrgSequence = 6

const (
	maxKeyRunes  = 200
	maxValueSize = 500000
)

type entry struct {
	value    []byte
	sequence uint64
	created  time.Time
	changed  time.Time
}

// metadataOwner is what metadata hangs on: an organization or a user, each
// an aggregate with an event stream of its own in ZITADEL's event store.
// Organizations and users embed it, so the metadata commands, the search and
// the hooks work on either.
type metadataOwner struct {
	id string
	// resourceOwner is the organization the owner belongs to: a user's
	// organization, an organization's own id.
	resourceOwner string
	removed       bool
	created       time.Time
	// sequence is the owner's event counter, shared by every event of it.
	sequence uint64
	// lastMetaSeq and lastMetaTime describe the newest metadata event; a
	// BulkSet that changes nothing answers with them.
	lastMetaSeq  uint64
	lastMetaTime time.Time
	metadata     map[string]*entry
}

func newMetadataOwner(id, resourceOwner string, sequence uint64, now time.Time) metadataOwner {
	return metadataOwner{id: id, resourceOwner: resourceOwner, created: now, sequence: sequence, metadata: map[string]*entry{}}
}

type org struct {
	metadataOwner
	name string
}

// owner is the metadataOwner of an organization or user.
func (o *metadataOwner) owner() *metadataOwner { return o }

// event appends one metadata event to the owner's stream.
func (o *metadataOwner) event(now time.Time) uint64 {
	o.sequence++
	o.lastMetaSeq = o.sequence
	o.lastMetaTime = now
	return o.sequence
}

type kv struct {
	key   string
	value []byte
}

// bulkSet applies entries atomically, in order, each compared against the
// value stored before the request; entries equal to it write no event. An
// empty value deletes the key, with one event, and is a no-op when the key
// was absent before the request (v2 SetOrganizationMetadata since v4.13; v1
// validation rejects empty values, so v1 never gets here with one). As
// ZITADEL compares with the pre-request state, [k="", k="x"] over a stored
// "x" deletes k and then skips "x" as unchanged: k ends absent.
func (o *metadataOwner) bulkSet(entries []kv, now time.Time) {
	before := make(map[string][]byte, len(entries))
	for _, e := range entries {
		if _, seen := before[e.key]; seen {
			continue
		}
		if cur, ok := o.metadata[e.key]; ok {
			before[e.key] = cur.value
		} else {
			before[e.key] = nil
		}
	}
	for _, e := range entries {
		// Stored values are never empty, so nil means absent.
		prev := before[e.key]
		switch {
		case len(e.value) == 0:
			if prev != nil {
				o.remove(e.key, now)
			}
		case prev != nil && string(prev) == string(e.value):
		default:
			o.set(e.key, e.value, now)
		}
	}
}

// set writes one event for key, whatever the stored value.
func (o *metadataOwner) set(key string, value []byte, now time.Time) uint64 {
	seq := o.event(now)
	v := append([]byte(nil), value...)
	if cur, ok := o.metadata[key]; ok {
		cur.value, cur.sequence, cur.changed = v, seq, now
		return seq
	}
	o.metadata[key] = &entry{value: v, sequence: seq, created: now, changed: now}
	return seq
}

func (o *metadataOwner) remove(key string, now time.Time) uint64 {
	seq := o.event(now)
	delete(o.metadata, key)
	return seq
}

// sortedKeys returns the keys in the order a database collation would list
// them; the real server guarantees no order, so clients must not rely on it.
func (o *metadataOwner) sortedKeys() []string {
	keys := make([]string, 0, len(o.metadata))
	for k := range o.metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// listedKeys returns the keys in the order ListOrgMetadata answers them:
// sorted when seed is nil, else by a hash of the key under seed (ties by
// key). The hashed order is not sorted, catching clients that depend on an
// order, yet stable as a database's: the same for every call, and a key keeps
// its place among the others when keys come and go, so offset paging stays
// consistent. (maphash rather than, say, FNV over salt and key: FNV barely
// mixes the last bytes, so keys differing only there, key00 to key49, would
// list in nearly the same order whatever the salt.)
func (o *metadataOwner) listedKeys(seed *maphash.Seed) []string {
	keys := o.sortedKeys()
	if seed == nil {
		return keys
	}
	rank := make(map[string]uint64, len(keys))
	for _, k := range keys {
		rank[k] = maphash.String(*seed, k)
	}
	sort.SliceStable(keys, func(i, j int) bool { return rank[keys[i]] < rank[keys[j]] })
	return keys
}

// TextMethod mirrors zitadel.v1.TextQueryMethod.
type TextMethod int32

const (
	MethodEquals TextMethod = iota
	MethodEqualsIgnoreCase
	MethodStartsWith
	MethodStartsWithIgnoreCase
	MethodContains
	MethodContainsIgnoreCase
	MethodEndsWith
	MethodEndsWithIgnoreCase
)

// matchKey applies one key query the way ZITADEL's SQL does: EQUALS is exact,
// the LIKE-based methods escape % and _ so they match literally, and the
// *_IGNORE_CASE variants lower-case both sides. Unknown methods behave as
// EQUALS, as over REST; over gRPC validateQueries rejects them first.
func matchKey(key, query string, method TextMethod) bool {
	switch method {
	case MethodEqualsIgnoreCase, MethodStartsWithIgnoreCase, MethodContainsIgnoreCase, MethodEndsWithIgnoreCase:
		key, query = strings.ToLower(key), strings.ToLower(query)
	}
	switch method {
	case MethodStartsWith, MethodStartsWithIgnoreCase:
		return strings.HasPrefix(key, query)
	case MethodContains, MethodContainsIgnoreCase:
		return strings.Contains(key, query)
	case MethodEndsWith, MethodEndsWithIgnoreCase:
		return strings.HasSuffix(key, query)
	default:
		return key == query
	}
}

// apiError is an error in ZITADEL's format: "<text> (<ID>)" with one
// zitadel.v1.ErrorDetail; validation errors carry no id.
type apiError struct {
	code codes.Code
	id   string
	text string
}

func (e *apiError) Error() string {
	if e.id == "" {
		return e.text
	}
	return e.text + " (" + e.id + ")"
}

var (
	errMetadataNotFoundQuery = &apiError{codes.NotFound, "QUERY-Rph32", "Metadata not found"}
	errMetadataNotFoundCmd   = &apiError{codes.NotFound, "META-mcnw3", "Metadata not found"}
	errKeysMissing           = &apiError{codes.NotFound, "META-2npds", "One or more keys do not exist"}
	errSetListEmpty          = &apiError{codes.FailedPrecondition, "META-9mm2d", "Metadata list is empty"}
	errRemoveListEmpty       = &apiError{codes.FailedPrecondition, "META-9mw2d", "Metadata list is empty"}
	errOrgNotExist           = &apiError{codes.PermissionDenied, "AUTH-Bs7Ds", "Organisation doesn't exist"}
	errOrgRemoved            = &apiError{codes.FailedPrecondition, "COMMAND-QXPGs", "Organisation not found"}
	errNoMembership          = &apiError{codes.NotFound, "AUTHZ-cdgFk", "membership not found"}
	errNoPermission          = &apiError{codes.PermissionDenied, "AUTH-5mWD2", "No matching permissions found"}
	errAuthMissing           = &apiError{codes.Unauthenticated, "", "auth header missing"}
	errAuthInvalid           = &apiError{codes.Unauthenticated, "AUTH-toLo1", "invalid auth header"}
	errTokenInvalid          = &apiError{codes.Unauthenticated, "AUTH-7fs1e", "Errors.Token.Invalid"}
)

// WriteConflictMessage is what ZITADEL answers, with code Unknown, when two
// writes to one organization collide in its event store.
const WriteConflictMessage = `ERROR: duplicate key value violates unique constraint "events2_pkey" (SQLSTATE 23505) ()`

// errWriteConflict carries no error id: the message comes straight from the
// database driver, and the real server attaches no ErrorDetail to it.
var errWriteConflict = &apiError{code: codes.Unknown, text: WriteConflictMessage}

func validationError(text string) *apiError {
	return &apiError{code: codes.InvalidArgument, text: text}
}

func keyLengthError(field string) *apiError {
	return validationError("invalid " + field + ": value length must be between 1 and 200 runes, inclusive")
}

func validKey(key string) bool {
	n := utf8.RuneCountInString(key)
	return n >= 1 && n <= maxKeyRunes
}

func validValue(v []byte) bool {
	return len(v) >= 1 && len(v) <= maxValueSize
}
