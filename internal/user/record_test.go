package user

import (
	stdjson "encoding/json"
	"reflect"
	"testing"

	"github.com/cognate/cognate/internal/store"
)

// fullRecord sets every field of Record, so that a field one codec writes
// and the other does not read would show.
func fullRecord() *Record {
	return &Record{
		Attributes:    []Attribute{{"sub", "0b5e2c1a-1111-2222-3333-444455556666"}, {"email", "ünïcode+tag@example.com"}, {"name", `quote " <tag> & \ back`}, {"custom:x", ""}},
		PasswordHash:  "$argon2id$v=19$m=65536,t=1,p=1$c2FsdA$aGFzaA",
		SRP:           []byte{0, 1, 2, 250, 251, 252, 253, 254, 255},
		PasswordSetAt: 1764170000123,
		Codes: map[string]Code{
			codeSignUp:                 {Hash: "h1", ExpiresAt: 1, Attempts: 2, Attr: "email", Sends: 3, WindowStart: 4},
			codeVerifyPrefix + "email": {Hash: "h2", ExpiresAt: 5},
		},
		SignedOutAt:     1764170000999,
		RevokedFamilies: map[string]int64{"jti-1": 7, "jti-2": 8},
		FailedSignIns:   3, LockedUntil: 9,
		Pending:  map[string]string{"email": "new@example.com"},
		Seeded:   "$argon2id$seeded",
		TOTP:     &TOTP{Pending: []byte("pend"), Secret: []byte("secret"), LastStep: 42, Enabled: true},
		SMSMFA:   &MFAFactor{Enabled: true},
		EmailMFA: &MFAFactor{Enabled: true, Preferred: true},
	}
}

// TestRecordCodecsAgree: records written by encoding/json (every record
// stored before the switch to go-json) decode the same, and go-json writes
// what encoding/json reads back identically.
func TestRecordCodecsAgree(t *testing.T) {
	for _, r := range []*Record{fullRecord(), {}, {Attributes: []Attribute{}}} {
		old, err := stdjson.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRecord(store.User{Key: "k", Data: old})
		if err != nil {
			t.Fatal(err)
		}
		want := &Record{}
		if err := stdjson.Unmarshal(old, want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("go-json read %s as\n%+v\nencoding/json as\n%+v", old, got, want)
		}
		written, err := r.encode()
		if err != nil {
			t.Fatal(err)
		}
		back := &Record{}
		if err := stdjson.Unmarshal(written, back); err != nil {
			t.Fatalf("encoding/json cannot read %s: %v", written, err)
		}
		if !reflect.DeepEqual(back, want) {
			t.Errorf("go-json wrote %s, read back as\n%+v\nwant\n%+v", written, back, want)
		}
	}
	if _, err := decodeRecord(store.User{Key: "k", Data: []byte(`{"attrs":[{"n":1}]}`)}); err == nil {
		t.Error("a corrupt record decoded without error")
	}
}
