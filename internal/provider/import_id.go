package provider

import (
	"errors"
	"fmt"
	"strings"
)

// importID is what `terraform import` names: an owner (an organization or
// a user), and either every key of it (Keys nil) or just the listed keys.
//
// Syntax: `<id>` or `<id>:<key>,<key>,...`. Inside a key, `\,` stands for a
// comma and `\\` for a backslash; a colon needs no escape, since only the
// first colon separates the owner from the keys.
type importID struct {
	Owner string
	Keys  []string
}

// String builds the import ID; parseImportID(id.String()) gives id back.
func (id importID) String() string {
	if id.Keys == nil {
		return id.Owner
	}
	escaped := make([]string, len(id.Keys))
	for i, k := range id.Keys {
		escaped[i] = strings.NewReplacer(`\`, `\\`, `,`, `\,`).Replace(k)
	}
	return id.Owner + ":" + strings.Join(escaped, ",")
}

// importIDHelp explains the import ID of an entity's resource.
func importIDHelp(noun string) string {
	id := "<org_id>"
	if noun == "user" {
		id = "<user_id>"
	}
	return fmt.Sprintf("Use `%[1]s` to import every key of the %[2]s, or `%[1]s:<key>,<key>` to import just those keys (write `\\,` for a comma and `\\\\` for a backslash inside a key).", id, noun)
}

// parseImportID parses an import ID, rejecting empty parts and dangling
// escapes.
func parseImportID(s string) (importID, error) {
	org, rest, hasKeys := strings.Cut(s, ":")
	org = strings.TrimSpace(org)
	if org == "" {
		return importID{}, errors.New("the id before the first colon is empty")
	}
	if !hasKeys {
		return importID{Owner: org}, nil
	}
	var keys []string
	var cur strings.Builder
	seen := map[string]bool{}
	flush := func() error {
		k := cur.String()
		cur.Reset()
		if k == "" {
			return errors.New("a key in the list is empty")
		}
		if seen[k] {
			return errors.New("the key " + quote(k) + " is listed twice")
		}
		seen[k] = true
		keys = append(keys, k)
		return nil
	}
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; c {
		case '\\':
			if i+1 >= len(rest) || (rest[i+1] != ',' && rest[i+1] != '\\') {
				return importID{}, errors.New(`a backslash must be followed by "," or "\"`)
			}
			i++
			cur.WriteByte(rest[i])
		case ',':
			if err := flush(); err != nil {
				return importID{}, err
			}
		default:
			cur.WriteByte(c)
		}
	}
	if err := flush(); err != nil {
		return importID{}, err
	}
	return importID{Owner: org, Keys: keys}, nil
}

func quote(s string) string { return `"` + s + `"` }
