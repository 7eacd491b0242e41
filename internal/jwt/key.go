package jwt

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// keyBits is the RSA modulus size. Stytch's session JWTs carry 256-byte
// signatures, i.e. RSA-2048, and every SDK accepts it.
const keyBits = 2048

// GenerateKey returns a new RSA-2048 signing key for projectID, encoded as
// PKCS#8 DER, with a Stytch-shaped key ID ("jwk-test-<uuid>" or
// "jwk-live-<uuid>"). It is published and active from now; callers that
// rotate keys move ActiveAt later (see [Manager.Rotate]).
func GenerateKey(projectID string, env auth.Env, now time.Time) (*auth.SigningKey, error) {
	if !env.Valid() {
		return nil, fmt.Errorf("jwt: generate key: invalid environment %q", env)
	}
	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("jwt: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("jwt: generate key: %w", err)
	}
	return &auth.SigningKey{
		ProjectID:     projectID,
		KeyID:         auth.NewID(auth.KindJWK, env),
		PrivateKeyDER: der,
		CreatedAt:     now,
		ActiveAt:      now,
	}, nil
}

// JWK is one public key as Stytch publishes it in a project's JWKS. It has
// no JSON tags because the wire format belongs to internal/api, which maps
// each field to its JSON name: kty, use, key_ops, alg, kid, x5c, x5tS256, n
// and e. All nine are emitted because the Python and Node SDK models mark
// every one of them as required.
type JWK struct {
	Kty     string   // always "RSA"
	Use     string   // always "sig"; pyjwt skips keys whose use is anything else
	KeyOps  []string // always ["verify"]
	Alg     string   // always "RS256"
	Kid     string   // the key ID, matching the "kid" header of JWTs it signed
	X5C     []string // one self-signed certificate for the key, base64 (standard, padded) DER
	X5TS256 string   // base64url (unpadded) SHA-256 of the certificate DER
	N       string   // modulus, base64url (unpadded) big-endian
	E       string   // public exponent, base64url (unpadded) big-endian
}

// clone returns a copy of j that shares no slices with it, so callers of
// [Keyring.JWKS] cannot change a Keyring other goroutines are reading.
func (j JWK) clone() JWK {
	j.KeyOps = append([]string(nil), j.KeyOps...)
	j.X5C = append([]string(nil), j.X5C...)
	return j
}

// newJWK describes priv's public half under kid.
func newJWK(kid string, priv *rsa.PrivateKey, createdAt time.Time) (JWK, error) {
	cert, err := selfSignedCert(kid, priv, createdAt)
	if err != nil {
		return JWK{}, err
	}
	thumb := sha256.Sum256(cert)
	return JWK{
		Kty:     "RSA",
		Use:     "sig",
		KeyOps:  []string{"verify"},
		Alg:     "RS256",
		Kid:     kid,
		X5C:     []string{base64.StdEncoding.EncodeToString(cert)},
		X5TS256: base64.RawURLEncoding.EncodeToString(thumb[:]),
		N:       base64.RawURLEncoding.EncodeToString(priv.N.Bytes()),
		E:       base64.RawURLEncoding.EncodeToString(big.NewInt(int64(priv.E)).Bytes()),
	}, nil
}

// noExpiry is the notAfter RFC 5280 §4.1.2.5 prescribes for a certificate
// with no well-defined expiration: the key's lifetime is governed by its
// ExpiresAt and the JWKS, not by the certificate, which SDKs do not check.
var noExpiry = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// selfSignedCert returns the DER of a self-signed certificate for priv.
//
// Every input is derived from the key itself, so rebuilding a Keyring (every
// cache refresh, on every Latch process) yields byte-identical certificates
// and x5tS256 thumbprints: the serial is a hash of the kid, validity starts at
// CreatedAt truncated to the second (X.509 times have second precision, and
// stores may keep more or less than that), and PKCS#1 v1.5 signatures are
// deterministic. A JWKS that changed on every rebuild would look like a
// rotation to anyone comparing it.
func selfSignedCert(kid string, priv *rsa.PrivateKey, createdAt time.Time) ([]byte, error) {
	sum := sha256.Sum256([]byte(kid))
	// 16 bytes keep the serial positive and well under RFC 5280's 20 octets.
	serial := new(big.Int).SetBytes(sum[:16])
	notBefore := createdAt.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: kid},
		NotBefore:             notBefore,
		NotAfter:              noExpiry,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("jwt: certificate for %s: %w", kid, err)
	}
	return der, nil
}
