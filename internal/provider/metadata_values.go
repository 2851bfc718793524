package provider

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// valueMap is the attribute a key's value lives in: values,
// binary_values, sensitive_values or sensitive_values_wo (mapAttr).
type valueMap int

const (
	inValues valueMap = iota
	inBinaryValues
	inSensitiveValues
	// inWriteOnly is sensitive_values_wo: the configuration has the value,
	// a plan or state only the key and its status
	// (sensitive_values_wo_keys).
	inWriteOnly
)

// valueMaps are the maps a plan or state holds values in, in the order
// they are read and written.
var valueMaps = []valueMap{inValues, inBinaryValues, inSensitiveValues}

// configMaps are the maps a configuration gives values in.
var configMaps = []valueMap{inValues, inBinaryValues, inSensitiveValues, inWriteOnly}

// value is one managed key: its raw bytes, the map it lives in and the
// string that map holds for it.
type value struct {
	raw []byte
	in  valueMap
	// text is what the map holds: the text itself, or base64 for binary;
	// for a write-only key, its status (woWritten, ...).
	text string
	// digest is a write-only value's salted digest (woDigests.sum), ""
	// when not known; raw is then nil unless the configuration gave it.
	digest string
}

// same tells whether two values of a key hold the same bytes: compared as
// bytes when both are known, else by digest (a write-only key of a state).
func (v value) same(o value) bool {
	if v.raw != nil && o.raw != nil {
		return string(v.raw) == string(o.raw)
	}
	return v.digest != "" && v.digest == o.digest
}

// keySet is a set of managed keys with their values.
type keySet map[string]value

// ZITADEL's limits, checked at plan time.
const (
	maxKeyRunes  = 200
	maxValueSize = 500000
)

// maxResourceBytes bounds the keys and values of one resource, as they
// stand in configuration and state: Terraform sends the configuration, the
// prior state and the proposed state of a resource to the provider in one
// message of at most 256 MiB (terraform-plugin-go's limit), so three copies
// must fit with room to spare.
const maxResourceBytes = 64 << 20

func textValue(s string) value      { return value{raw: []byte(s), in: inValues, text: s} }
func sensitiveValue(s string) value { return value{raw: []byte(s), in: inSensitiveValues, text: s} }

// binaryValue decodes a base64 string from configuration or state.
func binaryValue(s string) (value, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return value{}, err
	}
	return value{raw: raw, in: inBinaryValues, text: s}, nil
}

// fromServer builds the value for bytes read from ZITADEL, keeping the map
// the key was in where that is lossless: text that is not valid UTF-8 moves to
// the binary map, so drift never loses a byte.
func fromServer(raw []byte, prefer valueMap, prior *value) value {
	switch {
	case prefer == inSensitiveValues && utf8.Valid(raw):
		return value{raw: raw, in: inSensitiveValues, text: string(raw)}
	case prefer == inSensitiveValues:
		// Showing these bytes in the binary map would reveal a sensitive
		// value in plan output; a digest marks the drift without doing so.
		sum := sha256.Sum256(raw)
		return value{raw: raw, in: inSensitiveValues, text: fmt.Sprintf("<non-UTF-8 value, %d bytes, sha256:%s>", len(raw), hex.EncodeToString(sum[:8]))}
	case prefer == inValues && utf8.Valid(raw):
		return value{raw: raw, in: inValues, text: string(raw)}
	}
	if prior != nil && prior.in == inBinaryValues && string(prior.raw) == string(raw) {
		// Keep the configuration's spelling of the same bytes.
		return *prior
	}
	return value{raw: raw, in: inBinaryValues, text: base64.StdEncoding.EncodeToString(raw)}
}

// guessMap is the map for a key the configuration never named (import,
// or a foreign key of an exclusive resource).
func guessMap(raw []byte) valueMap {
	if utf8.Valid(raw) {
		return inValues
	}
	return inBinaryValues
}

// writesFor returns the writes that turn prior into desired: the entries to
// set (new or changed bytes), in key order, and the keys to remove.
func writesFor(prior, desired keySet) (set []zitadel.KV, remove []string) {
	for _, k := range sortedKeys(desired) {
		d := desired[k]
		if p, ok := prior[k]; !ok || !p.same(d) {
			set = append(set, zitadel.KV{Key: k, Value: d.raw})
		}
	}
	for _, k := range sortedKeys(prior) {
		if _, ok := desired[k]; !ok {
			remove = append(remove, k)
		}
	}
	return set, remove
}

// addedKeys lists, sorted, the keys of desired that prior lacks.
func addedKeys(prior, desired keySet) []string {
	var out []string
	for k := range desired {
		if _, had := prior[k]; !had {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// refresh rebuilds the managed keys from what the server holds. Keys gone
// from the server drop out; an exclusive resource takes in every other key.
// A write-only key stays, with its status: written while the server holds
// the bytes whose digest the state keeps, else changed or removed outside
// Terraform (the next plan writes it again).
func refresh(prior keySet, server map[string][]byte, exclusive bool, d *woDigests) keySet {
	out := keySet{}
	for k, p := range prior {
		raw, ok := server[k]
		switch {
		case p.in == inWriteOnly && !ok:
			out[k] = value{in: inWriteOnly, text: woRemoved}
		case p.in == inWriteOnly && p.text == woWritten && p.digest != "" && d.sum(raw) == p.digest:
			out[k] = p
		case p.in == inWriteOnly && (p.text == woWritten || p.text == woRemoved):
			out[k] = value{in: inWriteOnly, text: woChanged}
		case p.in == inWriteOnly:
			out[k] = p
		case ok:
			out[k] = fromServer(raw, p.in, &p)
		}
	}
	if exclusive {
		for k, raw := range server {
			if _, ok := out[k]; !ok {
				out[k] = fromServer(raw, guessMap(raw), nil)
			}
		}
	}
	return out
}

// adopt builds managed keys for keys taken over as they are on the server.
func adopt(server map[string][]byte, keys []string) keySet {
	out := keySet{}
	for _, k := range keys {
		raw := server[k]
		out[k] = fromServer(raw, guessMap(raw), nil)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func entriesByKey(entries []zitadel.Entry) map[string][]byte {
	out := make(map[string][]byte, len(entries))
	for _, e := range entries {
		out[e.Key] = e.Value
	}
	return out
}
