package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/user"
)

// Wire types for users. Every documented field is present: empty strings,
// false and [] rather than omitted or null, as the Python SDK requires.
type (
	nameJSON struct {
		FirstName  string `json:"first_name"`
		MiddleName string `json:"middle_name"`
		LastName   string `json:"last_name"`
	}
	emailJSON struct {
		EmailID  string `json:"email_id"`
		Email    string `json:"email"`
		Verified bool   `json:"verified"`
	}
	phoneNumberJSON struct {
		PhoneID     string `json:"phone_id"`
		PhoneNumber string `json:"phone_number"`
		Verified    bool   `json:"verified"`
	}
	userPasswordJSON struct {
		PasswordID    string `json:"password_id"`
		RequiresReset bool   `json:"requires_reset"`
	}
	userProviderJSON struct {
		ProviderType            string `json:"provider_type"`
		ProviderSubject         string `json:"provider_subject"`
		ProfilePictureURL       string `json:"profile_picture_url"`
		Locale                  string `json:"locale"`
		OAuthUserRegistrationID string `json:"oauth_user_registration_id"`
	}
	userTOTPJSON struct {
		TOTPID   string `json:"totp_id"`
		Verified bool   `json:"verified"`
	}
	userJSON struct {
		UserID                 string             `json:"user_id"`
		Emails                 []emailJSON        `json:"emails"`
		Status                 string             `json:"status"`
		PhoneNumbers           []phoneNumberJSON  `json:"phone_numbers"`
		WebAuthnRegistrations  []struct{}         `json:"webauthn_registrations"`
		Providers              []userProviderJSON `json:"providers"`
		TOTPs                  []userTOTPJSON     `json:"totps"`
		CryptoWallets          []struct{}         `json:"crypto_wallets"`
		BiometricRegistrations []struct{}         `json:"biometric_registrations"`
		IsLocked               bool               `json:"is_locked"`
		Roles                  []string           `json:"roles"`
		Name                   nameJSON           `json:"name"`
		CreatedAt              string             `json:"created_at"`
		Password               *userPasswordJSON  `json:"password"` // null without a password
		TrustedMetadata        map[string]any     `json:"trusted_metadata"`
		UntrustedMetadata      map[string]any     `json:"untrusted_metadata"`
		ExternalID             string             `json:"external_id"`
		LockCreatedAt          *string            `json:"lock_created_at"`
		LockExpiresAt          *string            `json:"lock_expires_at"`
	}
)

func toUserJSON(u *auth.User) userJSON {
	emails := make([]emailJSON, 0, len(u.Emails))
	for _, e := range u.Emails {
		emails = append(emails, emailJSON{EmailID: e.ID, Email: e.Address, Verified: e.Verified})
	}
	phones := make([]phoneNumberJSON, 0, len(u.Phones))
	for _, p := range u.Phones {
		phones = append(phones, phoneNumberJSON{PhoneID: p.ID, PhoneNumber: p.Number, Verified: p.Verified})
	}
	providers := make([]userProviderJSON, 0, len(u.Providers))
	for _, p := range u.Providers {
		providers = append(providers, userProviderJSON{
			ProviderType: providerTypeNames[auth.OAuthProviderTypeOf(p.Provider)], ProviderSubject: p.Subject,
			ProfilePictureURL: p.ProfilePictureURL, Locale: p.Locale, OAuthUserRegistrationID: p.RegistrationID,
		})
	}
	totps := []userTOTPJSON{}
	if u.TOTPID != "" {
		totps = append(totps, userTOTPJSON{TOTPID: u.TOTPID, Verified: true})
	}
	var pw *userPasswordJSON
	if u.PasswordID != "" {
		pw = &userPasswordJSON{PasswordID: u.PasswordID, RequiresReset: u.PasswordRequiresReset}
	}
	return userJSON{
		UserID:                 u.ID,
		Password:               pw,
		Emails:                 emails,
		Status:                 string(u.Status),
		PhoneNumbers:           phones,
		WebAuthnRegistrations:  []struct{}{},
		Providers:              providers,
		TOTPs:                  totps,
		CryptoWallets:          []struct{}{},
		BiometricRegistrations: []struct{}{},
		Roles:                  auth.DefaultUserRoles,
		Name:                   nameJSON{FirstName: u.Name.First, MiddleName: u.Name.Middle, LastName: u.Name.Last},
		CreatedAt:              timestamp(u.CreatedAt),
		TrustedMetadata:        orEmpty(u.TrustedMetadata),
		UntrustedMetadata:      orEmpty(u.UntrustedMetadata),
		ExternalID:             u.ExternalID,
	}
}

func (n *nameJSON) toName() *auth.Name {
	if n == nil {
		return nil
	}
	return &auth.Name{First: n.FirstName, Middle: n.MiddleName, Last: n.LastName}
}

type usersCreateRequest struct {
	Email               string         `json:"email"`
	Name                *nameJSON      `json:"name"`
	PhoneNumber         string         `json:"phone_number"`
	CreateUserAsPending bool           `json:"create_user_as_pending"`
	TrustedMetadata     map[string]any `json:"trusted_metadata"`
	UntrustedMetadata   map[string]any `json:"untrusted_metadata"`
	ExternalID          string         `json:"external_id"`
}

type usersCreateResponse struct {
	envelope
	UserID  string   `json:"user_id"`
	EmailID string   `json:"email_id"`
	Status  string   `json:"status"`
	PhoneID string   `json:"phone_id"`
	User    userJSON `json:"user"`
}

func (h *handler) usersCreate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[usersCreateRequest](w, r)
	if err != nil {
		return err
	}
	if req.Email == "" && req.PhoneNumber == "" {
		return auth.ErrInvalidArgument.WithMessage("email or phone_number is required.")
	}
	in := user.CreateInput{
		Email: req.Email, Phone: req.PhoneNumber, Pending: req.CreateUserAsPending, ExternalID: req.ExternalID,
		TrustedMetadata: req.TrustedMetadata, UntrustedMetadata: req.UntrustedMetadata,
	}
	if n := req.Name.toName(); n != nil {
		in.Name = *n
	}
	u, err := h.Users.Create(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	res := &usersCreateResponse{UserID: u.ID, Status: string(u.Status), User: toUserJSON(u)}
	if len(u.Emails) > 0 {
		res.EmailID = u.Emails[0].ID
	}
	if len(u.Phones) > 0 {
		res.PhoneID = u.Phones[0].ID
	}
	// Stytch answers user creation with 201 Created.
	return encode(w, r, http.StatusCreated, res)
}

type usersGetResponse struct {
	envelope
	userJSON
}

func (h *handler) usersGet(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Users.Get(r.Context(), projectOf(r).ID, r.PathValue("user_id"))
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &usersGetResponse{userJSON: toUserJSON(u)})
}

type usersUpdateRequest struct {
	Name              *nameJSON      `json:"name"`
	TrustedMetadata   map[string]any `json:"trusted_metadata"`
	UntrustedMetadata map[string]any `json:"untrusted_metadata"`
	ExternalID        *string        `json:"external_id"`
}

type usersUpdateResponse struct {
	envelope
	UserID        string            `json:"user_id"`
	Emails        []emailJSON       `json:"emails"`
	PhoneNumbers  []phoneNumberJSON `json:"phone_numbers"`
	CryptoWallets []struct{}        `json:"crypto_wallets"`
	User          userJSON          `json:"user"`
}

func (h *handler) usersUpdate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[usersUpdateRequest](w, r)
	if err != nil {
		return err
	}
	u, err := h.Users.Update(r.Context(), projectOf(r).ID, r.PathValue("user_id"), user.UpdateInput{
		Name: req.Name.toName(), ExternalID: req.ExternalID,
		TrustedMetadata: req.TrustedMetadata, UntrustedMetadata: req.UntrustedMetadata,
	})
	if err != nil {
		return err
	}
	uj := toUserJSON(u)
	return encode(w, r, http.StatusOK, &usersUpdateResponse{
		UserID: u.ID, Emails: uj.Emails, PhoneNumbers: uj.PhoneNumbers, CryptoWallets: []struct{}{}, User: uj,
	})
}

type usersDeleteResponse struct {
	envelope
	UserID string `json:"user_id"`
}

func (h *handler) usersDelete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("user_id")
	if err := h.Users.Delete(r.Context(), projectOf(r).ID, id); err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &usersDeleteResponse{UserID: id})
}

type usersSearchRequest struct {
	Cursor string `json:"cursor"`
	Limit  *int64 `json:"limit"`
	Query  *struct {
		Operator string `json:"operator"`
		Operands []struct {
			FilterName  string `json:"filter_name"`
			FilterValue any    `json:"filter_value"`
		} `json:"operands"`
	} `json:"query"`
}

type usersSearchResponse struct {
	envelope
	Results         []userJSON `json:"results"`
	ResultsMetadata struct {
		Total      int    `json:"total"`
		NextCursor string `json:"next_cursor"`
	} `json:"results_metadata"`
}

func (h *handler) usersSearch(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[usersSearchRequest](w, r)
	if err != nil {
		return err
	}
	limit, err := intValue(req.Limit, "limit")
	if err != nil {
		return err
	}
	in := user.SearchInput{Cursor: req.Cursor, Limit: limit}
	if req.Query != nil {
		in.Operator = req.Query.Operator
		for _, op := range req.Query.Operands {
			in.Operands = append(in.Operands, user.Operand{FilterName: op.FilterName, FilterValue: op.FilterValue})
		}
	}
	res, err := h.Users.Search(r.Context(), projectOf(r).ID, in)
	if err != nil {
		return err
	}
	out := &usersSearchResponse{Results: make([]userJSON, 0, len(res.Users))}
	for i := range res.Users {
		out.Results = append(out.Results, toUserJSON(&res.Users[i]))
	}
	out.ResultsMetadata.Total = res.Total
	out.ResultsMetadata.NextCursor = res.NextCursor
	return encode(w, r, http.StatusOK, out)
}

// usersDeleteFactorResponse answers the deletion of one of a user's factors
// (an email address or a phone number) with the user after it.
type usersDeleteFactorResponse struct {
	envelope
	UserID string   `json:"user_id"`
	User   userJSON `json:"user"`
}

func (h *handler) usersDeleteEmail(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Users.DeleteEmail(r.Context(), projectOf(r).ID, r.PathValue("email_id"))
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &usersDeleteFactorResponse{UserID: u.ID, User: toUserJSON(u)})
}

func (h *handler) usersDeleteOAuthRegistration(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Users.DeleteOAuthRegistration(r.Context(), projectOf(r).ID, r.PathValue("oauth_user_registration_id"))
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &usersDeleteFactorResponse{UserID: u.ID, User: toUserJSON(u)})
}

func (h *handler) usersDeletePhoneNumber(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Users.DeletePhone(r.Context(), projectOf(r).ID, r.PathValue("phone_id"))
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &usersDeleteFactorResponse{UserID: u.ID, User: toUserJSON(u)})
}
