// Command apigen generates Cognate's API model code from botocore's Cognito
// service model.
//
// It has two steps. "trim" reduces botocore's service-2.json(.gz) to the
// committed api/cognito-idp-2016-04-18.json: shapes, constraints and
// operation metadata, without documentation, in a stable key order. "gen"
// turns that file into package internal/api/model: request and response
// structs, enum constants, error names, the operation table, validators that
// word their messages as AWS does, and the list of sensitive members.
//
//	go run ./tools/apigen trim -in service-2.json.gz -out api/cognito-idp-2016-04-18.json
//	go run ./tools/apigen gen -model api/cognito-idp-2016-04-18.json -out internal/api/model
//
// Both steps are deterministic; gen is wired to go generate in
// internal/api/model/doc.go.
package main
