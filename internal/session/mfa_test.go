package session_test

import (
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/session"
)

// TestMFARequirement is the MFA decision as a table: which factors pass
// which member's MFA in which organization, and what mfa_required offers.
func TestMFARequirement(t *testing.T) {
	t.Parallel()
	org := func(mutate func(o *auth.Organization)) *auth.Organization {
		o := auth.NewOrganizationDefaults()
		o.Name = "Acme"
		if mutate != nil {
			mutate(&o)
		}
		return &o
	}
	required := org(func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
	smsOnly := org(func(o *auth.Organization) {
		o.MFAPolicy, o.MFAMethods, o.AllowedMFAMethods = auth.MFAPolicyRequiredForAll, auth.Restricted, []string{"sms_otp"}
	})
	optional := org(nil)
	ada := &auth.Member{ID: "member-test-1", TOTPRegistrationID: "member-totp-test-1", MFAPhoneNumber: "+14155550100", MFAPhoneVerified: true}
	unverified := &auth.Member{ID: "member-test-2", MFAPhoneNumber: "+14155550100"}
	link := auth.AuthenticationFactor{Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail, EmailFactor: &auth.EmailFactor{EmailAddress: "ada@acme.com"}}
	totpOf := func(id string) auth.AuthenticationFactor {
		return auth.AuthenticationFactor{Type: auth.FactorTOTP, DeliveryMethod: auth.DeliveryAuthenticatorApp, AuthenticatorAppFactor: &auth.AuthenticatorAppFactor{TOTPID: id}}
	}
	smsTo := func(number string) auth.AuthenticationFactor {
		return auth.AuthenticationFactor{Type: auth.FactorOTP, DeliveryMethod: auth.DeliverySMS, PhoneNumberFactor: &auth.PhoneNumberFactor{PhoneNumber: number}}
	}
	recovery := auth.AuthenticationFactor{Type: auth.FactorRecoveryCodes, DeliveryMethod: auth.DeliveryRecoveryCode, RecoveryCodeFactor: &auth.RecoveryCodeFactor{RecoveryCodeID: "x"}}
	for _, tc := range []struct {
		name    string
		o       *auth.Organization
		m       *auth.Member
		factors []auth.AuthenticationFactor
		passes  bool
	}{
		{"optional organization, not enrolled", optional, &auth.Member{}, []auth.AuthenticationFactor{link}, true},
		{"optional organization, enrolled", optional, &auth.Member{MFAEnrolled: true}, []auth.AuthenticationFactor{link}, false},
		{"primary factor only", required, ada, []auth.AuthenticationFactor{link}, false},
		{"the member's TOTP", required, ada, []auth.AuthenticationFactor{link, totpOf(ada.TOTPRegistrationID)}, true},
		{"another registration's TOTP", required, ada, []auth.AuthenticationFactor{link, totpOf("member-totp-test-other")}, false},
		{"a recovery code", required, ada, []auth.AuthenticationFactor{link, recovery}, true},
		{"an SMS to the member's verified phone", required, ada, []auth.AuthenticationFactor{link, smsTo(ada.MFAPhoneNumber)}, true},
		{"an SMS to another phone", required, ada, []auth.AuthenticationFactor{link, smsTo("+14155550199")}, false},
		{"an SMS to an unverified phone", required, unverified, []auth.AuthenticationFactor{link, smsTo(unverified.MFAPhoneNumber)}, false},
		{"TOTP where only SMS is allowed", smsOnly, ada, []auth.AuthenticationFactor{link, totpOf(ada.TOTPRegistrationID)}, false},
		{"joining by domain", required, nil, []auth.AuthenticationFactor{link, totpOf("member-totp-test-1")}, false},
	} {
		got := session.MFARequirement(tc.o, tc.m, tc.factors)
		if (got == nil) != tc.passes {
			t.Errorf("%s: MFARequirement = %+v, want passes %v", tc.name, got, tc.passes)
		}
	}
	// What mfa_required offers: only what the organization allows.
	if got := session.MFARequirement(required, ada, nil); got.PhoneNumber != ada.MFAPhoneNumber || got.TOTPRegistrationID != ada.TOTPRegistrationID || !got.HasOptions() {
		t.Errorf("offers %+v, want the phone and the registration", got)
	}
	if got := session.MFARequirement(smsOnly, ada, nil); got.PhoneNumber != ada.MFAPhoneNumber || got.TOTPRegistrationID != "" {
		t.Errorf("SMS-only organization offers %+v, want the phone alone", got)
	}
	if got := session.MFARequirement(required, &auth.Member{}, nil); got.HasOptions() {
		t.Errorf("a member with no second factor is offered %+v", got)
	}
}
