// Package model is Cognate's typed view of the Cognito user pools API, generated
// from botocore's service model: request and response structs, enum values,
// exception names, the operation table, the list of sensitive members, and
// validators that reject a request with AWS's own InvalidParameterException
// wording. Files named zz_generated_*.go come from tools/apigen and are never
// edited by hand; Time, Error, ValidationError and Operation are written here.
package model

//go:generate go run github.com/cognate/cognate/tools/apigen gen -model ../../../api/cognito-idp-2016-04-18.json -out .
