package zitadel

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// ownerKind is what kind of owner holds metadata: the row of an API's
// table of calls.
type ownerKind int

const (
	orgKind ownerKind = iota
	userKind
	ownerKinds
)

func (o Owner) kind() ownerKind {
	if o.IsUser() {
		return userKind
	}
	return orgKind
}

// ownerCalls is how one API reads and writes the metadata of one kind of
// owner: its three calls and the request field that names the owner. Each
// API has one row per kind of owner (v1Calls, v2Calls), so a new kind of
// owner is a new row, not a new branch in every backend method.
//
// The requests are built from the calls' descriptors: within an API, every
// kind's requests name their other fields alike (metadata, with key and
// value; keys; and the API's search fields), so one tableAPI builds them
// all. TestCallTablesBuildTheTypedRequests compares each row's requests
// with the typed ones.
type ownerCalls struct {
	list, set, remove rpc
	// ownerField is the request field that takes owner.ID(); "" when the
	// x-zitadel-orgid header names the owner (v1's organization).
	ownerField protoreflect.Name
	// emptyPageEnds: an empty page ends a search whatever total it reports
	// (v2's user search counts the entries a caller without membership may
	// not see; contract section 4).
	emptyPageEnds bool
}

// callTable is an API's rows, by kind of owner.
type callTable [ownerKinds]ownerCalls

// tableAPI makes an API's metadata calls from its table; v1API and v2API
// add what is particular to their API around it. Backends are used by
// pointer: autoAPI compares them, and a tableAPI (with funcs) cannot be.
type tableAPI struct {
	c     *Client
	table *callTable
	// search fills a search request's paging and filters; found reads the
	// page and the number of matches from its answer.
	search func(req protoreflect.Message, filters []KeyFilter, offset uint64, limit int)
	found  func(resp proto.Message) ([]Entry, uint64)
}

func (t tableAPI) writes(owner Owner) (set, remove rpc) {
	row := &t.table[owner.kind()]
	return row.set, row.remove
}

// request is a new request of call r for owner.
func (row *ownerCalls) request(r rpc, owner Owner) protoreflect.Message {
	req := r.in.New()
	if row.ownerField != "" {
		req.Set(field(req, row.ownerField), protoreflect.ValueOfString(owner.ID()))
	}
	return req
}

func (t tableAPI) searchRequest(owner Owner, filters []KeyFilter, offset uint64, limit int) proto.Message {
	row := &t.table[owner.kind()]
	req := row.request(row.list, owner)
	t.search(req, filters, offset, limit)
	return req.Interface()
}

func (t tableAPI) setRequest(owner Owner, entries []KV) proto.Message {
	row := &t.table[owner.kind()]
	req := row.request(row.set, owner)
	list := req.Mutable(field(req, "metadata")).List()
	item := list.NewElement().Message().Descriptor()
	key, value := fieldIn(item, "key"), fieldIn(item, "value")
	for _, e := range entries {
		m := list.NewElement().Message()
		m.Set(key, protoreflect.ValueOfString(e.Key))
		m.Set(value, protoreflect.ValueOfBytes(e.Value))
		list.Append(protoreflect.ValueOfMessage(m))
	}
	return req.Interface()
}

func (t tableAPI) removeRequest(owner Owner, keys []string) proto.Message {
	row := &t.table[owner.kind()]
	req := row.request(row.remove, owner)
	list := req.Mutable(field(req, "keys")).List()
	for _, k := range keys {
		list.Append(protoreflect.ValueOfString(k))
	}
	return req.Interface()
}

func (t tableAPI) listPage(ctx context.Context, owner Owner, filters []KeyFilter, offset uint64, limit int) ([]Entry, uint64, error) {
	row := &t.table[owner.kind()]
	resp := row.list.out.New().Interface()
	if err := t.c.invoke(ctx, row.list, owner, t.searchRequest(owner, filters, offset, limit), resp); err != nil {
		return nil, 0, err
	}
	page, total := t.found(resp)
	if len(page) == 0 && row.emptyPageEnds {
		total = 0
	}
	return page, total, nil
}

func (t tableAPI) set(ctx context.Context, owner Owner, entries []KV) error {
	row := &t.table[owner.kind()]
	return t.c.invoke(ctx, row.set, owner, t.setRequest(owner, entries), row.set.out.New().Interface())
}

func (t tableAPI) remove(ctx context.Context, owner Owner, keys []string) error {
	row := &t.table[owner.kind()]
	return t.c.invoke(ctx, row.remove, owner, t.removeRequest(owner, keys), row.remove.out.New().Interface())
}

// appendMessages appends messages to the repeated field name of m.
func appendMessages[T proto.Message](m protoreflect.Message, name protoreflect.Name, items []T) {
	list := m.Mutable(field(m, name)).List()
	for _, it := range items {
		list.Append(protoreflect.ValueOfMessage(it.ProtoReflect()))
	}
}

// field is m's field name; a table naming a field its request lacks is a
// bug the tests catch, so it panics.
func field(m protoreflect.Message, name protoreflect.Name) protoreflect.FieldDescriptor {
	return fieldIn(m.Descriptor(), name)
}

func fieldIn(d protoreflect.MessageDescriptor, name protoreflect.Name) protoreflect.FieldDescriptor {
	fd := d.Fields().ByName(name)
	if fd == nil {
		panic(fmt.Sprintf("zitadel: %s has no field %s", d.FullName(), name))
	}
	return fd
}
