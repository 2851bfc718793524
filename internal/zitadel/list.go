package zitadel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
)

// listAttempts bounds how often a search starts over because the owner's
// metadata changed while it was read.
const listAttempts = 5

// ListMetadata returns every entry of the owner matching all filters,
// sorted by key (ZITADEL guarantees no order).
//
// It pages with offsets first, which costs one call per page. Offset
// paging needs an order that stays the same from page to page, which
// ZITADEL does not promise: the user service v2 sorts by creation date
// alone, so the many keys one bulk write created tie and come in another
// order on every page (contract section 4); and a key removed before the
// cursor between two pages slides another one past it. So a paged
// reading counts only when every non-empty page reported the same total
// and that many distinct keys were read, none of them twice. Otherwise the
// search is read again in parts that each fit in one page (listByPrefix),
// which needs no order at all; when that does not add up either (the
// metadata changed meanwhile), the search starts over, at most
// listAttempts times, and then fails rather than return a reading that may
// lack a key. (A removal balanced by an addition between two calls escapes
// these checks.)
func (c *Client) ListMetadata(ctx context.Context, owner Owner, filters []KeyFilter) ([]Entry, error) {
	for attempt := 1; ; attempt++ {
		out, consistent, err := c.listOnce(ctx, owner, filters)
		if err == nil && !consistent {
			out, consistent, err = c.listByPrefix(ctx, owner, filters, out)
		}
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

// page reads one page at offset with at most *limit entries, lowering
// *limit while the server cannot answer that many (values too large for
// one answer, or a server configured with a lower maximum page size).
func (c *Client) page(ctx context.Context, owner Owner, filters []KeyFilter, offset uint64, limit *int) ([]Entry, uint64, error) {
	for {
		page, total, err := c.api.listPage(ctx, owner, filters, offset, *limit)
		switch {
		case IsKind(err, KindTooLarge) && *limit > 1:
			*limit = max(*limit/4, 1)
		case limitExceeded(err) && *limit > 1:
			*limit = max(*limit/2, 1)
		default:
			return page, total, err
		}
	}
}

// listOnce reads every page once, by offset. consistent reports that
// the pages fit together (see ListMetadata); out holds every distinct key
// read either way.
func (c *Client) listOnce(ctx context.Context, owner Owner, filters []KeyFilter) (out []Entry, consistent bool, err error) {
	limit := c.pageSize
	seen := map[string]bool{}
	var offset, total uint64
	consistent = true
	for {
		page, t, err := c.page(ctx, owner, filters, offset, &limit)
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

// listByPrefix reads a search in parts, each narrowed by a key prefix
// (STARTS_WITH, ANDed with the filters) until it fits in one page, so no
// part depends on the order of the server's answer. hints are entries
// already read (a paged reading that did not add up): their keys tell
// which prefixes to try. consistent reports that every part's matches add
// up to the total of the search it was split from; they do not when the
// metadata changed between two calls, or when keys hide behind a
// character no key read so far had in that place and no probe found.
func (c *Client) listByPrefix(ctx context.Context, owner Owner, filters []KeyFilter, hints []Entry) ([]Entry, bool, error) {
	r := &prefixReader{c: c, owner: owner, filters: filters, limit: c.pageSize, known: map[string]bool{}, calls: 1}
	for _, e := range hints {
		r.known[e.Key] = true
	}
	out, _, ok, err := r.read(ctx, "")
	return out, ok, err
}

// prefixReader is the state of one listByPrefix.
type prefixReader struct {
	c       *Client
	owner   Owner
	filters []KeyFilter
	limit   int
	// known holds every key seen so far, for choosing prefixes.
	known map[string]bool
	// calls is how many searches the reading may still make: a few per
	// page of the whole search (set by its first answer), plus the probes
	// of two levels. Metadata that keeps changing under the reading would
	// otherwise make it split and probe without end.
	calls int
}

// probeRunes are the characters tried after a prefix when its parts do not
// add up and no key seen so far showed the missing one: printable ASCII,
// which most keys are made of. The backslash is not among them: ZITADEL's
// LIKE takes it as its escape character, so no prefix can hold one.
var probeRunes = func() []rune {
	var out []rune
	for r := rune(' '); r <= '~'; r++ {
		if r != '\\' {
			out = append(out, r)
		}
	}
	return out
}()

// read returns the matches whose keys start with prefix, their number, and
// whether they add up to the total the server reports for the prefix.
func (r *prefixReader) read(ctx context.Context, prefix string) ([]Entry, uint64, bool, error) {
	filters := r.filters
	if prefix != "" {
		filters = append(slices.Clip(filters), KeyFilter{Key: prefix, Method: StartsWith})
	}
	if r.calls <= 0 {
		return nil, 0, false, nil
	}
	r.calls--
	page, total, err := r.c.page(ctx, r.owner, filters, 0, &r.limit)
	if err != nil {
		return nil, 0, false, err
	}
	if prefix == "" {
		r.calls = 4*(int(total)/r.limit+1) + 2*len(probeRunes)
	}
	for _, e := range page {
		r.known[e.Key] = true
	}
	if total > 0 && uint64(len(page)) >= total || total == 0 && len(page) < r.limit {
		// Everything in one answer (total is 0 for an empty page; a full
		// page without a total may have more behind it).
		return page, uint64(len(page)), true, nil
	}
	var under []string
	for k := range r.known {
		if strings.HasPrefix(k, prefix) {
			under = append(under, k)
		}
	}
	// Every key seen under prefix may share a longer prefix: when the
	// server counts as many keys under that one, the rest is there.
	if shared := CommonPrefix(under); len(shared) > len(prefix) && !strings.Contains(shared[len(prefix):], `\`) {
		out, n, ok, err := r.read(ctx, shared)
		if err != nil || !ok || n == total {
			return out, n, ok, err
		}
	}
	// Split by the character after prefix: first those seen, then the key
	// that is prefix itself, then probes while keys are missing.
	var (
		out  []Entry
		sum  uint64
		done = map[string]bool{}
	)
	part := func(p string) (bool, error) {
		if done[p] {
			return true, nil
		}
		done[p] = true
		got, n, ok, err := r.read(ctx, p)
		out, sum = append(out, got...), sum+n
		return ok, err
	}
	for _, p := range nextPrefixes(prefix, under) {
		if ok, err := part(p); err != nil || !ok {
			return nil, 0, false, err
		}
	}
	if prefix != "" && sum < total && r.calls > 0 {
		r.calls--
		exact, n, err := r.c.page(ctx, r.owner, append(slices.Clip(r.filters), KeyFilter{Key: prefix, Method: Equals}), 0, &r.limit)
		if err != nil {
			return nil, 0, false, err
		}
		out, sum = append(out, exact...), sum+min(n, uint64(len(exact)))
	}
	for _, c := range probeRunes {
		if sum >= total {
			break
		}
		if ok, err := part(prefix + string(c)); err != nil || !ok {
			return nil, 0, false, err
		}
	}
	return out, sum, sum == total, nil
}

// nextPrefixes returns, sorted, each distinct prefix one character longer
// than prefix among keys (which all start with it); none that would hold
// a backslash (see probeRunes).
func nextPrefixes(prefix string, keys []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		rest := k[len(prefix):]
		if rest == "" {
			continue
		}
		c, size := utf8.DecodeRuneInString(rest)
		if c == '\\' || c == utf8.RuneError && size <= 1 {
			continue
		}
		if p := prefix + rest[:size]; !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// CommonPrefix is the longest prefix all keys share, cut at a character
// boundary; "" without keys.
func CommonPrefix(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	prefix := keys[0]
	for _, k := range keys[1:] {
		n := 0
		for n < len(prefix) && n < len(k) && prefix[n] == k[n] {
			n++
		}
		prefix = prefix[:n]
	}
	for len(prefix) > 0 && !utf8.ValidString(prefix) {
		prefix = prefix[:len(prefix)-1]
	}
	return prefix
}
