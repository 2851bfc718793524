package zitadel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
)

const (
	// DefaultChunkBytes keeps each write request under gRPC's default 4 MiB
	// receive limit on the server, with room for headers.
	DefaultChunkBytes = 4<<20 - 64<<10
	// DefaultPageSize is the list page size.
	DefaultPageSize = 1000
	// MaxPageSize is the largest page the organization service v2 serves
	// (a larger limit fails with QUERY-4M0fs); v1 has no maximum.
	MaxPageSize = 1000
)

// MetadataAPI is what resources and data sources need of ZITADEL.
type MetadataAPI interface {
	GetOrg(ctx context.Context, orgID string) (Org, error)
	GetUser(ctx context.Context, owner Owner) (User, error)
	ListMetadata(ctx context.Context, owner Owner, filters []KeyFilter) ([]Entry, error)
	SetMetadata(ctx context.Context, owner Owner, entries []KV) (applied int, err error)
	RemoveMetadata(ctx context.Context, owner Owner, keys []string) (removed int, err error)
}

// Owner is whose metadata a call reads or writes: an organization, or one
// of its users.
type Owner struct {
	// OrgID is the organization, or the user's own organization (the
	// management API v1 needs it in the header: with another one it answers
	// a user's search with an empty list). "" is the caller's own.
	OrgID string
	// UserID is the user; "" for the organization's own metadata.
	UserID string
}

// OrgOwner is an organization as an owner of metadata.
func OrgOwner(orgID string) Owner { return Owner{OrgID: orgID} }

// UserOwner is a user of an organization as an owner of metadata.
func UserOwner(orgID, userID string) Owner { return Owner{OrgID: orgID, UserID: userID} }

// IsUser reports whether the owner is a user.
func (o Owner) IsUser() bool { return o.UserID != "" }

var _ MetadataAPI = (*Client)(nil)

// KV is one key and its raw value.
type KV struct {
	Key   string
	Value []byte
}

// Entry is one metadata entry as the search returns it.
type Entry struct {
	Key          string
	Value        []byte
	CreationDate time.Time
	ChangeDate   time.Time
	// V1Details reports that Sequence and ResourceOwner are known: only the
	// management API v1 returns them.
	V1Details     bool
	Sequence      uint64
	ResourceOwner string
}

// Method is a key filter's text comparison, as zitadel.v1.TextQueryMethod.
type Method int32

const (
	Equals Method = iota
	EqualsIgnoreCase
	StartsWith
	StartsWithIgnoreCase
	Contains
	ContainsIgnoreCase
	EndsWith
	EndsWithIgnoreCase
)

// KeyFilter narrows a search by key; several filters are ANDed.
type KeyFilter struct {
	Key    string
	Method Method
}

// ListMetadata returns every entry of the organization matching all filters,
// sorted by key (ZITADEL guarantees no order). Offset paging can skip a key
// when keys before it are removed between two pages, so a reading counts
// only when every non-empty page reported the same total and that many
// distinct keys were read, none of them twice; otherwise the search starts
// over, at most listAttempts times, and then fails rather than return a
// reading that may lack a key. (A removal before the cursor balanced by an
// addition behind it between two pages escapes these checks.)
func (c *Client) ListMetadata(ctx context.Context, owner Owner, filters []KeyFilter) ([]Entry, error) {
	for attempt := 1; ; attempt++ {
		out, consistent, err := c.listOnce(ctx, owner, filters)
		if err != nil {
			return nil, err
		}
		if consistent {
			slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) })
			return out, nil
		}
		if attempt == listAttempts {
			return nil, &Error{Method: "ListMetadata", OrgID: owner.OrgID, UserID: owner.UserID, API: c.api.version(), Code: codes.Aborted, Kind: KindOther, Attempts: attempt,
				Message: fmt.Sprintf("the metadata changed while it was read, %d times in a row; run the command again when it is quieter", attempt)}
		}
	}
}

// limitExceeded is ZITADEL's answer to a page larger than its configured
// maximum (QUERY-4M0fs; 1,000 by default on v2).
func limitExceeded(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.ID == "QUERY-4M0fs"
}

// listAttempts bounds how often a search starts over because the
// organization changed while it was paged through.
const listAttempts = 5

// listOnce reads every page once. consistent reports that the organization
// did not visibly change meanwhile.
func (c *Client) listOnce(ctx context.Context, owner Owner, filters []KeyFilter) (out []Entry, consistent bool, err error) {
	limit := c.pageSize
	seen := map[string]bool{}
	var offset, total uint64
	consistent = true
	for {
		page, t, err := c.api.listPage(ctx, owner, filters, offset, limit)
		if IsKind(err, KindTooLarge) && limit > 1 {
			// Large values: the page did not fit in one response.
			limit = max(limit/4, 1)
			continue
		}
		if limitExceeded(err) && limit > 1 {
			// A server configured with a lower maximum page size.
			limit = max(limit/2, 1)
			continue
		}
		if err != nil {
			return nil, false, err
		}
		if len(page) == 0 {
			break
		}
		// ZITADEL reports 0 for an empty page only; a non-empty page's
		// total counts every match.
		if t > 0 {
			if total > 0 && t != total {
				consistent = false
			}
			total = t
		}
		for _, e := range page {
			if seen[e.Key] {
				consistent = false // a key moved between pages while we read
				continue
			}
			seen[e.Key] = true
			out = append(out, e)
		}
		offset += uint64(len(page))
		if total > 0 && offset >= total {
			break
		}
		if total == 0 && len(page) < limit {
			break
		}
	}
	if total > 0 && uint64(len(out)) != total {
		consistent = false
	}
	return out, consistent, nil
}

// fit is how many of the leading items fit in one request of at most
// limit: at least one (an item larger than limit goes alone).
func fit[T any](items []T, limit int, size func(T) int) int {
	total := 0
	for i, it := range items {
		total += size(it)
		if i > 0 && total > limit {
			return i
		}
	}
	return len(items)
}

// resizes bounds how often a write is sized again because the transport
// changed under it (KindRequestTooLarge).
const resizes = 3

// SetMetadata writes entries in bulk, one call per chunk of at most
// ChunkBytes on the wire of the transport in use. Each call is atomic;
// applied counts the entries of the calls that succeeded before an error,
// in order.
func (c *Client) SetMetadata(ctx context.Context, owner Owner, entries []KV) (int, error) {
	applied, resized := 0, 0
	for applied < len(entries) {
		set, _ := c.api.writes(owner)
		n := fit(entries[applied:], c.wire.limit(set, c.chunkBytes), func(e KV) int { return c.wire.entrySize(e.Key, e.Value) })
		err := c.api.set(ctx, owner, entries[applied:applied+n])
		if IsKind(err, KindRequestTooLarge) && n > 1 && resized < resizes {
			resized++
			continue
		}
		if err != nil {
			return applied, err
		}
		applied += n
	}
	return applied, nil
}

// RemoveMetadata removes keys in bulk, one call per chunk. Keys that are
// already gone are fine: a bulk remove is all or nothing and
// fails when any key is missing, so on that answer the keys still present
// are looked up and the call is repeated with just those. removed counts the
// keys (after de-duplication, in order) of the chunks done before an error.
func (c *Client) RemoveMetadata(ctx context.Context, owner Owner, keys []string) (removed int, err error) {
	keys = dedupe(keys)
	resized := 0
	for removed < len(keys) {
		_, remove := c.api.writes(owner)
		n := fit(keys[removed:], c.wire.limit(remove, c.chunkBytes), c.wire.keySize)
		err := c.removeChunk(ctx, owner, keys[removed:removed+n])
		if IsKind(err, KindRequestTooLarge) && n > 1 && resized < resizes {
			resized++
			continue
		}
		if err != nil {
			return removed, err
		}
		removed += n
	}
	return removed, nil
}

func (c *Client) removeChunk(ctx context.Context, owner Owner, keys []string) error {
	for attempt := 0; ; attempt++ {
		err := c.api.remove(ctx, owner, keys)
		if !IsKind(err, KindKeysMissing) || attempt >= 3 {
			return err
		}
		present, lerr := c.ListMetadata(ctx, owner, nil)
		if lerr != nil {
			return lerr
		}
		if len(present) == 0 {
			// On v2 an empty list may only mean "not allowed to read":
			// confirm before taking every key for gone.
			if gerr := c.confirmOwner(ctx, owner); gerr != nil {
				return gerr
			}
		}
		exists := make(map[string]bool, len(present))
		for _, e := range present {
			exists[e.Key] = true
		}
		keys = slices.DeleteFunc(keys, func(k string) bool { return !exists[k] })
		if len(keys) == 0 {
			return nil
		}
	}
}

func dedupe(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// confirmOwner asks whether an owner whose search came back empty is still
// there and readable: nil when it is, or when it is gone (nothing left to
// remove); an error when the caller may not read it.
func (c *Client) confirmOwner(ctx context.Context, owner Owner) error {
	var err error
	if owner.IsUser() {
		_, err = c.GetUser(ctx, owner)
		if IsKind(err, KindUserNotFound) {
			return nil
		}
	} else {
		_, err = c.api.getOrg(ctx, owner.OrgID)
	}
	if IsKind(err, KindOrgNotFound) {
		return nil
	}
	return err
}
