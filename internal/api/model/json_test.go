package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestResponseEncoding(t *testing.T) {
	created := time.Date(2023, 11, 14, 22, 13, 20, 123_000_000, time.UTC)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{
			name: "empty non-nil list is sent, nil list is omitted",
			v:    &UpdateUserAttributesResponse{CodeDeliveryDetailsList: []CodeDeliveryDetailsType{}},
			want: `{"CodeDeliveryDetailsList":[]}`,
		},
		{
			name: "empty output is {}",
			v:    &UpdateUserAttributesResponse{},
			want: `{}`,
		},
		{
			name: "output-less operations encode as {}",
			v:    Operations["AdminDeleteUser"].NewOutput(),
			want: `{}`,
		},
		{
			name: "members in model order, timestamps as epoch seconds",
			v: &AdminGetUserResponse{
				Username:       ptr("alice"),
				UserAttributes: []AttributeType{{Name: ptr("email"), Value: ptr("a@example.com")}},
				UserCreateDate: NewTime(created),
				Enabled:        ptr(true),
			},
			want: `{"Username":"alice","UserAttributes":[{"Name":"email","Value":"a@example.com"}],"UserCreateDate":1700000000.123,"Enabled":true}`,
		},
		{
			name: "false and zero are sent when set",
			v:    &PasswordPolicyType{MinimumLength: ptr[int32](0), RequireNumbers: ptr(false)},
			want: `{"MinimumLength":0,"RequireNumbers":false}`,
		},
		{
			name: "lower-case member names keep their wire name",
			v:    &HttpHeader{HeaderName: ptr("X-Forwarded-For")},
			want: `{"headerName":"X-Forwarded-For"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRequestDecodingIgnoresUnknownFields(t *testing.T) {
	var in UpdateUserAttributesRequest
	body := `{"AccessToken":"t","NotAMember":{"deep":[1,2]},"UserAttributes":[{"Name":"email","Extra":true}]}`
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if *in.AccessToken != "t" || *in.UserAttributes[0].Name != "email" || in.UserAttributes[0].Value != nil {
		t.Errorf("decoded %+v", in)
	}
}

func TestTimeJSON(t *testing.T) {
	enc := []struct {
		name string
		t    time.Time
		want string
	}{
		{"whole second", time.Unix(1700000000, 0), "1700000000"},
		{"milliseconds", time.Unix(1700000000, 123_000_000), "1700000000.123"},
		{"trailing zeros trimmed", time.Unix(1700000000, 100_000_000), "1700000000.1"},
		{"leading zeros kept", time.Unix(1700000000, 5_000_000), "1700000000.005"},
		{"sub-millisecond dropped", time.Unix(1700000000, 999_999), "1700000000"},
		{"epoch", time.Unix(0, 0), "0"},
		{"before the epoch", time.Unix(-2, 500_000_000), "-1.5"},
	}
	for _, tt := range enc {
		t.Run("encode "+tt.name, func(t *testing.T) {
			got, err := json.Marshal(NewTime(tt.t))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	dec := []struct {
		in     string
		wantMs int64
	}{
		{"1700000000", 1700000000000},
		{"1700000000.123", 1700000000123},
		{"1700000000.1239", 1700000000123},
		{"1.700000000123E9", 1700000000123}, // what Java services send
		{"1.7e9", 1700000000000},
		{"17000000001230e-4", 1700000000123},
		{"0.0005", 0},
		{"0e99999999999", 0},
		{"-1.5", -1500},
		{"-0.0001", -1},
		{"1e-400", 0},
	}
	for _, tt := range dec {
		t.Run("decode "+tt.in, func(t *testing.T) {
			var got Time
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if ms := got.Std().UnixMilli(); ms != tt.wantMs {
				t.Errorf("got %d ms, want %d", ms, tt.wantMs)
			}
		})
	}
	for _, bad := range []string{`"1700000000"`, `true`, `{}`, `1e19`, `99999999999999999999`} {
		var got Time
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s: decoded to %v, want an error", bad, got.Std())
		}
	}
	var p *Time
	if err := json.Unmarshal([]byte("null"), &p); err != nil || p != nil {
		t.Errorf("null: %v %v", p, err)
	}
	if !p.Std().IsZero() {
		t.Error("nil Std is not the zero time")
	}
	// A set zero instant is still sent: Time has no IsZero for omitzero to use.
	got, _ := json.Marshal(&AdminGetUserResponse{UserCreateDate: NewTime(time.Time{})})
	if !strings.Contains(string(got), "UserCreateDate") {
		t.Errorf("zero time omitted: %s", got)
	}
}

func ptr[T any](v T) *T { return &v }
