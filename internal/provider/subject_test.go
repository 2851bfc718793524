package provider

// Tests that hold for every owner of metadata run once per subject: an
// organization (zitadelmeta_org_metadata) and a user
// (zitadelmeta_user_metadata), with the same steps and expectations.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// subject is the owner a test works on, and how to reach it.
type subject struct {
	*testEnv
	// kind is "org" or "user"; typ the resource type, addr the test's
	// resource address.
	kind, typ, addr string
	// id is the owner's id (organization or user), orgID its
	// organization; spare is another owner of the same kind that no
	// other test touches (for exclusive resources).
	id, orgID, spare string
	// m names the calls on the owner, as the fake counts them.
	m apiMethods
}

var userMethodsOf = map[string]apiMethods{
	zitadel.APIV1: {
		Set: "BulkSetUserMetadata", Remove: "BulkRemoveUserMetadata",
		List: "zitadel.management.v1.ManagementService/ListUserMetadata", GetOrg: "zitadel.user.v2.UserService/GetUserByID",
	},
	zitadel.APIV2: {
		Set: "SetUserMetadata", Remove: "DeleteUserMetadata",
		List: "zitadel.user.v2.UserService/ListUserMetadata", GetOrg: "zitadel.user.v2.UserService/GetUserByID",
	},
}

// forEachSubject runs test for an organization and for a user, each on a
// fresh environment.
func forEachSubject(t *testing.T, test func(t *testing.T, s *subject)) {
	forEachSubjectWith(t, fakezitadel.Options{}, test)
}

// forEachSubjectWith is forEachSubject with options for the fake.
func forEachSubjectWith(t *testing.T, opts fakezitadel.Options, test func(t *testing.T, s *subject)) {
	for _, kind := range []string{"org", "user"} {
		t.Run(kind, func(t *testing.T) {
			parallelOnFake(t)
			test(t, newTestEnvWith(t, opts).subject(kind))
		})
	}
}

// block renders a resource of the subject's type with the given lines,
// the owner's among them.
func (s *subject) block(name string, lines ...string) string {
	return fmt.Sprintf("resource %q %q {\n  %s\n}\n", s.typ, name, strings.Join(lines, "\n  "))
}

// subject picks the environment's organization or user.
func (e *testEnv) subject(kind string) *subject {
	if kind == "org" {
		return &subject{testEnv: e, kind: kind, typ: "zitadelmeta_org_metadata", addr: "zitadelmeta_org_metadata.test",
			id: e.OrgID, orgID: e.OrgID, spare: e.SecondOrgID, m: e.m}
	}
	if e.UserID == "" {
		e.t.Skip("needs ZITADEL_USER_ID, a user of ZITADEL_ORG_ID")
	}
	return &subject{testEnv: e, kind: kind, typ: "zitadelmeta_user_metadata", addr: "zitadelmeta_user_metadata.test",
		id: e.UserID, orgID: e.OrgID, spare: e.SecondUserID, m: userMethodsOf[e.version]}
}

// ownerOf is the zitadel owner with the given id of the subject's kind.
func (s *subject) ownerOf(id string) zitadel.Owner {
	if s.kind == "org" {
		return zitadel.OrgOwner(id)
	}
	return zitadel.UserOwner(s.userOrg(id), id)
}

// attr is the attribute naming an owner of the subject's kind.
func (s *subject) attr() string {
	if s.kind == "org" {
		return "org_id"
	}
	return "user_id"
}

// resource renders the subject's resource named name for the owner id,
// with more attribute lines.
func (s *subject) resource(name, id string, lines ...string) string {
	all := append([]string{s.attr() + " = " + hclString(id)}, lines...)
	return fmt.Sprintf("resource %q %q {\n  %s\n}\n", s.typ, name, strings.Join(all, "\n  "))
}

// metadata is what the server holds for the owner id.
func (s *subject) metadata(id string) map[string][]byte {
	if s.kind == "org" {
		return s.Metadata(id)
	}
	if s.srv != nil {
		return s.srv.UserMetadata(id)
	}
	entries, err := s.api.ListMetadata(context.Background(), s.ownerOf(id), nil)
	if err != nil {
		s.t.Fatalf("reading metadata out of band: %v", err)
	}
	return entriesByKey(entries)
}

// set writes a key of the owner id out of band, as another tool would.
func (s *subject) set(id, key string, value []byte) {
	switch {
	case s.kind == "org":
		s.Set(id, key, value)
	case s.srv != nil:
		s.srv.SetUserMetadata(id, key, value)
	default:
		if _, err := s.api.SetMetadata(context.Background(), s.ownerOf(id), []zitadel.KV{{Key: key, Value: value}}); err != nil {
			s.t.Fatalf("writing metadata out of band: %v", err)
		}
	}
}

// setMany writes keys of the owner id out of band in one go.
func (s *subject) setMany(id string, kv map[string][]byte) {
	switch {
	case s.kind == "org":
		s.testEnv.setMany(id, kv)
	case s.srv != nil:
		for k, v := range kv {
			s.srv.SetUserMetadata(id, k, v)
		}
	default:
		s.writeOutOfBand(s.ownerOf(id), kv)
	}
}

// del removes a key of the owner id out of band.
func (s *subject) del(id, key string) {
	switch {
	case s.kind == "org":
		s.Delete(id, key)
	case s.srv != nil:
		s.srv.DeleteUserMetadata(id, key)
	default:
		if _, err := s.api.RemoveMetadata(context.Background(), s.ownerOf(id), []string{key}); err != nil {
			s.t.Fatalf("removing metadata out of band: %v", err)
		}
	}
}

// holds checks, after a step, that the owner id holds exactly want among
// the keys named in want and in absent.
func (s *subject) holds(id string, want map[string]string, absent ...string) statecheck.StateCheck {
	return serverCheck(func() error { return compareKeys(s.metadata(id), want, absent) })
}

// writes checks the fake's write calls on the subject's kind since the
// last ResetCalls.
func (s *subject) writes(set, remove int) statecheck.StateCheck {
	e := *s.testEnv
	e.m = s.m
	return e.writes(set, remove)
}

// realUserIDs are the users real mode uses: ZITADEL_USER_ID (a user of
// ZITADEL_ORG_ID) and ZITADEL_SECOND_USER_ID.
func realUserIDs() (string, string) {
	return os.Getenv("ZITADEL_USER_ID"), os.Getenv("ZITADEL_SECOND_USER_ID")
}

// title is the subject's noun in summaries: "Organization" or "User".
func (s *subject) title() string {
	if s.kind == "org" {
		return "Organization"
	}
	return "User"
}

// pagesPerSearch is testEnv.pagesPerSearch for the subject's searches.
func (s *subject) pagesPerSearch(pages int) statecheck.StateCheck {
	e := *s.testEnv
	e.m = s.m
	return e.pagesPerSearch(pages)
}
