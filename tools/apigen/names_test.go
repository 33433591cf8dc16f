package main

import "testing"

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"USER_SRP_AUTH":     "UserSrpAuth",
		"phone_number":      "PhoneNumber",
		"userNotification":  "UserNotification",
		"V1_0":              "V10",
		"SignInWithApple":   "SignInWithApple",
		"cognito:default":   "CognitoDefault",
		"":                  "Empty",
		"MFA_IF_CONFIGURED": "MfaIfConfigured",
	} {
		if got := enumSuffix(in); got != want {
			t.Errorf("enumSuffix(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"UserAttributes": "userAttributes",
		"AccessToken":    "accessToken",
		"SMSMfaSettings": "sMSMfaSettings",
		"CSS":            "cSS",
		"headerName":     "headerName",
	} {
		if got := pathName(in); got != want {
			t.Errorf("pathName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fieldName("headerName"); got != "HeaderName" {
		t.Errorf("fieldName: %q", got)
	}
}
