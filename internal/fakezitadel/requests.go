package fakezitadel

import (
	"fmt"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// Request validation and answers shared by the organization and user calls
// of every service: the requests of one kind differ only in their message
// names, which the real server's validation messages quote.

// metadataItem is one entry of a set request: v1's
// BulkSet{Org,User}MetadataRequest_Metadata, or v2's org or user Metadata.
type metadataItem interface {
	GetKey() string
	GetValue() []byte
}

// metadataEntries validates the entries of a set request named request (e.g.
// "BulkSetOrgMetadataRequest") as the real server does and converts them for
// the set command. v1 values take 1 to maxValueSize bytes; v2 values may be
// empty, which deletes the key.
func metadataEntries[M metadataItem](request string, items []M, v2 bool) ([]kv, error) {
	item := request + "_Metadata"
	if v2 {
		item = "Metadata"
	}
	entries := make([]kv, 0, len(items))
	for i, e := range items {
		cause := ""
		switch {
		case !validKey(e.GetKey()):
			cause = "invalid " + item + ".Key: value length must be between 1 and 200 runes, inclusive"
		case v2 && len(e.GetValue()) > maxValueSize:
			cause = "invalid " + item + ".Value: value length must be at most 500000 bytes"
		case !v2 && !validValue(e.GetValue()):
			cause = "invalid " + item + ".Value: value length must be between 1 and 500000 bytes, inclusive"
		}
		if cause != "" {
			return nil, validationError(fmt.Sprintf("invalid %s.Metadata[%d]: embedded message failed validation | caused by: %s", request, i, cause))
		}
		entries = append(entries, kv{e.GetKey(), e.GetValue()})
	}
	return entries, nil
}

// validateKeys validates the keys of a remove request named request (e.g.
// "BulkRemoveOrgMetadataRequest").
func validateKeys(request string, keys []string) error {
	for i, k := range keys {
		if !validKey(k) {
			return keyLengthError(fmt.Sprintf("%s.Keys[%d]", request, i))
		}
	}
	return nil
}

// validateID validates the id of the organization or user a request (e.g.
// "SetOrganizationMetadataRequest") names in its field (e.g.
// "OrganizationId"): 1 to 200 characters, as every id field.
func validateID(request, field, id string) error {
	if !validKey(id) {
		return keyLengthError(request + "." + field)
	}
	return nil
}

// eventDate is the date v2 writes answer: that of the owner's newest
// metadata event, which a Set that changed nothing reports too. An owner
// that never had one (a Set that only deleted absent keys) answers the time
// of the call rather than no date.
func (s *Server) eventDate(w written) *timestamppb.Timestamp {
	if w.at.IsZero() {
		return timestamppb.New(s.opts.Now())
	}
	return timestamppb.New(w.at)
}
