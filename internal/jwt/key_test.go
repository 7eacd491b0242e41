package jwt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/auth"
)

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	for _, env := range []auth.Env{auth.EnvTest, auth.EnvLive} {
		t.Run(string(env), func(t *testing.T) {
			t.Parallel()
			now := t0.Add(123 * time.Millisecond)
			k, err := GenerateKey(testProject, env, now)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := k.ProjectID, testProject; got != want {
				t.Errorf("ProjectID = %q, want %q", got, want)
			}
			if !auth.HasKind(k.KeyID, auth.KindJWK) || !strings.HasPrefix(k.KeyID, "jwk-"+string(env)+"-") {
				t.Errorf("KeyID = %q, want jwk-%s-<uuid>", k.KeyID, env)
			}
			if !k.CreatedAt.Equal(now) || !k.ActiveAt.Equal(now) {
				t.Errorf("CreatedAt, ActiveAt = %v, %v, want %v", k.CreatedAt, k.ActiveAt, now)
			}
			if k.RetiredAt != nil || k.ExpiresAt != nil {
				t.Errorf("RetiredAt, ExpiresAt = %v, %v, want nil", k.RetiredAt, k.ExpiresAt)
			}
			key, err := x509.ParsePKCS8PrivateKey(k.PrivateKeyDER)
			if err != nil {
				t.Fatalf("PrivateKeyDER is not PKCS#8: %v", err)
			}
			priv, ok := key.(*rsa.PrivateKey)
			if !ok {
				t.Fatalf("key is %T, want *rsa.PrivateKey", key)
			}
			if got, want := priv.N.BitLen(), 2048; got != want {
				t.Errorf("modulus is %d bits, want %d", got, want)
			}
		})
	}
}

func TestGenerateKeyInvalidEnv(t *testing.T) {
	t.Parallel()
	if _, err := GenerateKey(testProject, auth.Env("prod"), t0); err == nil {
		t.Fatal("GenerateKey with env prod succeeded, want error")
	}
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	k := newTestKey(t, t0)
	kr := mustKeyring(t, t0, k)
	jwks := kr.JWKS()
	if len(jwks) != 1 {
		t.Fatalf("JWKS has %d keys, want 1", len(jwks))
	}
	j := jwks[0]

	// Fields with fixed values, as Stytch publishes them.
	fixed := JWK{Kty: "RSA", Use: "sig", KeyOps: []string{"verify"}, Alg: "RS256", Kid: k.KeyID}
	got := JWK{Kty: j.Kty, Use: j.Use, KeyOps: j.KeyOps, Alg: j.Alg, Kid: j.Kid}
	if diff := cmp.Diff(fixed, got); diff != "" {
		t.Errorf("JWK fixed fields (-want +got):\n%s", diff)
	}
	// All nine fields are required by the Python and Node models.
	for name, v := range map[string]string{"x5tS256": j.X5TS256, "n": j.N, "e": j.E} {
		if v == "" || strings.ContainsAny(v, "=+/") {
			t.Errorf("%s = %q, want unpadded base64url", name, v)
		}
	}
	if len(j.X5C) != 1 {
		t.Fatalf("x5c has %d certificates, want 1", len(j.X5C))
	}

	priv := mustParse(t, k.PrivateKeyDER)
	n, err := base64.RawURLEncoding.DecodeString(j.N)
	if err != nil {
		t.Fatal(err)
	}
	e, err := base64.RawURLEncoding.DecodeString(j.E)
	if err != nil {
		t.Fatal(err)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if !pub.Equal(&priv.PublicKey) {
		t.Error("n and e do not describe the signing key")
	}
	if got, want := j.E, "AQAB"; got != want {
		t.Errorf("e = %q, want %q", got, want)
	}

	der, err := base64.StdEncoding.DecodeString(j.X5C[0])
	if err != nil {
		t.Fatalf("x5c is not standard base64: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("x5c: %v", err)
	}
	if certPub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !certPub.Equal(&priv.PublicKey) {
		t.Error("certificate public key is not the signing key")
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("certificate is not self-signed by the key: %v", err)
	}
	thumb := sha256.Sum256(der)
	if got, want := j.X5TS256, base64.RawURLEncoding.EncodeToString(thumb[:]); got != want {
		t.Errorf("x5tS256 = %q, want %q", got, want)
	}
}

func TestJWKSIsACopy(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, t0, newTestKey(t, t0))
	want := kr.JWKS()
	mut := kr.JWKS()
	mut[0].Kid = "changed"
	mut[0].KeyOps[0] = "sign"
	mut[0].X5C[0] = "changed"
	if diff := cmp.Diff(want, kr.JWKS()); diff != "" {
		t.Errorf("modifying JWKS() changed the Keyring (-want +got):\n%s", diff)
	}
}

// TestCertificateDeterministic pins that every rebuild of a Keyring, in any
// process, publishes byte-identical certificates.
func TestCertificateDeterministic(t *testing.T) {
	t.Parallel()
	k := newTestKey(t, t0.Add(250*time.Millisecond))
	first := mustKeyring(t, t0.Add(time.Second), k).JWKS()

	// A store may return CreatedAt in another zone or with less precision.
	k2 := k
	k2.CreatedAt = k.CreatedAt.Truncate(time.Second).In(time.FixedZone("CET", 3600))
	second := mustKeyring(t, t0.Add(time.Hour), k2).JWKS()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("rebuilt JWKS differs (-first +second):\n%s", diff)
	}

	// A different key ID gives a different certificate (serial and subject).
	k3 := k
	k3.KeyID = auth.NewID(auth.KindJWK, auth.EnvTest)
	third := mustKeyring(t, t0, k3).JWKS()
	if third[0].X5C[0] == first[0].X5C[0] {
		t.Error("certificates of two key IDs are identical")
	}

	der, _ := base64.StdEncoding.DecodeString(first[0].X5C[0])
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cert.NotBefore, t0; !got.Equal(want) {
		t.Errorf("NotBefore = %v, want %v (CreatedAt to the second)", got, want)
	}
	if got, want := cert.Subject.CommonName, k.KeyID; got != want {
		t.Errorf("CommonName = %q, want %q", got, want)
	}
}

func TestNewKeyringErrors(t *testing.T) {
	t.Parallel()
	good := newTestKey(t, t0)

	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallDER, err := x509.MarshalPKCS8PrivateKey(small)
	if err != nil {
		t.Fatal(err)
	}

	with := func(f func(k *auth.SigningKey)) auth.SigningKey {
		k := newTestKey(t, t0)
		f(&k)
		return k
	}
	tests := []struct {
		name string
		keys []auth.SigningKey
	}{
		{"other project", []auth.SigningKey{good, with(func(k *auth.SigningKey) { k.ProjectID = otherProject })}},
		{"garbage DER", []auth.SigningKey{with(func(k *auth.SigningKey) { k.PrivateKeyDER = []byte("nope") })}},
		{"EC key", []auth.SigningKey{with(func(k *auth.SigningKey) { k.PrivateKeyDER = ecDER })}},
		{"1024-bit RSA", []auth.SigningKey{with(func(k *auth.SigningKey) { k.PrivateKeyDER = smallDER })}},
		{"duplicate kid", []auth.SigningKey{good, good}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := NewKeyring(testProject, tt.keys, t0); err == nil {
				t.Error("NewKeyring succeeded, want error")
			}
		})
	}
}

// TestNewKeyringSkipsExpired checks expired keys are neither published nor
// parsed: a store may still list them for an instant, and their DER need
// not be valid any more for the keyring to build.
func TestNewKeyringSkipsExpired(t *testing.T) {
	t.Parallel()
	old := newTestKey(t, t0.Add(-time.Hour))
	old.RetiredAt, old.ExpiresAt = ptr(t0.Add(-10*time.Minute)), ptr(t0.Add(-time.Minute))
	old.PrivateKeyDER = bytes.Repeat([]byte{0}, 8)
	cur := newTestKey(t, t0.Add(-10*time.Minute))
	kr := mustKeyring(t, t0, old, cur)
	if diff := cmp.Diff([]string{cur.KeyID}, kids(kr.JWKS())); diff != "" {
		t.Errorf("published kids (-want +got):\n%s", diff)
	}
}

func mustParse(tb testing.TB, der []byte) *rsa.PrivateKey {
	tb.Helper()
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		tb.Fatal(err)
	}
	return key.(*rsa.PrivateKey)
}
