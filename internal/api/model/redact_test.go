package model

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactedHidesSecretsAndKeepsTheRest(t *testing.T) {
	in := &AdminCreateUserRequest{
		UserPoolId:             ptrTo("us-east-1_abcdefghi"),
		Username:               ptrTo("alice@example.com"),
		TemporaryPassword:      ptrTo("Sup3r-s3cret!"),
		UserAttributes:         []AttributeType{{Name: ptrTo("email"), Value: ptrTo("alice@example.com")}},
		ClientMetadata:         map[string]string{"invite": "token-123"},
		DesiredDeliveryMediums: []string{"EMAIL"},
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("request", "input", Redacted(in))
	line := buf.String()
	for _, secret := range []string{"alice@example.com", "Sup3r-s3cret!", "token-123"} {
		if strings.Contains(line, secret) {
			t.Errorf("log line contains %q: %s", secret, line)
		}
	}
	for _, kept := range []string{"us-east-1_abcdefghi", `"Name":"email"`, "EMAIL", "REDACTED"} {
		if !strings.Contains(line, kept) {
			t.Errorf("log line lacks %q: %s", kept, line)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
