package fakezitadel

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"time"
)

const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Access tokens issued through the JWT profile grant live 12 hours on ZITADEL.
const issuedTokenLifetime = 43199 * time.Second

type serviceKey struct {
	userID string
	public *rsa.PublicKey
}

// KeyFile is the JSON key file ZITADEL lets one download for a service
// account key.
type KeyFile struct {
	Type           string `json:"type"`
	KeyID          string `json:"keyId"`
	Key            string `json:"key"`
	ExpirationDate string `json:"expirationDate"`
	UserID         string `json:"userId"`
}

// AddServiceAccountKey registers a new RSA key for the user and returns its
// key file.
func (s *Server) AddServiceAccountKey(userID string) ([]byte, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	keyID := s.newID()
	s.keys[keyID] = &serviceKey{userID: userID, public: &priv.PublicKey}
	s.mu.Unlock()
	return json.Marshal(KeyFile{
		Type:           "serviceaccount",
		KeyID:          keyID,
		Key:            string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})),
		ExpirationDate: "9999-12-31T23:59:59Z",
		UserID:         userID,
	})
}

func (s *Server) discovery(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.calls[".well-known/openid-configuration"]++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                 s.issuer,
		"token_endpoint":         s.issuer + "/oauth/v2/token",
		"grant_types_supported":  []string{jwtBearerGrant},
		"authorization_endpoint": s.issuer + "/oauth/v2/authorize",
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, kind, description string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": kind, "error_description": description})
}

// token implements the JWT profile grant: it verifies the assertion's RS256
// signature against the registered key and issues an access token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls["oauth/v2/token"]++
	s.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", "malformed form")
		return
	}
	if r.PostForm.Get("grant_type") != jwtBearerGrant {
		oauthError(w, "unsupported_grant_type", "only the JWT profile grant is served")
		return
	}
	userID, err := s.verifyAssertion(r.PostForm.Get("assertion"))
	if err != "" {
		oauthError(w, "invalid_grant", err)
		return
	}
	tok := make([]byte, 24)
	_, _ = rand.Read(tok)
	access := hex.EncodeToString(tok)
	s.mu.Lock()
	s.tokens[access] = s.users[userID]
	s.mu.Unlock()
	lifetime := issuedTokenLifetime
	if s.opts.TokenLifetime > 0 {
		lifetime = s.opts.TokenLifetime
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(lifetime.Seconds()),
	})
}

func (s *Server) verifyAssertion(assertion string) (string, string) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return "", "assertion is not a JWT"
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp int64           `json:"exp"`
		Iat int64           `json:"iat"`
	}
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		return "", "assertion is malformed"
	}
	s.mu.Lock()
	key := s.keys[header.Kid]
	s.mu.Unlock()
	if header.Alg != "RS256" || key == nil {
		return "", "unknown key"
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", "bad signature encoding"
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(key.public, crypto.SHA256, digest[:], sig) != nil {
		return "", "signature invalid"
	}
	now := s.opts.Now().Unix()
	if claims.Iss != key.userID || claims.Sub != key.userID {
		return "", "iss and sub must be the key's user id"
	}
	if !audienceHas(claims.Aud, s.issuer) {
		return "", "audience must contain the issuer"
	}
	if claims.Exp < now || claims.Exp-claims.Iat > 3600 || claims.Iat > now+60 {
		return "", "assertion expired or too long-lived"
	}
	return key.userID, ""
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, a := range many {
			if a == want {
				return true
			}
		}
	}
	return false
}
