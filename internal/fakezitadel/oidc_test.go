package fakezitadel_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

func signJWT(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": kid})
	c, _ := json.Marshal(claims)
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + enc.EncodeToString(sig)
}

func TestJWTProfileGrant(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	raw, err := e.srv.AddServiceAccountKey(e.fx.OwnerID)
	if err != nil {
		t.Fatal(err)
	}
	var kf fakezitadel.KeyFile
	if err := json.Unmarshal(raw, &kf); err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(kf.Key))
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(e.srv.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disco struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&disco)
	_ = resp.Body.Close()
	if disco.Issuer != e.srv.Issuer() || disco.TokenEndpoint != e.srv.Issuer()+"/oauth/v2/token" {
		t.Fatalf("discovery %+v", disco)
	}

	now := time.Now().Unix()
	good := map[string]any{"iss": kf.UserID, "sub": kf.UserID, "aud": disco.Issuer, "iat": now, "exp": now + 3600}
	grant := func(assertion string) (int, map[string]any) {
		form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "scope": {"openid urn:zitadel:iam:org:project:id:zitadel:aud"}, "assertion": {assertion}}
		resp, err := http.PostForm(disco.TokenEndpoint, form)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}

	code, body := grant(signJWT(t, key, kf.KeyID, good))
	if code != http.StatusOK || body["token_type"] != "Bearer" || body["expires_in"] != float64(43199) {
		t.Fatalf("valid assertion: %d %v", code, body)
	}
	token, _ := body["access_token"].(string)
	if _, err := e.mc.ListOrgMetadata(as(token, e.fx.OrgID), &management.ListOrgMetadataRequest{}); err != nil {
		t.Fatalf("the issued token does not authorize calls: %v", err)
	}

	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	bad := map[string]map[string]any{
		"wrong audience": {"iss": kf.UserID, "sub": kf.UserID, "aud": "https://elsewhere", "iat": now, "exp": now + 3600},
		"expired":        {"iss": kf.UserID, "sub": kf.UserID, "aud": disco.Issuer, "iat": now - 7200, "exp": now - 3600},
		"too long-lived": {"iss": kf.UserID, "sub": kf.UserID, "aud": disco.Issuer, "iat": now, "exp": now + 7200},
		"other subject":  {"iss": "someone", "sub": "someone", "aud": disco.Issuer, "iat": now, "exp": now + 3600},
	}
	for name, claims := range bad {
		if code, body := grant(signJWT(t, key, kf.KeyID, claims)); code != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("%s: %d %v", name, code, body)
		}
	}
	forged := signJWT(t, other, kf.KeyID, good)
	if code, _ := grant(forged); code != http.StatusBadRequest {
		t.Errorf("a signature from another key was accepted")
	}
	tampered := signJWT(t, key, kf.KeyID, good)
	parts := strings.Split(tampered, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"x"}`))
	if code, _ := grant(strings.Join(parts, ".")); code != http.StatusBadRequest {
		t.Errorf("a tampered assertion was accepted")
	}
}
