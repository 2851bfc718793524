package fakezitadel

import (
	"context"
	"hash/maphash"
	"math/rand/v2"
	"time"
)

// The metadata commands and the search, shared by the management API v1,
// the organization service v2 and the user service v2, for organizations
// and users alike: ZITADEL runs the same command behind v1
// BulkSetOrgMetadata and v2 SetOrganizationMetadata, and behind v1
// BulkRemoveOrgMetadata and v2 DeleteOrganizationMetadata, and the user
// commands are the same but for the owner, so the fake keeps one
// implementation of each and the services only differ in how they validate,
// authorize and answer.

// written describes the owner's newest metadata event after a command,
// which every service answers.
type written struct {
	owner    string // the resource owner: the organization
	sequence uint64
	at       time.Time
}

func writtenOf(o *metadataOwner) written {
	return written{owner: o.resourceOwner, sequence: o.lastMetaSeq, at: o.lastMetaTime}
}

// permissionCheck is the check a v2 command makes inside the call, given
// the organization the metadata's owner belongs to; v1 passes nil, its
// interceptor having checked already. The caller holds s.mu.
type permissionCheck func(orgID string) error

// ownerErrors are the answers of the metadata commands that differ between
// organizations and users.
type ownerErrors struct {
	// missing: the owner does not exist, was removed, or (v1 users) belongs
	// to another organization than the call's.
	missing error
	// removeEmpty: a remove without keys.
	removeEmpty error
	// keysMissing: a remove naming a key that does not exist.
	keysMissing error
}

var (
	orgErrors  = ownerErrors{missing: errOrgRemoved, removeEmpty: errRemoveListEmpty, keysMissing: errKeysMissing}
	userErrors = ownerErrors{missing: errUserNotFound, removeEmpty: errSetListEmpty, keysMissing: errUserKeysMissing}
)

// metadataTarget is the owner a metadata command writes to, as the call
// names it.
type metadataTarget struct {
	// id is the owner's aggregate id, whose event stream a write claims
	// with Options.WriteConflicts.
	id string
	// orgID is the organization the owner must belong to; "" when only the
	// owner knows it (v2 user calls), so the permission check looks the
	// owner up first.
	orgID string
	// find returns the live owner, or nil. The caller holds s.mu.
	find  func() *metadataOwner
	check permissionCheck
	errs  ownerErrors
}

// orgTarget is the organization orgID. ZITADEL checks the permission
// before it looks at the organization: an id that never existed fails on
// the permission for a caller with only organization roles.
func (s *Server) orgTarget(orgID string, check permissionCheck) metadataTarget {
	return metadataTarget{id: orgID, orgID: orgID, find: func() *metadataOwner { return s.liveOrg(orgID) }, check: check, errs: orgErrors}
}

// userTarget is the user userID, of the organization orgID (v1: the
// organization of the call) or of any ("", v2). ZITADEL looks the user up
// before it checks the permission, in the user's organization.
func (s *Server) userTarget(userID, orgID string, check permissionCheck) metadataTarget {
	find := func() *metadataOwner {
		if u := s.liveUser(userID, orgID); u != nil {
			return &u.metadataOwner
		}
		return nil
	}
	return metadataTarget{id: userID, orgID: orgID, find: find, check: check, errs: userErrors}
}

// checkPermission runs the target's v2 permission check under the store
// lock, in the organization of the owner: the target's, or the one the
// owner belongs to, looked up first.
func (s *Server) checkPermission(t metadataTarget) error {
	if t.check == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	orgID := t.orgID
	if orgID == "" {
		o := t.find()
		if o == nil {
			return t.errs.missing
		}
		orgID = o.resourceOwner
	}
	return t.check(orgID)
}

// beginMetadataCommand runs a metadata command's checks in ZITADEL's
// order (an empty list, then the permission, then the owner) and returns
// the owner locked for the write.
func (s *Server) beginMetadataCommand(ctx context.Context, t metadataTarget, items int, emptyErr error) (*metadataOwner, func(), error) {
	if items == 0 {
		return nil, nil, emptyErr
	}
	if err := s.checkPermission(t); err != nil {
		return nil, nil, err
	}
	return s.lockMetadataWrite(ctx, t)
}

// setMetadataCommand is ZITADEL's BulkSetOrgMetadata and
// BulkSetUserMetadata command: an empty list fails first, then the
// permission check (v2 only), then the owner must exist and not be removed;
// entries apply atomically as metadataOwner.bulkSet says. The order follows
// ZITADEL's command, which checks the list before anything else.
func (s *Server) setMetadataCommand(ctx context.Context, t metadataTarget, entries []kv) (written, error) {
	o, unlock, err := s.beginMetadataCommand(ctx, t, len(entries), errSetListEmpty)
	if err != nil {
		return written{}, err
	}
	defer unlock()
	o.bulkSet(entries, s.opts.Now())
	return writtenOf(o), nil
}

// removeMetadataCommand is ZITADEL's BulkRemoveOrgMetadata and
// BulkRemoveUserMetadata command: all or nothing, a missing key fails the
// whole call, duplicates are accepted with one remove event each. Checks run
// in the order of setMetadataCommand.
func (s *Server) removeMetadataCommand(ctx context.Context, t metadataTarget, keys []string) (written, error) {
	o, unlock, err := s.beginMetadataCommand(ctx, t, len(keys), t.errs.removeEmpty)
	if err != nil {
		return written{}, err
	}
	defer unlock()
	for _, k := range keys {
		if _, ok := o.metadata[k]; !ok {
			return written{}, t.errs.keysMissing
		}
	}
	now := s.opts.Now()
	for _, k := range keys {
		o.remove(k, now)
	}
	return writtenOf(o), nil
}

// lockWritable locks the store and returns the owner a write acts on, with
// the function that unlocks it, or the error ZITADEL's commands answer for
// a missing one, with nothing locked: for an organization that is removed
// or (reachable only through v2, whose organization no interceptor checked)
// never existed, for a user that is missing, removed or of another
// organization than a v1 call's.
func (s *Server) lockWritable(t metadataTarget) (*metadataOwner, func(), error) {
	s.mu.Lock()
	o := t.find()
	if o == nil {
		s.mu.Unlock()
		return nil, nil, t.errs.missing
	}
	return o, s.mu.Unlock, nil
}

// liveOrg returns the organization orgID unless it is missing or removed.
// The caller holds s.mu.
func (s *Server) liveOrg(orgID string) *metadataOwner {
	o := s.orgs[orgID]
	if o == nil || o.removed {
		return nil
	}
	return &o.metadataOwner
}

// keyFilter is one key query of a metadata search, v1's MetadataKeyQuery or
// v2's MetadataKeyFilter (whose text methods have the same numbers).
type keyFilter struct {
	key    string
	method TextMethod
}

// searchKeys returns the keys of an owner that match every filter, in list
// order (see metadataOwner.listedKeys and Options.ReorderLists); nil for no owner (missing, removed,
// or not visible to the call), which every service answers with an empty
// list.
func (s *Server) searchKeys(o *metadataOwner, filters []keyFilter) []string {
	keys := searchKeys(o, filters, s.listSeed)
	if s.opts.ReorderLists {
		rand.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	}
	return keys
}

// searchKeys is Server.searchKeys in the order seed gives (see
// metadataOwner.listedKeys).
func searchKeys(o *metadataOwner, filters []keyFilter, seed *maphash.Seed) []string {
	if o == nil {
		return nil
	}
	var matched []string
keys:
	for _, k := range o.listedKeys(seed) {
		for _, f := range filters {
			if !matchKey(k, f.key, f.method) {
				continue keys
			}
		}
		matched = append(matched, k)
	}
	return matched
}

// page applies SQL OFFSET and LIMIT (limit 0: none) and returns the page
// with the total ZITADEL reports: the number of matches, but 0 when the page
// is empty, as the count comes from the same rows as the page.
func page(keys []string, offset uint64, limit uint32) ([]string, uint64) {
	total := uint64(len(keys))
	if offset >= total {
		return nil, 0
	}
	keys = keys[offset:]
	if limit > 0 && int(limit) < len(keys) {
		keys = keys[:limit]
	}
	return keys, total
}
