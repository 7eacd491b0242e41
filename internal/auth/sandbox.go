package auth

import "time"

// Sandbox values. Test projects answer these exactly as Stytch's test
// environment does, so SDK test suites written against Stytch's sandbox
// (for example stytch-node's test/b2c/sandbox.test.ts) pass against Latch.
// Live projects treat them as ordinary, unknown values.
const (
	SandboxEmail             = "sandbox@stytch.com"
	SandboxUserID            = "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd"
	SandboxEmailID           = "email-test-81bf03a8-86e1-4d95-bd44-bb3495224953"
	SandboxSessionID         = "session-test-fe6c042b-6286-479f-8a4f-b046a6c46509"
	SandboxMagicLinkToken    = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94="
	SandboxMagicLinkUsed     = "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU="
	SandboxMagicLinkNotFound = "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM="
	SandboxSessionToken      = "WJtR5BCy38Szd5AfoDpf0iqFKEt4EE5JhjlWUY7l3FtY"
	SandboxSessionNotFound   = "59cnLELtq5cFVS6uYK9f-pAWzBkhqZl8AvLhbhOvKNWw"
	// SandboxPhoneNumber takes SMS and WhatsApp passcodes without sending
	// anything; SandboxPhoneID is the phone_id the sends answer with, and
	// the sandbox passcode (000000) authenticates it.
	SandboxPhoneNumber = "+10000000000"
	SandboxPhoneID     = "phone-number-test-d5a3b680-e8a3-40c0-b815-ab79986666d0"
)

// sandboxStarted is when Stytch's sandbox session started.
var sandboxStarted = time.Date(2021, 8, 28, 0, 41, 58, 935673000, time.UTC)

// SandboxUser returns the fixed sandbox user of a test project.
func SandboxUser(projectID string) *User {
	return &User{
		ID:                SandboxUserID,
		ProjectID:         projectID,
		Status:            UserActive,
		TrustedMetadata:   map[string]any{},
		UntrustedMetadata: map[string]any{},
		Emails:            []Email{{ID: SandboxEmailID, UserID: SandboxUserID, Address: SandboxEmail, Verified: true, CreatedAt: sandboxStarted}},
		Phones:            []Phone{{ID: SandboxPhoneID, UserID: SandboxUserID, Number: SandboxPhoneNumber, Verified: true, CreatedAt: sandboxStarted}},
		CreatedAt:         sandboxStarted,
		UpdatedAt:         sandboxStarted,
	}
}

// SandboxSession returns the fixed sandbox session, always live at now.
func SandboxSession(projectID string, now time.Time) *Session {
	now = now.UTC().Truncate(time.Second)
	return &Session{
		ID:             SandboxSessionID,
		ProjectID:      projectID,
		UserID:         SandboxUserID,
		StartedAt:      sandboxStarted,
		LastAccessedAt: now,
		ExpiresAt:      now.Add(time.Hour),
		AuthenticationFactors: []AuthenticationFactor{{
			Type: FactorMagicLink, DeliveryMethod: DeliveryEmail,
			LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
			EmailFactor: &EmailFactor{EmailID: SandboxEmailID, EmailAddress: SandboxEmail},
		}},
		CustomClaims: map[string]any{},
	}
}

// B2B sandbox values: test projects accept sandbox@stytch.com into this
// organization without sending anything, as Stytch's test environment does.
const (
	SandboxOrganizationID = "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b"
	SandboxMemberID       = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
)

// SandboxOrganization returns the fixed sandbox organization of a test
// project.
func SandboxOrganization(projectID string) *Organization {
	o := NewOrganizationDefaults()
	o.ID, o.ProjectID = SandboxOrganizationID, projectID
	o.Name, o.Slug = "Sandbox organization", "sandbox-organization"
	o.CreatedAt, o.UpdatedAt = sandboxStarted, sandboxStarted
	return &o
}

// SandboxMember returns the fixed sandbox member of the sandbox
// organization.
func SandboxMember(projectID string) *Member {
	return &Member{
		ID: SandboxMemberID, ProjectID: projectID, OrganizationID: SandboxOrganizationID,
		EmailAddress: SandboxEmail, EmailVerified: true, Status: MemberActive,
		TrustedMetadata: map[string]any{}, UntrustedMetadata: map[string]any{}, Roles: []string{},
		CreatedAt: sandboxStarted, UpdatedAt: sandboxStarted,
	}
}
