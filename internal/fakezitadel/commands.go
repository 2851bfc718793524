package fakezitadel

import (
	"context"
	"hash/maphash"
	"time"
)

// The metadata commands and the search, shared by the management API v1 and
// the organization service v2: ZITADEL runs the same command behind v1
// BulkSetOrgMetadata and v2 SetOrganizationMetadata, and behind v1
// BulkRemoveOrgMetadata and v2 DeleteOrganizationMetadata, so the fake
// keeps one implementation of each and the services only differ in how they
// validate, authorize and answer.

// written describes the organization's newest metadata event after a
// command, which is what both services answer.
type written struct {
	owner    string
	sequence uint64
	at       time.Time
}

func writtenOf(o *org) written {
	return written{owner: o.id, sequence: o.lastMetaSeq, at: o.lastMetaTime}
}

// permissionCheck is the check a v2 command makes inside the call; v1
// passes nil, its interceptor having checked already. The caller holds s.mu.
type permissionCheck func() error

// checkPermission runs check under the store lock.
func (s *Server) checkPermission(check permissionCheck) error {
	if check == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return check()
}

// beginMetadataCommand runs a metadata command's checks in ZITADEL's
// order (an empty list, then the permission, then the organization) and
// returns the organization locked for the write.
func (s *Server) beginMetadataCommand(ctx context.Context, orgID string, check permissionCheck, items int, emptyErr error) (*org, func(), error) {
	if items == 0 {
		return nil, nil, emptyErr
	}
	if err := s.checkPermission(check); err != nil {
		return nil, nil, err
	}
	return s.lockMetadataWrite(ctx, orgID)
}

// setMetadataCommand is ZITADEL's BulkSetOrgMetadata command: an empty list
// fails first, then the permission check (v2 only), then the organization
// must exist and not be removed; entries apply atomically as org.bulkSet
// says. The order follows ZITADEL's command, which checks the list before
// anything else.
func (s *Server) setMetadataCommand(ctx context.Context, orgID string, check permissionCheck, entries []kv) (written, error) {
	o, unlock, err := s.beginMetadataCommand(ctx, orgID, check, len(entries), errSetListEmpty)
	if err != nil {
		return written{}, err
	}
	defer unlock()
	o.bulkSet(entries, s.opts.Now())
	return writtenOf(o), nil
}

// removeMetadataCommand is ZITADEL's BulkRemoveOrgMetadata command: all or
// nothing, a missing key fails the whole call, duplicates are accepted with
// one remove event each. Checks run in the order of setMetadataCommand.
func (s *Server) removeMetadataCommand(ctx context.Context, orgID string, check permissionCheck, keys []string) (written, error) {
	o, unlock, err := s.beginMetadataCommand(ctx, orgID, check, len(keys), errRemoveListEmpty)
	if err != nil {
		return written{}, err
	}
	defer unlock()
	for _, k := range keys {
		if _, ok := o.metadata[k]; !ok {
			return written{}, errKeysMissing
		}
	}
	now := s.opts.Now()
	for _, k := range keys {
		o.remove(k, now)
	}
	return writtenOf(o), nil
}

// lockWritable locks the store and returns the organization a write acts
// on, with the function that unlocks it, or the error ZITADEL's commands
// answer for an organization that is removed or (reachable only through v2,
// whose organization no interceptor checked) never existed, with nothing
// locked.
func (s *Server) lockWritable(orgID string) (*org, func(), error) {
	s.mu.Lock()
	o := s.orgs[orgID]
	if o == nil || o.removed {
		s.mu.Unlock()
		return nil, nil, errOrgRemoved
	}
	return o, s.mu.Unlock, nil
}

// keyFilter is one key query of a metadata search, v1's MetadataKeyQuery or
// v2's MetadataKeyFilter (whose text methods have the same numbers).
type keyFilter struct {
	key    string
	method TextMethod
}

// searchKeys returns the keys of a live organization that match every
// filter, in list order (see org.listedKeys); nil for a missing or removed
// organization, which both services answer with an empty list. The caller
// holds s.mu.
func (s *Server) searchKeys(orgID string, filters []keyFilter, seed *maphash.Seed) []string {
	o := s.orgs[orgID]
	if o == nil || o.removed {
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
