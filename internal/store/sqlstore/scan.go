package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// rowScanner is what *sql.Row and *sql.Rows share.
type rowScanner interface {
	Scan(dest ...any) error
}

// timeCol scans a time column of either dialect into a UTC time.Time:
// SQLite returns the stored int64 microseconds, PostgreSQL a time.Time.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a time", src)
	}
	return nil
}

// nullTimeCol scans a nullable time column; NULL becomes a nil pointer.
type nullTimeCol struct{ t **time.Time }

// Scan implements sql.Scanner.
func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(src); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

// jsonCol scans a JSON column (TEXT on SQLite, JSONB on PostgreSQL) into v.
type jsonCol struct{ v any }

// Scan implements sql.Scanner.
func (c jsonCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T as JSON", src)
	}
	return json.Unmarshal(b, c.v)
}

// microTime returns t in UTC at the microsecond precision the columns keep,
// so times inside JSON values round-trip like the others.
func microTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// encodeMap encodes a metadata or claims map; nil is stored as {}.
func encodeMap(m map[string]any) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// orEmpty returns m, or an empty map for nil, so that readers never get a
// nil map (JSON "null" and {} both decode to an empty map).
func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// factorRecord is the stored JSON form of an auth.AuthenticationFactor.
// The domain types carry no JSON tags (internal/auth is tag-free), so the
// stored shape is pinned here, apart from both the domain and the wire.
type factorRecord struct {
	Type                string       `json:"type"`
	DeliveryMethod      string       `json:"delivery_method,omitempty"`
	LastAuthenticatedAt time.Time    `json:"last_authenticated_at"`
	CreatedAt           time.Time    `json:"created_at"`
	UpdatedAt           time.Time    `json:"updated_at"`
	EmailFactor         *emailFactor `json:"email_factor,omitempty"`
	PhoneNumberFactor   *phoneFactor `json:"phone_number_factor,omitempty"`
	OAuthFactor         *oauthFactor `json:"oauth_factor,omitempty"`
	// TOTPID is the registration of an authenticator app factor, and
	// RecoveryCodeID the code of a recovery code factor.
	TOTPID         string `json:"totp_id,omitempty"`
	RecoveryCodeID string `json:"recovery_code_id,omitempty"`
}

type oauthFactor struct {
	ProviderType    string `json:"provider_type"`
	RegistrationID  string `json:"registration_id"`
	ProviderSubject string `json:"provider_subject"`
	EmailID         string `json:"email_id"`
	ProviderName    string `json:"provider_name,omitempty"`
	TenantID        string `json:"tenant_id,omitempty"`
}

type phoneFactor struct {
	PhoneID     string `json:"phone_id"`
	PhoneNumber string `json:"phone_number"`
}

type emailFactor struct {
	EmailID      string `json:"email_id"`
	EmailAddress string `json:"email_address"`
}

func encodeFactors(fs []auth.AuthenticationFactor) (string, error) {
	recs := make([]factorRecord, len(fs)) // never nil: stored as [] rather than null
	for i, f := range fs {
		recs[i] = factorRecord{
			Type:                string(f.Type),
			DeliveryMethod:      string(f.DeliveryMethod),
			LastAuthenticatedAt: microTime(f.LastAuthenticatedAt),
			CreatedAt:           microTime(f.CreatedAt),
			UpdatedAt:           microTime(f.UpdatedAt),
		}
		if e := f.EmailFactor; e != nil {
			recs[i].EmailFactor = &emailFactor{EmailID: e.EmailID, EmailAddress: e.EmailAddress}
		}
		if ph := f.PhoneNumberFactor; ph != nil {
			recs[i].PhoneNumberFactor = &phoneFactor{PhoneID: ph.PhoneID, PhoneNumber: ph.PhoneNumber}
		}
		if o := f.OAuthFactor; o != nil {
			recs[i].OAuthFactor = &oauthFactor{ProviderType: o.ProviderType, RegistrationID: o.RegistrationID, ProviderSubject: o.ProviderSubject, EmailID: o.EmailID,
				ProviderName: o.ProviderName, TenantID: o.TenantID}
		}
		if a := f.AuthenticatorAppFactor; a != nil {
			recs[i].TOTPID = a.TOTPID
		}
		if r := f.RecoveryCodeFactor; r != nil {
			recs[i].RecoveryCodeID = r.RecoveryCodeID
		}
	}
	b, err := json.Marshal(recs)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func decodeFactors(recs []factorRecord) []auth.AuthenticationFactor {
	fs := make([]auth.AuthenticationFactor, len(recs)) // never nil
	for i, r := range recs {
		fs[i] = auth.AuthenticationFactor{
			Type:                auth.FactorType(r.Type),
			DeliveryMethod:      auth.DeliveryMethod(r.DeliveryMethod),
			LastAuthenticatedAt: r.LastAuthenticatedAt.UTC(),
			CreatedAt:           r.CreatedAt.UTC(),
			UpdatedAt:           r.UpdatedAt.UTC(),
		}
		if e := r.EmailFactor; e != nil {
			fs[i].EmailFactor = &auth.EmailFactor{EmailID: e.EmailID, EmailAddress: e.EmailAddress}
		}
		if ph := r.PhoneNumberFactor; ph != nil {
			fs[i].PhoneNumberFactor = &auth.PhoneNumberFactor{PhoneID: ph.PhoneID, PhoneNumber: ph.PhoneNumber}
		}
		if o := r.OAuthFactor; o != nil {
			fs[i].OAuthFactor = &auth.OAuthFactor{ProviderType: o.ProviderType, RegistrationID: o.RegistrationID, ProviderSubject: o.ProviderSubject, EmailID: o.EmailID,
				ProviderName: o.ProviderName, TenantID: o.TenantID}
		}
		if r.TOTPID != "" {
			fs[i].AuthenticatorAppFactor = &auth.AuthenticatorAppFactor{TOTPID: r.TOTPID}
		}
		if r.RecoveryCodeID != "" {
			fs[i].RecoveryCodeFactor = &auth.RecoveryCodeFactor{RecoveryCodeID: r.RecoveryCodeID}
		}
	}
	return fs
}

// collect scans every row of a query into a slice, never nil. err is the
// query's own error, so that callers can pass a QueryContext result as is.
func collect[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// encodeJSON encodes a value of a JSON column.
func encodeJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// encodeStrings encodes a list column; nil is stored as [].
func encodeStrings(vs []string) (string, error) {
	if vs == nil {
		return "[]", nil
	}
	return encodeJSON(vs)
}

// decodeStrings decodes a list column, never to nil.
func decodeStrings(b []byte) ([]string, error) {
	var vs []string
	if err := json.Unmarshal(b, &vs); err != nil {
		return nil, err
	}
	if vs == nil {
		vs = []string{}
	}
	return vs, nil
}

// decodeMap decodes a map column, never to nil.
func decodeMap(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return orEmpty(m), nil
}
