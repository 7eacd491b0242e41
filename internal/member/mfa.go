package member

import "github.com/latchauth/latch/internal/auth"

// MFA enrollment changes a second factor's authenticate may ask for
// (set_mfa_enrollment).
const (
	EnrollMFA   = "enroll"
	UnenrollMFA = "unenroll"
)

// CheckMFAEnrollment validates a set_mfa_enrollment value ("" for none).
func CheckMFAEnrollment(v string) error {
	switch v {
	case "", EnrollMFA, UnenrollMFA:
		return nil
	}
	return auth.ErrInvalidArgument.WithMessage("set_mfa_enrollment must be enroll or unenroll.")
}

// RecordMFA applies to m what completing a second factor with method
// ("totp" or "sms_otp") in o changes, as Stytch's does, and reports
// whether m changed: the enrollment asked for, or enrollment itself when
// o requires MFA of everyone; and the default MFA method, which becomes
// method when asked (setDefault) or when the member had none. The caller
// writes m.
func RecordMFA(m *auth.Member, o *auth.Organization, method, enrollment string, setDefault bool) bool {
	changed := false
	if o.MFAPolicy == auth.MFAPolicyRequiredForAll {
		enrollment = EnrollMFA
	}
	if enrollment != "" {
		if want := enrollment == EnrollMFA; m.MFAEnrolled != want {
			m.MFAEnrolled, changed = want, true
		}
	}
	if (setDefault || m.DefaultMFAMethod == "") && m.DefaultMFAMethod != method {
		m.DefaultMFAMethod, changed = method, true
	}
	return changed
}
