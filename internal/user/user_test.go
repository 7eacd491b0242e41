package user_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Ada@Example.COM":        "ada@example.com",
		"  ada@example.com ":     "ada@example.com",
		"a.b+tag@sub.example.io": "a.b+tag@sub.example.io",
	} {
		if got, err := user.NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ada", "ada@", "@example.com", "ada@example", "Ada <ada@example.com>", "ada@.example.com", "ada@example.com.", "a b@example.com"} {
		if _, err := user.NormalizeEmail(bad); !errors.Is(err, auth.ErrInvalidEmail) {
			t.Errorf("NormalizeEmail(%q) err = %v", bad, err)
		}
	}
}

func TestCreateUpdateDelete(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)

		u, err := s.Users.Create(ctx, p, user.CreateInput{
			Email: "Ada@Example.com", Name: auth.Name{First: "Ada"}, ExternalID: "ext-1",
			TrustedMetadata: map[string]any{"plan": "free", "seats": 1},
		})
		if err != nil {
			t.Fatal(err)
		}
		if u.Status != auth.UserActive || u.Emails[0].Address != "ada@example.com" || u.Emails[0].Verified {
			t.Errorf("created %+v", u)
		}
		for _, tc := range []struct {
			name string
			in   user.CreateInput
			want *auth.Error
		}{
			{"duplicate email", user.CreateInput{Email: "ADA@example.com"}, auth.ErrDuplicateEmail},
			{"duplicate external id", user.CreateInput{Email: "other@example.com", ExternalID: "ext-1"}, auth.ErrDuplicateUserExternalID},
			{"invalid email", user.CreateInput{Email: "nope"}, auth.ErrInvalidEmail},
			{"long external id", user.CreateInput{Email: "ext@example.com", ExternalID: strings.Repeat("e", 129)}, auth.ErrInvalidArgument},
			{"long name", user.CreateInput{Email: "name@example.com", Name: auth.Name{Last: strings.Repeat("n", 257)}}, auth.ErrInvalidArgument},
			{"huge metadata", user.CreateInput{Email: "big@example.com", TrustedMetadata: map[string]any{"x": string(make([]byte, 5000))}}, auth.ErrMetadataTooLarge},
		} {
			if _, err := s.Users.Create(ctx, p, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
		}

		up, err := s.Users.Update(ctx, p.ID, u.ID, user.UpdateInput{
			Name:            &auth.Name{First: "Ada", Last: "Lovelace"},
			TrustedMetadata: map[string]any{"plan": "pro", "seats": nil},
		})
		if err != nil {
			t.Fatal(err)
		}
		if up.Name.Last != "Lovelace" || up.TrustedMetadata["plan"] != "pro" {
			t.Errorf("updated %+v", up)
		}
		if _, ok := up.TrustedMetadata["seats"]; ok {
			t.Error("null did not remove a metadata key")
		}
		got, err := s.Users.Get(ctx, p.ID, u.ID)
		if err != nil || got.Name.Last != "Lovelace" || got.TrustedMetadata["plan"] != "pro" {
			t.Errorf("Get after update = %+v, %v", got, err)
		}

		// Another project sees nothing of this user.
		other, _ := s.NewProject(t, auth.EnvTest)
		if _, err := s.Users.Get(ctx, other.ID, u.ID); !errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("cross-project Get: err = %v", err)
		}
		if err := s.Users.Delete(ctx, other.ID, u.ID); !errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("cross-project Delete: err = %v", err)
		}
		if _, err := s.Users.Create(ctx, other, user.CreateInput{Email: "ada@example.com"}); err != nil {
			t.Errorf("the same email in another project: %v", err)
		}

		withEmail, err := s.Users.DeleteEmail(ctx, p.ID, u.Emails[0].ID)
		if err != nil || len(withEmail.Emails) != 0 {
			t.Errorf("DeleteEmail = %+v, %v", withEmail, err)
		}
		if _, err := s.Users.DeleteEmail(ctx, p.ID, u.Emails[0].ID); !errors.Is(err, auth.ErrEmailNotFound) {
			t.Errorf("second DeleteEmail: err = %v", err)
		}
		if err := s.Users.Delete(ctx, p.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Users.Get(ctx, p.ID, u.ID); !errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("Get after Delete: err = %v", err)
		}
		if _, err := s.Users.Get(ctx, p.ID, "not-an-id"); !errors.Is(err, auth.ErrInvalidUserID) {
			t.Errorf("malformed id: err = %v", err)
		}
	})
}

func TestSearch(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		other, _ := s.NewProject(t, auth.EnvTest)
		var ids []string
		for i := range 7 {
			u, err := s.Users.Create(ctx, p, user.CreateInput{Email: fmt.Sprintf("u%d@%s.example.com", i, map[bool]string{true: "even", false: "odd"}[i%2 == 0]), Pending: i >= 5})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
			s.Clock.Advance(time.Millisecond) // distinct creation times, as in real life
		}
		if _, err := s.Users.Create(ctx, other, user.CreateInput{Email: "u0@even.example.com"}); err != nil {
			t.Fatal(err)
		}
		op := func(name string, v any) user.Operand { return user.Operand{FilterName: name, FilterValue: v} }

		for _, tc := range []struct {
			name string
			in   user.SearchInput
			want []string
		}{
			{"all", user.SearchInput{}, ids},
			{"by email", user.SearchInput{Operands: []user.Operand{op("email_address", []any{"U3@odd.example.com"})}}, ids[3:4]},
			{"pending", user.SearchInput{Operands: []user.Operand{op("status", "pending")}}, ids[5:]},
			{"fuzzy and active", user.SearchInput{Operands: []user.Operand{op("email_address_fuzzy", "EVEN"), op("status", "active")}}, []string{ids[0], ids[2], ids[4]}},
			{"or", user.SearchInput{Operator: "OR", Operands: []user.Operand{op("user_id", []any{ids[1]}), op("status", "pending")}}, []string{ids[1], ids[5], ids[6]}},
		} {
			res, err := s.Users.Search(ctx, p.ID, tc.in)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var got []string
			for _, u := range res.Users {
				got = append(got, u.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || res.Total != len(tc.want) || res.NextCursor != "" {
				t.Errorf("%s: got %v (total %d, cursor %q), want %v", tc.name, got, res.Total, res.NextCursor, tc.want)
			}
		}

		// Pages of 3 cover all 7 users once, in order.
		var got []string
		in := user.SearchInput{Limit: 3}
		for pages := 0; ; pages++ {
			res, err := s.Users.Search(ctx, p.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 7 {
				t.Errorf("total = %d", res.Total)
			}
			for _, u := range res.Users {
				got = append(got, u.ID)
			}
			if res.NextCursor == "" {
				if pages != 2 {
					t.Errorf("%d pages, want 3", pages+1)
				}
				break
			}
			in.Cursor = res.NextCursor
		}
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("paged = %v, want %v", got, ids)
		}

		for _, tc := range []struct {
			name string
			in   user.SearchInput
			want *auth.Error
		}{
			{"limit", user.SearchInput{Limit: 1001}, auth.ErrUserSearchInvalidLimit},
			{"operator", user.SearchInput{Operator: "XOR"}, auth.ErrUserSearchInvalidOperator},
			{"cursor", user.SearchInput{Cursor: "garbage!"}, auth.ErrUserSearchInvalidCursor},
			{"filter", user.SearchInput{Operands: []user.Operand{op("shoe_size", "9")}}, auth.ErrUserSearchFilterNotRecognized},
			{"status value", user.SearchInput{Operands: []user.Operand{op("status", "deleted")}}, auth.ErrUserSearchInvalidStatus},
			{"array expected", user.SearchInput{Operands: []user.Operand{op("email_address", "a@example.com")}}, auth.ErrUserSearchExpectedArray},
			{"string expected", user.SearchInput{Operands: []user.Operand{op("status", []any{"active"})}}, auth.ErrUserSearchExpectedString},
		} {
			if _, err := s.Users.Search(ctx, p.ID, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
		}
	})
}
