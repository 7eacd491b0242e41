package compat

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/users"
)

// TestUsers runs the users endpoints in order on one server: create, get,
// update, search with pagination, delete_email and delete.
func TestUsers(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		c := e.client.Users
		start := time.Now()

		// Create an active user with every field, and a pending one.
		ada := newEmail(t, "ada")
		created, err := c.Create(ctx, &users.CreateParams{
			Email:             strings.ToUpper(ada[:1]) + ada[1:],
			Name:              &users.Name{FirstName: "Ada", MiddleName: "King", LastName: "Byron"},
			TrustedMetadata:   map[string]any{"tier": "gold", "n": 1},
			UntrustedMetadata: map[string]any{"theme": "dark"},
			ExternalID:        "ext-ada",
		})
		if err != nil {
			t.Fatalf("users.create: %v", err)
		}
		if created.StatusCode != 201 && created.StatusCode != 200 {
			t.Errorf("users.create status_code %d, want 201 (or 200)", created.StatusCode)
		}
		if !strings.HasPrefix(created.UserID, "user-test-") || !strings.HasPrefix(created.EmailID, "email-test-") ||
			created.Status != "active" || created.User.UserID != created.UserID || created.PhoneID != "" {
			t.Errorf("users.create = %+v", *created)
		}
		wantAda := users.User{
			UserID: created.UserID,
			Emails: []users.Email{{EmailID: created.EmailID, Email: ada}},
			Status: "active",
			Roles:  []string{"stytch_user"},
			Name:   &users.Name{FirstName: "Ada", MiddleName: "King", LastName: "Byron"},
			// JSON numbers decode as float64.
			TrustedMetadata:   map[string]any{"tier": "gold", "n": float64(1)},
			UntrustedMetadata: map[string]any{"theme": "dark"},
			ExternalID:        "ext-ada",
		}
		checkUser(t, "users.create", created.User, wantAda, start)

		pendingAddr := newEmail(t, "pending")
		pending, err := c.Create(ctx, &users.CreateParams{Email: pendingAddr, CreateUserAsPending: true})
		if err != nil {
			t.Fatalf("users.create pending: %v", err)
		}
		if pending.Status != "pending" || pending.User.Status != "pending" {
			t.Errorf("users.create pending: status %q/%q", pending.Status, pending.User.Status)
		}

		got, err := c.Get(ctx, &users.GetParams{UserID: created.UserID})
		if err != nil {
			t.Fatalf("users.get: %v", err)
		}
		if got.StatusCode != 200 || !strings.HasPrefix(got.RequestID, "request-id-test-") {
			t.Errorf("users.get envelope: %d %q", got.StatusCode, got.RequestID)
		}
		checkUser(t, "users.get", getToUser(got), wantAda, start)

		// Update merges metadata key by key; null removes a key.
		upd, err := c.Update(ctx, &users.UpdateParams{
			UserID:            created.UserID,
			Name:              &users.Name{FirstName: "Augusta", LastName: "Lovelace"},
			TrustedMetadata:   map[string]any{"tier": "platinum", "n": nil, "since": 1843},
			UntrustedMetadata: map[string]any{"lang": "en"},
			ExternalID:        "ext-lovelace",
		})
		if err != nil {
			t.Fatalf("users.update: %v", err)
		}
		wantAda.Name = &users.Name{FirstName: "Augusta", LastName: "Lovelace"}
		wantAda.TrustedMetadata = map[string]any{"tier": "platinum", "since": float64(1843)}
		wantAda.UntrustedMetadata = map[string]any{"theme": "dark", "lang": "en"}
		wantAda.ExternalID = "ext-lovelace"
		checkUser(t, "users.update", upd.User, wantAda, start)
		if upd.UserID != created.UserID || !cmp.Equal(upd.Emails, wantAda.Emails) {
			t.Errorf("users.update: user_id %q, emails %+v", upd.UserID, upd.Emails)
		}
		got, err = c.Get(ctx, &users.GetParams{UserID: created.UserID})
		if err != nil {
			t.Fatalf("users.get after update: %v", err)
		}
		checkUser(t, "users.get after update", getToUser(got), wantAda, start)

		// A duplicate email is refused, whatever its case.
		for _, dup := range []string{ada, strings.ToUpper(ada)} {
			_, err = c.Create(ctx, &users.CreateParams{Email: dup})
			wantError(t, err, 400, "duplicate_email")
		}

		// Seven more users to page through, three at a time.
		var paged []string
		pagedIDs := map[string]bool{}
		for i := range 7 {
			addr := newEmail(t, fmt.Sprintf("page%d", i))
			r, err := c.Create(ctx, &users.CreateParams{Email: addr})
			if err != nil {
				t.Fatalf("users.create %s: %v", addr, err)
			}
			paged = append(paged, addr)
			pagedIDs[r.UserID] = true
		}

		search := func(name string, p *users.SearchParams) *users.SearchResponse {
			t.Helper()
			res, err := c.Search(ctx, p)
			if err != nil {
				t.Fatalf("users.search %s: %v", name, err)
			}
			return res
		}
		ids := func(res *users.SearchResponse) []string {
			var out []string
			for _, u := range res.Results {
				out = append(out, u.UserID)
			}
			slices.Sort(out)
			return out
		}
		sorted := func(s ...string) []string { slices.Sort(s); return s }
		byEmail := func(addrs ...string) map[string]any {
			return map[string]any{"filter_name": "email_address", "filter_value": addrs}
		}
		byStatus := func(s string) map[string]any { return map[string]any{"filter_name": "status", "filter_value": s} }

		res := search("email_address", &users.SearchParams{Query: &users.SearchUsersQuery{
			Operator: users.SearchUsersQueryOperatorAND, Operands: []map[string]any{byEmail(strings.ToUpper(ada))},
		}})
		if want := []string{created.UserID}; !cmp.Equal(ids(res), want) || res.ResultsMetadata.Total != 1 || res.ResultsMetadata.NextCursor != "" {
			t.Errorf("search by email_address: %v total %d cursor %q; want %v total 1", ids(res), res.ResultsMetadata.Total, res.ResultsMetadata.NextCursor, want)
		} else {
			checkUser(t, "search result", res.Results[0], wantAda, start)
		}

		res = search("status", &users.SearchParams{Query: &users.SearchUsersQuery{
			Operator: users.SearchUsersQueryOperatorAND, Operands: []map[string]any{byStatus("pending")},
		}})
		if want := []string{pending.UserID}; !cmp.Equal(ids(res), want) || res.ResultsMetadata.Total != 1 {
			t.Errorf("search status=pending: %v total %d; want %v", ids(res), res.ResultsMetadata.Total, want)
		}

		res = search("OR", &users.SearchParams{Query: &users.SearchUsersQuery{
			Operator: users.SearchUsersQueryOperatorOR, Operands: []map[string]any{byEmail(ada), byStatus("pending")},
		}})
		if want := sorted(created.UserID, pending.UserID); !cmp.Equal(ids(res), want) || res.ResultsMetadata.Total != 2 {
			t.Errorf("search email OR status: %v total %d; want %v", ids(res), res.ResultsMetadata.Total, want)
		}

		res = search("AND", &users.SearchParams{Query: &users.SearchUsersQuery{
			Operator: users.SearchUsersQueryOperatorAND, Operands: []map[string]any{byEmail(ada, pendingAddr), byStatus("active")},
		}})
		if want := []string{created.UserID}; !cmp.Equal(ids(res), want) || res.ResultsMetadata.Total != 1 {
			t.Errorf("search email AND status=active: %v total %d; want %v", ids(res), res.ResultsMetadata.Total, want)
		}

		// Everyone, with no query: 9 users.
		res = search("all", &users.SearchParams{})
		if len(res.Results) != 9 || res.ResultsMetadata.Total != 9 {
			t.Errorf("search without query: %d results, total %d; want 9", len(res.Results), res.ResultsMetadata.Total)
		}

		// Pages of 3 over the 7: 3, 3, 1, every user exactly once.
		seen := map[string]bool{}
		var sizes []int
		cursor := ""
		for page := 0; ; page++ {
			if page > 5 {
				t.Fatalf("pagination did not end after %d pages", page)
			}
			res := search("page", &users.SearchParams{Limit: 3, Cursor: cursor, Query: &users.SearchUsersQuery{
				Operator: users.SearchUsersQueryOperatorAND, Operands: []map[string]any{byEmail(paged...)},
			}})
			if res.ResultsMetadata.Total != 7 {
				t.Errorf("page %d: total %d, want 7", page, res.ResultsMetadata.Total)
			}
			sizes = append(sizes, len(res.Results))
			for _, u := range res.Results {
				if seen[u.UserID] || !pagedIDs[u.UserID] {
					t.Errorf("page %d: user %s is repeated or not one of the seven", page, u.UserID)
				}
				seen[u.UserID] = true
			}
			cursor = res.ResultsMetadata.NextCursor
			if cursor == "" {
				break
			}
		}
		if !cmp.Equal(sizes, []int{3, 3, 1}) || len(seen) != 7 {
			t.Errorf("page sizes %v covering %d users, want [3 3 1] covering 7", sizes, len(seen))
		}

		_, err = c.Search(ctx, &users.SearchParams{Query: &users.SearchUsersQuery{
			Operands: []map[string]any{{"filter_name": "favourite_colour", "filter_value": "blue"}},
		}})
		wantError(t, err, 400, "user_search_filter_name_not_recognized")

		// delete_email detaches the pending user's only email.
		de, err := c.DeleteEmail(ctx, &users.DeleteEmailParams{EmailID: pending.EmailID})
		if err != nil {
			t.Fatalf("users.delete_email: %v", err)
		}
		if de.UserID != pending.UserID || de.User.UserID != pending.UserID || len(de.User.Emails) != 0 {
			t.Errorf("users.delete_email = user %q, emails %+v; want %s with none", de.UserID, de.User.Emails, pending.UserID)
		}
		if got, err := c.Get(ctx, &users.GetParams{UserID: pending.UserID}); err != nil || len(got.Emails) != 0 {
			t.Errorf("users.get after delete_email: %+v, %v", got, err)
		}
		_, err = c.DeleteEmail(ctx, &users.DeleteEmailParams{EmailID: pending.EmailID})
		wantError(t, err, 404, "email_not_found")

		// delete removes the user; then it is not found.
		del, err := c.Delete(ctx, &users.DeleteParams{UserID: created.UserID})
		if err != nil {
			t.Fatalf("users.delete: %v", err)
		}
		if del.UserID != created.UserID || del.StatusCode != 200 {
			t.Errorf("users.delete = %+v", *del)
		}
		_, err = c.Get(ctx, &users.GetParams{UserID: created.UserID})
		wantError(t, err, 404, "user_not_found")
		_, err = c.Delete(ctx, &users.DeleteParams{UserID: created.UserID})
		wantError(t, err, 404, "user_not_found")
		// The address is free again.
		if _, err := c.Create(ctx, &users.CreateParams{Email: ada}); err != nil {
			t.Errorf("users.create with a deleted user's email: %v", err)
		}
	})
}

// checkUser compares a user with want, ignoring created_at, which must be
// recent, and treating absent and empty collections alike.
func checkUser(tb testing.TB, what string, got, want users.User, since time.Time) {
	tb.Helper()
	if got.CreatedAt == nil || !near(*got.CreatedAt, since, time.Minute) {
		tb.Errorf("%s: created_at %v, want about %v", what, got.CreatedAt, since)
	}
	got.CreatedAt = nil
	if got.IsLocked {
		tb.Errorf("%s: is_locked", what)
	}
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		tb.Errorf("%s: user mismatch (-want +got):\n%s", what, d)
	}
}

// getToUser turns a users.get response into the User it describes.
func getToUser(g *users.GetResponse) users.User {
	return users.User{
		UserID: g.UserID, Emails: g.Emails, Status: g.Status, PhoneNumbers: g.PhoneNumbers,
		WebAuthnRegistrations: g.WebAuthnRegistrations, Providers: g.Providers, TOTPs: g.TOTPs,
		CryptoWallets: g.CryptoWallets, BiometricRegistrations: g.BiometricRegistrations, IsLocked: g.IsLocked,
		Roles: g.Roles, Name: g.Name, CreatedAt: g.CreatedAt, Password: g.Password,
		TrustedMetadata: g.TrustedMetadata, UntrustedMetadata: g.UntrustedMetadata, ExternalID: g.ExternalID,
		LockCreatedAt: g.LockCreatedAt, LockExpiresAt: g.LockExpiresAt,
	}
}
