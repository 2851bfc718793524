package zitadel

import (
	"context"
	"slices"
	"time"
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
	LookupUser(ctx context.Context, owner Owner) (User, error)
	OwnerGone(ctx context.Context, owner Owner) (bool, error)
	ListMetadata(ctx context.Context, owner Owner, filters []KeyFilter) ([]Entry, error)
	SetMetadata(ctx context.Context, owner Owner, entries []KV) (applied int, err error)
	RemoveMetadata(ctx context.Context, owner Owner, keys []string) (removed int, err error)
}

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
			// confirm before taking every key for gone. (A gone owner has
			// nothing left to remove.)
			if _, gerr := c.OwnerGone(ctx, owner); gerr != nil {
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
