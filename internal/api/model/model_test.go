package model

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// The tests read the committed model independently of the generator, so that
// a generator bug does not check itself.
const modelPath = "../../../api/cognito-idp-2016-04-18.json"

type testRef struct {
	Shape string `json:"shape"`
}

type testModel struct {
	Operations map[string]struct {
		Input    testRef   `json:"input"`
		Output   *testRef  `json:"output"`
		Errors   []testRef `json:"errors"`
		AuthType string    `json:"authtype"`
	} `json:"operations"`
	Shapes map[string]json.RawMessage `json:"shapes"`
}

type testMember struct {
	name     string
	required bool
}

func loadTestModel(t testing.TB) *testModel {
	t.Helper()
	data, err := os.ReadFile(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	var m testModel
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// members lists a structure's members in model order, which a Go map would lose.
func (m *testModel) members(shape string) []testMember {
	var s struct {
		Members  json.RawMessage `json:"members"`
		Required []string        `json:"required"`
	}
	if err := json.Unmarshal(m.Shapes[shape], &s); err != nil || s.Members == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(s.Members))
	_, _ = dec.Token() // {
	var out []testMember
	for dec.More() {
		tok, _ := dec.Token()
		name := tok.(string)
		var skip json.RawMessage
		_ = dec.Decode(&skip)
		out = append(out, testMember{name: name, required: slices.Contains(s.Required, name)})
	}
	return out
}

func TestOperationsMatchModel(t *testing.T) {
	m := loadTestModel(t)
	if len(Operations) != 122 || len(m.Operations) != 122 {
		t.Fatalf("got %d operations, model has %d, want 122", len(Operations), len(m.Operations))
	}
	noAuth := 0
	for name, mo := range m.Operations {
		op, ok := Operations[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if op.Name != name {
			t.Errorf("%s: Name %q", name, op.Name)
		}
		if want := mo.AuthType == "none"; op.NoAuth != want {
			t.Errorf("%s: NoAuth = %v, want %v", name, op.NoAuth, want)
		}
		if op.NoAuth {
			noAuth++
		}
		in := op.NewInput()
		if got := reflect.TypeOf(in).Elem().Name(); got != mo.Input.Shape {
			t.Errorf("%s: input type %s, want %s", name, got, mo.Input.Shape)
		}
		if in == op.NewInput() {
			t.Errorf("%s: NewInput returns a shared value", name)
		}
		out := reflect.TypeOf(op.NewOutput()).Elem()
		switch {
		case mo.Output == nil && out.NumField() != 0:
			t.Errorf("%s: no output shape, but output type %s", name, out)
		case mo.Output != nil && out.Name() != mo.Output.Shape:
			t.Errorf("%s: output type %s, want %s", name, out.Name(), mo.Output.Shape)
		}
		var wantErrors []string
		for _, e := range mo.Errors {
			wantErrors = append(wantErrors, e.Shape)
		}
		if !slices.Equal(op.Errors, wantErrors) {
			t.Errorf("%s: Errors %v, want %v", name, op.Errors, wantErrors)
		}
		hasPool := slices.ContainsFunc(m.members(mo.Input.Shape), func(mem testMember) bool { return mem.name == "UserPoolId" })
		if _, ok := in.(interface{ GetUserPoolId() string }); ok != hasPool {
			t.Errorf("%s: GetUserPoolId present = %v, want %v", name, ok, hasPool)
		}
		hasClient := slices.ContainsFunc(m.members(mo.Input.Shape), func(mem testMember) bool { return mem.name == "ClientId" })
		if _, ok := in.(interface{ GetClientId() string }); ok != hasClient {
			t.Errorf("%s: GetClientId present = %v, want %v", name, ok, hasClient)
		}
	}
	if noAuth != 32 {
		t.Errorf("%d operations with NoAuth, want 32", noAuth)
	}
	names := OperationNames()
	if len(names) != 122 || !sort.StringsAreSorted(names) {
		t.Errorf("OperationNames: %d names, sorted %v", len(names), sort.StringsAreSorted(names))
	}
	names[0] = "mutated"
	if OperationNames()[0] == "mutated" {
		t.Error("OperationNames returns shared storage")
	}
}

func TestAccessors(t *testing.T) {
	var nilReq *ListUsersRequest
	if got := nilReq.GetUserPoolId(); got != "" {
		t.Errorf("nil: %q", got)
	}
	if got := (&ListUsersRequest{}).GetUserPoolId(); got != "" {
		t.Errorf("unset: %q", got)
	}
	id := "us-east-1_abc"
	if got := (&ListUsersRequest{UserPoolId: &id}).GetUserPoolId(); got != id {
		t.Errorf("set: %q", got)
	}
	cid := "client"
	if got := (&InitiateAuthRequest{ClientId: &cid}).GetClientId(); got != cid {
		t.Errorf("client: %q", got)
	}
}

func TestErrorsAndFaults(t *testing.T) {
	m := loadTestModel(t)
	faults := 0
	for name, raw := range m.Shapes {
		var s struct{ Exception, Fault bool }
		_ = json.Unmarshal(raw, &s)
		if s.Fault {
			faults++
		}
		if s.Exception && IsFault(name) != s.Fault {
			t.Errorf("IsFault(%s) = %v", name, IsFault(name))
		}
	}
	if faults != len(Faults) || !IsFault(InternalErrorException) || IsFault(NotAuthorizedException) {
		t.Errorf("Faults = %v", Faults)
	}
	e := Errorf(NotAuthorizedException, "User %s is disabled.", "u")
	if e.Error() != "NotAuthorizedException: User u is disabled." {
		t.Errorf("Errorf: %q", e.Error())
	}
}

func TestSensitive(t *testing.T) {
	for _, k := range []string{
		"UpdateUserAttributesRequest.AccessToken", // TokenModelType
		"AttributeType.Value",                     // AttributeValueType
		"InitiateAuthRequest.AuthParameters",      // sensitive map
		"InitiateAuthRequest.UserContextData",     // sensitive structure
		"InitiateAuthRequest.ClientId",
		"SignUpRequest.Password",
	} {
		if !SensitiveMembers[k] {
			t.Errorf("%s not sensitive", k)
		}
	}
	for _, k := range []string{"AttributeType.Name", "UpdateUserAttributesRequest.UserAttributes", "ListUsersRequest.UserPoolId"} {
		if SensitiveMembers[k] {
			t.Errorf("%s marked sensitive", k)
		}
	}
	// The struct tag and the table agree.
	f, _ := reflect.TypeOf(UpdateUserAttributesRequest{}).FieldByName("AccessToken")
	if f.Tag.Get("sensitive") != "true" {
		t.Errorf("AccessToken tag %q", f.Tag)
	}
	f, _ = reflect.TypeOf(AttributeType{}).FieldByName("Name")
	if f.Tag.Get("sensitive") != "" {
		t.Errorf("Name tag %q", f.Tag)
	}
}

func TestEnums(t *testing.T) {
	if AuthFlowTypeUserSrpAuth != "USER_SRP_AUTH" || PreTokenGenerationLambdaVersionTypeV20 != "V2_0" || EventSourceNameUserNotification != "userNotification" {
		t.Error("enum constant names")
	}
	if got := UserPoolMfaTypeValues(); !slices.Equal(got, []string{"OFF", "ON", "OPTIONAL"}) {
		t.Errorf("UserPoolMfaTypeValues = %v (model order)", got)
	}
}
