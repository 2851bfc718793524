package zitadel

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
)

// KeyFile is a ZITADEL service-account key file.
type KeyFile struct {
	Type   string `json:"type"`
	KeyID  string `json:"keyId"`
	Key    string `json:"key"`
	UserID string `json:"userId"`

	private *rsa.PrivateKey
}

// ParseKeyFile checks a key file's content and parses its private key. The
// error never quotes the key.
func ParseKeyFile(data []byte) (*KeyFile, error) {
	var kf KeyFile
	if err := json.Unmarshal(data, &kf); err != nil {
		return nil, errors.New("the key file is not valid JSON; download it again from ZITADEL (service account, Keys, JSON)")
	}
	var missing []string
	for name, v := range map[string]string{"keyId": kf.KeyID, "key": kf.Key, "userId": kf.UserID} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("the key file lacks %s; it must be a service-account key file in JSON", strings.Join(missing, ", "))
	}
	block, _ := pem.Decode([]byte(kf.Key))
	if block == nil {
		return nil, errors.New(`the key file's "key" is not a PEM-encoded private key`)
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		parsed, err8 := x509.ParsePKCS8PrivateKey(block.Bytes)
		rk, ok := parsed.(*rsa.PrivateKey)
		if err8 != nil || !ok {
			return nil, errors.New(`the key file's "key" is not an RSA private key`)
		}
		key = rk
	}
	kf.private = key
	return &kf, nil
}

// tokenSource yields bearer tokens for calls.
type tokenSource interface {
	token(ctx context.Context) (string, error)
}

type staticToken string

func (t staticToken) token(context.Context) (string, error) { return string(t), nil }

// jwtProfile exchanges signed assertions for access tokens at
// {issuer}/oauth/v2/token, caching each token until shortly before it
// expires.
type jwtProfile struct {
	key     *KeyFile
	baseURL string // scheme://host:port, where discovery is served
	// issuer, when set, is the issuer URL to use instead of discovery's:
	// the assertion's audience and the base of the token endpoint.
	issuer string
	http   *http.Client
	now    func() time.Time

	mu     sync.Mutex
	cached string
	// renew is when the cached token is replaced: shortly before it expires.
	renew time.Time
}

// refreshMargin is how long before expiry a cached token is replaced, at
// most; a short-lived token is replaced after three quarters of its life.
const refreshMargin = 5 * time.Minute

// renewAt is when a token issued at now and valid for lifetime is replaced.
func renewAt(now time.Time, lifetime time.Duration) time.Time {
	return now.Add(lifetime - min(refreshMargin, lifetime/4))
}

func (j *jwtProfile) token(ctx context.Context) (string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cached != "" && j.now().Before(j.renew) {
		return j.cached, nil
	}
	issuer, endpoint := j.issuer, j.issuer+"/oauth/v2/token"
	if issuer == "" {
		var err error
		if issuer, endpoint, err = j.discover(ctx); err != nil {
			return "", err
		}
	}
	assertion, err := j.assertion(issuer)
	if err != nil {
		return "", err
	}
	form := url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"scope":      {"openid urn:zitadel:iam:org:project:id:zitadel:aud"},
		"assertion":  {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	status, err := j.doJSON(req, &out)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK || out.AccessToken == "" {
		if gatewayStatus(status) {
			return "", &tokenHTTPError{status: status, msg: fmt.Sprintf("the token endpoint answered HTTP %d", status)}
		}
		return "", fmt.Errorf("ZITADEL refused the JWT profile grant for service account %s (HTTP %d: %s %s); check that the key file belongs to a key that is still active", j.key.UserID, status, out.Error, out.Description)
	}
	j.cached = out.AccessToken
	lifetime := time.Duration(out.ExpiresIn) * time.Second
	j.renew = renewAt(j.now(), lifetime)
	return j.cached, nil
}

func (j *jwtProfile) discover(ctx context.Context) (issuer, endpoint string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.baseURL+"/.well-known/openid-configuration", nil)
	if err != nil {
		return "", "", err
	}
	var doc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	status, err := j.doJSON(req, &doc)
	if err != nil {
		return "", "", err
	}
	if status != http.StatusOK || doc.Issuer == "" {
		err := fmt.Errorf("OIDC discovery at %s answered HTTP %d without an issuer", req.URL, status)
		if gatewayStatus(status) {
			return "", "", &tokenHTTPError{status: status, msg: err.Error()}
		}
		return "", "", err
	}
	if doc.TokenEndpoint == "" {
		doc.TokenEndpoint = strings.TrimSuffix(doc.Issuer, "/") + "/oauth/v2/token"
	}
	return doc.Issuer, doc.TokenEndpoint, nil
}

func (j *jwtProfile) doJSON(req *http.Request, v any) (int, error) {
	resp, err := j.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("requesting %s: %w", req.URL, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(body, v); err != nil && resp.StatusCode == http.StatusOK {
		return 0, fmt.Errorf("%s answered with something other than JSON", req.URL)
	}
	return resp.StatusCode, nil
}

// assertion builds the RS256-signed JWT the JWT profile grant takes.
func (j *jwtProfile) assertion(issuer string) (string, error) {
	now := j.now()
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": j.key.KeyID})
	claims, _ := json.Marshal(map[string]any{
		"iss": j.key.UserID,
		"sub": j.key.UserID,
		"aud": issuer,
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	})
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, j.key.private, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// perRPC adds the bearer token to each call.
type perRPC struct {
	src    tokenSource
	secure bool
}

func (p perRPC) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	tok, err := p.src.token(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

func (p perRPC) RequireTransportSecurity() bool { return p.secure }

// tokenHTTPError is a token or discovery request that met a gateway's
// error status: worth retrying.
type tokenHTTPError struct {
	status int
	msg    string
}

func (e *tokenHTTPError) Error() string { return e.msg }

// tokenError classifies a failure to get an access token: a certificate
// problem, the token endpoint unreachable or behind a gateway error, or the
// grant refused.
func tokenError(method, orgID, via string, err error) *Error {
	var (
		ue  *url.Error
		gw  *tokenHTTPError
		msg = "getting an access token: " + err.Error()
	)
	switch {
	case tlsFailure(err):
		return noAnswer(method, orgID, KindHandshake, via, msg)
	case errors.As(err, &gw):
		e := noAnswer(method, orgID, KindTransient, via, msg)
		e.HTTPStatus = gw.status
		return e
	case errors.As(err, &ue):
		e := noAnswer(method, orgID, KindUnreachable, via, msg)
		if u, perr := url.Parse(ue.URL); perr == nil {
			e.Addr = u.Host // the token endpoint, not the API
		}
		return e
	}
	return &Error{Method: method, OrgID: orgID, Code: codes.Unauthenticated, Kind: KindUnauthenticated, Transport: via, Message: err.Error()}
}

// tlsFailure tells a TLS handshake that failed over the certificate or the
// protocol (not a connection cut short) from other errors.
func tlsFailure(err error) bool {
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		record  tls.RecordHeaderError
		alert   tls.AlertError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) ||
		errors.As(err, &record) || errors.As(err, &alert)
}

// gatewayStatus tells the HTTP statuses with which proxies and load
// balancers say "try again": rate limits, and an upstream that is down or
// (re)starting.
func gatewayStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout,
		520, 521, 522, 523, 524:
		return true
	}
	return false
}
