package totp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	gototp "github.com/pquerna/otp/totp"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/secretbox"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

// The code parameters: RFC 6238's defaults, which every authenticator
// app uses.
const (
	// Period is the length of a time step.
	Period = 30 * time.Second
	// Digits is the length of a code.
	Digits = 6
	// Skew is how many steps either side of now a code may come from, for
	// clocks that drift and users who type slowly.
	Skew = 1
	// RecoveryCodeCount is how many recovery codes a registration has.
	RecoveryCodeCount = 10
)

// Registration lifetimes before verification, in minutes, as Stytch's.
const (
	DefaultUserMinutes   = 1440
	DefaultMemberMinutes = 60
	minMinutes           = 5
	maxMinutes           = 1440
)

// qrSize is the width and height of the QR code image, in pixels.
const qrSize = 200

// Service creates and authenticates TOTP registrations, consumer and B2B.
type Service struct {
	store     store.Store
	sessions  *session.Service
	discovery *discovery.Service
	box       *secretbox.Box
	now       func() time.Time
}

// NewService returns a Service sealing secrets with box.
func NewService(st store.Store, sessions *session.Service, disc *discovery.Service, box *secretbox.Box, now func() time.Time) *Service {
	return &Service{store: st, sessions: sessions, discovery: disc, box: box, now: now}
}

// Step returns the RFC 6238 time step t falls in.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// codeOpts are the HOTP parameters of every code.
var codeOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// matchStep returns the latest step within Skew of now whose code is code.
func matchStep(secret, code string, now time.Time) (int64, bool, error) {
	cur := Step(now)
	for step := cur + Skew; step >= cur-Skew; step-- {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), codeOpts)
		if err != nil {
			return 0, false, fmt.Errorf("totp: compute code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true, nil
		}
	}
	return 0, false, nil
}

// checkCode validates a code's shape: exactly Digits digits.
func checkCode(code string) error {
	if len(code) != Digits {
		return auth.ErrInvalidTOTPCode
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return auth.ErrInvalidTOTPCode
		}
	}
	return nil
}

func checkMinutes(m int) error {
	if m != 0 && (m < minMinutes || m > maxMinutes) {
		return auth.ErrInvalidExpiration.WithMessage("expiration_minutes must be between %d and %d.", minMinutes, maxMinutes)
	}
	return nil
}

// secretAD and codesAD bind a registration's sealed values to it, so a
// sealed value moved to another row (another user, another project) does
// not open.
func secretAD(projectID, totpID string) []byte { return []byte(projectID + "/" + totpID + "/secret") }
func codesAD(projectID, totpID string) []byte {
	return []byte(projectID + "/" + totpID + "/recovery_codes")
}

// enrollment is a new registration with its plain secret and codes, shown
// once to the caller.
type enrollment struct {
	reg    *auth.TOTP
	rows   []auth.RecoveryCode
	secret string
	qrCode string
	codes  []string
}

// enroll makes a pending registration with a new secret and recovery
// codes. issuer and account label it in the authenticator app.
func (s *Service) enroll(p *auth.Project, id, issuer, account string, minutes int) (*enrollment, error) {
	if strings.TrimSpace(issuer) == "" {
		issuer = "Latch"
	}
	key, err := gototp.Generate(gototp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: uint(Period / time.Second),
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, SecretSize: 20,
	})
	if err != nil {
		return nil, fmt.Errorf("totp: generate key: %w", err)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return nil, fmt.Errorf("totp: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp: qr code: %w", err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	e := &enrollment{
		secret: key.Secret(),
		qrCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
		reg: &auth.TOTP{
			ID: id, ProjectID: p.ID,
			SealedSecret: s.box.Seal([]byte(key.Secret()), secretAD(p.ID, id)),
			ExpiresAt:    now.Add(time.Duration(minutes) * time.Minute),
			CreatedAt:    now, UpdatedAt: now,
		},
	}
	e.codes, e.rows, e.reg.SealedRecoveryCodes = s.newRecoveryCodes(p, id, now)
	return e, nil
}

// newRecoveryCodes returns RecoveryCodeCount new codes for a registration,
// their rows and their sealed copy.
func (s *Service) newRecoveryCodes(p *auth.Project, totpID string, now time.Time) ([]string, []auth.RecoveryCode, []byte) {
	codes := make([]string, RecoveryCodeCount)
	rows := make([]auth.RecoveryCode, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		rows[i] = auth.RecoveryCode{
			ID: auth.NewID(auth.KindRecoveryCode, p.Env), TOTPID: totpID,
			Hash: recoveryCodeHash(totpID, codes[i]),
			// A microsecond apart, so that listing them keeps their order.
			CreatedAt: now.Add(time.Duration(i) * time.Microsecond),
		}
	}
	return codes, rows, s.box.Seal([]byte(strings.Join(codes, "\n")), codesAD(p.ID, totpID))
}

// recoveryAlphabet is the characters of recovery codes: 36 of them, so a
// code's 12 carry 62 bits.
const recoveryAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newRecoveryCode returns a code shaped like Stytch's: ckss-2skx-ebow.
func newRecoveryCode() string {
	var b strings.Builder
	buf := make([]byte, 1)
	for n := 0; n < 12; {
		if _, err := rand.Read(buf); err != nil {
			panic(err) // crypto/rand.Read does not fail on supported platforms
		}
		// 252 is the largest multiple of 36 below 256: rejecting the
		// bytes above it keeps every character equally likely.
		if buf[0] >= 252 {
			continue
		}
		if n == 4 || n == 8 {
			b.WriteByte('-')
		}
		b.WriteByte(recoveryAlphabet[buf[0]%36])
		n++
	}
	return b.String()
}

// normalizeRecoveryCode trims and lowercases a code and checks its shape.
func normalizeRecoveryCode(code string) (string, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" {
		return "", auth.ErrInvalidArgument.WithMessage("recovery_code is required.")
	}
	if len(code) != 14 || code[4] != '-' || code[9] != '-' {
		return "", auth.ErrInvalidRecoveryCode
	}
	for i, c := range code {
		if i == 4 || i == 9 {
			continue
		}
		if !strings.ContainsRune(recoveryAlphabet, c) {
			return "", auth.ErrInvalidRecoveryCode
		}
	}
	return code, nil
}

// recoveryCodeHash is the stored form of a code: SHA-256 over the
// registration ID and the code, so that equal codes of two registrations
// hash apart.
func recoveryCodeHash(totpID, code string) []byte {
	h := sha256.Sum256([]byte(totpID + "\x00" + code))
	return h[:]
}

// accept checks code against a registration within tx and, when it
// matches a step later than the last accepted one, records that step
// (verifying the registration). It returns the registration as updated.
func (s *Service) accept(ctx context.Context, tx store.Store, p *auth.Project, reg *auth.TOTP, code string) (*auth.TOTP, error) {
	now := s.now().UTC()
	if !reg.Active(now) {
		return nil, auth.ErrExpiredTOTP
	}
	secret, err := s.box.Open(reg.SealedSecret, secretAD(p.ID, reg.ID))
	if err != nil {
		return nil, fmt.Errorf("totp: open secret of %s: %w", reg.ID, err)
	}
	step, ok, err := matchStep(string(secret), code, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, auth.ErrUnableToAuthTOTP
	}
	got, err := tx.AcceptTOTPStep(ctx, p.ID, reg.ID, step, now)
	switch {
	case errors.Is(err, store.ErrConsumed):
		return nil, auth.ErrTOTPCodeAlreadyAuthenticated
	case errors.Is(err, store.ErrNotFound):
		return nil, auth.ErrTOTPNotFound
	case err != nil:
		return nil, fmt.Errorf("totp: accept code: %w", err)
	}
	return got, nil
}

// useRecoveryCode spends a recovery code of a verified registration within
// tx, and returns it.
func (s *Service) useRecoveryCode(ctx context.Context, tx store.Store, p *auth.Project, reg *auth.TOTP, code string) (*auth.RecoveryCode, error) {
	if !reg.Verified {
		return nil, auth.ErrTOTPNotFound.WithMessage("The TOTP registration has not been verified yet, so its recovery codes cannot be used.")
	}
	rc, err := tx.UseRecoveryCode(ctx, p.ID, reg.ID, recoveryCodeHash(reg.ID, code), s.now().UTC())
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConsumed):
		return nil, auth.ErrUnableToAuthRecoveryCode
	case err != nil:
		return nil, fmt.Errorf("totp: use recovery code: %w", err)
	}
	return rc, nil
}

// unusedCodes returns a registration's unused recovery codes, in the order
// they were issued.
func (s *Service) unusedCodes(ctx context.Context, st store.Store, p *auth.Project, reg *auth.TOTP) ([]string, error) {
	rows, err := st.ListRecoveryCodes(ctx, p.ID, reg.ID)
	if err != nil {
		return nil, fmt.Errorf("totp: list recovery codes: %w", err)
	}
	unused := map[string]bool{}
	for _, r := range rows {
		if r.UsedAt == nil {
			unused[string(r.Hash)] = true
		}
	}
	plain, err := s.box.Open(reg.SealedRecoveryCodes, codesAD(p.ID, reg.ID))
	if err != nil {
		return nil, fmt.Errorf("totp: open recovery codes of %s: %w", reg.ID, err)
	}
	out := []string{}
	for _, c := range strings.Split(string(plain), "\n") {
		if c != "" && unused[string(recoveryCodeHash(reg.ID, c))] {
			out = append(out, c)
		}
	}
	return out, nil
}

// rotate replaces a registration's recovery codes within tx and returns
// the new ones.
func (s *Service) rotate(ctx context.Context, tx store.Store, p *auth.Project, reg *auth.TOTP) ([]string, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	codes, rows, sealed := s.newRecoveryCodes(p, reg.ID, now)
	if err := tx.ReplaceRecoveryCodes(ctx, p.ID, reg.ID, sealed, rows, now); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, auth.ErrTOTPNotFound
		}
		return nil, fmt.Errorf("totp: rotate recovery codes: %w", err)
	}
	reg.SealedRecoveryCodes = sealed
	return codes, nil
}

// replace clears the way for a new registration of an owner within tx: a
// verified registration refuses it, a pending one is dropped.
func replace(ctx context.Context, tx store.Store, p *auth.Project, existing *auth.TOTP, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("totp: get registration: %w", err)
	case existing.Verified:
		return auth.ErrActiveTOTPExists
	}
	if _, err := tx.DeleteTOTP(ctx, p.ID, existing.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("totp: drop pending registration: %w", err)
	}
	return nil
}

// insert stores a new registration within tx.
func insert(ctx context.Context, tx store.Store, p *auth.Project, e *enrollment) error {
	err := tx.CreateTOTP(ctx, p.ID, e.reg, e.rows)
	if errors.Is(err, store.ErrConflict) {
		// Another registration was created at the same moment.
		return auth.ErrActiveTOTPExists
	}
	if err != nil {
		return fmt.Errorf("totp: create registration: %w", err)
	}
	return nil
}

// totpFactor and recoveryFactor are the session factors of a code and of
// a recovery code.
func totpFactor(totpID string, now time.Time) auth.AuthenticationFactor {
	return auth.AuthenticationFactor{
		Type: auth.FactorTOTP, DeliveryMethod: auth.DeliveryAuthenticatorApp,
		LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
		AuthenticatorAppFactor: &auth.AuthenticatorAppFactor{TOTPID: totpID},
	}
}

func recoveryFactor(codeID string, now time.Time) auth.AuthenticationFactor {
	return auth.AuthenticationFactor{
		Type: auth.FactorRecoveryCodes, DeliveryMethod: auth.DeliveryRecoveryCode,
		LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
		RecoveryCodeFactor: &auth.RecoveryCodeFactor{RecoveryCodeID: codeID},
	}
}
