package jwt_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/jwt"
)

func ExampleKeyring_SignSession() {
	const projectID = "project-test-11111111-1111-4111-8111-111111111111"
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

	// In the server, Manager.Keyring builds and caches the Keyring from the
	// store; here one key is enough.
	key, err := jwt.GenerateKey(projectID, auth.EnvTest, now)
	if err != nil {
		log.Fatal(err)
	}
	kr, err := jwt.NewKeyring(projectID, []auth.SigningKey{*key}, now)
	if err != nil {
		log.Fatal(err)
	}

	token, err := kr.SignSession(jwt.SessionClaims{
		ProjectID:      projectID,
		Subject:        "user-test-33333333-3333-4333-8333-333333333333",
		SessionID:      "session-test-44444444-4444-4444-8444-444444444444",
		StartedAt:      now,
		LastAccessedAt: now,
		ExpiresAt:      now.Add(time.Hour),
		Factors: []auth.AuthenticationFactor{{
			Type:                auth.FactorMagicLink,
			DeliveryMethod:      auth.DeliveryEmail,
			LastAuthenticatedAt: now,
			EmailFactor:         &auth.EmailFactor{EmailID: "email-test-55555555-5555-4555-8555-555555555555", EmailAddress: "sandbox@stytch.com"},
		}},
		Custom:   map[string]any{"plan": "pro"},
		IssuedAt: now,
	})
	if err != nil {
		log.Fatal(err)
	}
	header, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	fmt.Println(strings.Replace(string(header), key.KeyID, "jwk-test-…", 1))

	claims, err := kr.VerifySession(token, now.Add(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.Subject, claims.Custom["plan"])

	// After five minutes the JWT has expired, but its claims still come
	// back, so the server can mint a new JWT while the session lives.
	claims, err = kr.VerifySession(token, now.Add(jwt.Lifetime))
	fmt.Println(errors.Is(err, jwt.ErrExpired), claims.SessionID)
	// Output:
	// {"alg":"RS256","kid":"jwk-test-…","typ":"JWT"}
	// user-test-33333333-3333-4333-8333-333333333333 pro
	// true session-test-44444444-4444-4444-8444-444444444444
}
