package message

import (
	"testing"

	"github.com/cognate/cognate/internal/api/model"
)

func TestMaskEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"test@example.com", "t***@e***"}, // the recorded trace (reference §1.7)
		{"a@b.co", "a***@b***"},
		{"Jane.Doe+tag@Mail.Example.org", "J***@M***"},
		{"émile@été.fr", "é***@é***"},
		{"@example.com", "***@e***"},
		{"no-at-sign", "n***"},
		{"", "***"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := MaskEmail(tc.in); got != tc.want {
				t.Fatalf("MaskEmail(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+12345551234", "+*******1234"}, // decision 4
		{"+447700900123", "+********0123"},
		{"+1 234-555-1234", "+*******1234"},
		{"+123", "+123"},
		{"5551234", "***1234"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := MaskPhone(tc.in); got != tc.want {
				t.Fatalf("MaskPhone(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDeliveryDetails(t *testing.T) {
	tests := []struct {
		medium, attr, dest, want string
	}{
		{model.DeliveryMediumTypeEmail, "email", "test@example.com", "t***@e***"},
		{model.DeliveryMediumTypeSms, "phone_number", "+12345551234", "+*******1234"},
	}
	for _, tc := range tests {
		d := DeliveryDetails(tc.medium, tc.attr, tc.dest)
		if *d.Destination != tc.want || *d.DeliveryMedium != tc.medium || *d.AttributeName != tc.attr {
			t.Fatalf("DeliveryDetails(%s, %s, %s) = %s %s %s", tc.medium, tc.attr, tc.dest,
				*d.Destination, *d.DeliveryMedium, *d.AttributeName)
		}
	}
}
