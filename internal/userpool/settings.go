package userpool

import (
	"maps"

	"github.com/cognate/cognate/internal/api/model"
)

// updatable holds the members that CreateUserPool and UpdateUserPool share.
type updatable struct {
	Policies                    *model.UserPoolPolicyType
	DeletionProtection          *string
	LambdaConfig                *model.LambdaConfigType
	AutoVerifiedAttributes      []string
	SmsVerificationMessage      *string
	EmailVerificationMessage    *string
	EmailVerificationSubject    *string
	VerificationMessageTemplate *model.VerificationMessageTemplateType
	SmsAuthenticationMessage    *string
	UserAttributeUpdateSettings *model.UserAttributeUpdateSettingsType
	MfaConfiguration            *string
	DeviceConfiguration         *model.DeviceConfigurationType
	EmailConfiguration          *model.EmailConfigurationType
	SmsConfiguration            *model.SmsConfigurationType
	UserPoolTags                map[string]string
	AdminCreateUserConfig       *model.AdminCreateUserConfigType
	UserPoolAddOns              *model.UserPoolAddOnsType
	AccountRecoverySetting      *model.AccountRecoverySettingType
	UserPoolTier                *string
}

// settingsFrom builds the stored settings from a request, filling in what
// a new pool shows on AWS when the member is left out (a DescribeUserPool of
// a pool created with only a name).
func settingsFrom(u updatable) model.UserPoolType {
	cfg := model.UserPoolType{
		Policies:                    passwordDefaults(u.Policies),
		DeletionProtection:          orDefault(u.DeletionProtection, model.DeletionProtectionTypeInactive),
		LambdaConfig:                u.LambdaConfig,
		AutoVerifiedAttributes:      u.AutoVerifiedAttributes,
		SmsAuthenticationMessage:    u.SmsAuthenticationMessage,
		UserAttributeUpdateSettings: u.UserAttributeUpdateSettings,
		MfaConfiguration:            orDefault(u.MfaConfiguration, model.UserPoolMfaTypeOff),
		DeviceConfiguration:         u.DeviceConfiguration,
		EmailConfiguration:          u.EmailConfiguration,
		SmsConfiguration:            u.SmsConfiguration,
		UserPoolTags:                maps.Clone(u.UserPoolTags),
		AdminCreateUserConfig:       u.AdminCreateUserConfig,
		UserPoolAddOns:              u.UserPoolAddOns,
		AccountRecoverySetting:      u.AccountRecoverySetting,
		UserPoolTier:                orDefault(u.UserPoolTier, model.UserPoolTierTypeEssentials),
	}
	if cfg.LambdaConfig == nil {
		cfg.LambdaConfig = &model.LambdaConfigType{}
	}
	if cfg.UserAttributeUpdateSettings == nil {
		cfg.UserAttributeUpdateSettings = &model.UserAttributeUpdateSettingsType{}
	}
	if cfg.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate == nil {
		cfg.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate = []string{}
	}
	if cfg.EmailConfiguration == nil {
		cfg.EmailConfiguration = &model.EmailConfigurationType{}
	}
	if cfg.EmailConfiguration.EmailSendingAccount == nil {
		cfg.EmailConfiguration.EmailSendingAccount = ptr(model.EmailSendingAccountTypeCognitoDefault)
	}
	if cfg.UserPoolTags == nil {
		cfg.UserPoolTags = map[string]string{}
	}
	if cfg.AdminCreateUserConfig == nil {
		cfg.AdminCreateUserConfig = &model.AdminCreateUserConfigType{}
	}
	if cfg.AdminCreateUserConfig.AllowAdminCreateUserOnly == nil {
		cfg.AdminCreateUserConfig.AllowAdminCreateUserOnly = ptr(false)
	}
	if cfg.AdminCreateUserConfig.UnusedAccountValidityDays == nil {
		cfg.AdminCreateUserConfig.UnusedAccountValidityDays = ptr(int32(7))
	}
	cfg.VerificationMessageTemplate, cfg.EmailVerificationMessage, cfg.EmailVerificationSubject, cfg.SmsVerificationMessage =
		verificationMessages(u)
	return cfg
}

// passwordDefaults fills the password policy: a pool created without one
// gets Cognito's 8 characters with all four character classes; a policy that
// is given keeps the booleans it sets (false when omitted).
func passwordDefaults(p *model.UserPoolPolicyType) *model.UserPoolPolicyType {
	out := &model.UserPoolPolicyType{}
	if p != nil {
		*out = *p
	}
	if out.PasswordPolicy == nil {
		out.PasswordPolicy = &model.PasswordPolicyType{
			MinimumLength: ptr(int32(8)), RequireUppercase: ptr(true), RequireLowercase: ptr(true),
			RequireNumbers: ptr(true), RequireSymbols: ptr(true),
		}
	} else {
		pp := *out.PasswordPolicy
		pp.MinimumLength = orDefault(pp.MinimumLength, int32(8))
		pp.RequireUppercase = orDefault(pp.RequireUppercase, false)
		pp.RequireLowercase = orDefault(pp.RequireLowercase, false)
		pp.RequireNumbers = orDefault(pp.RequireNumbers, false)
		pp.RequireSymbols = orDefault(pp.RequireSymbols, false)
		out.PasswordPolicy = &pp
	}
	if out.PasswordPolicy.TemporaryPasswordValidityDays == nil {
		pp := *out.PasswordPolicy
		pp.TemporaryPasswordValidityDays = ptr(int32(7))
		out.PasswordPolicy = &pp
	}
	if out.SignInPolicy == nil {
		out.SignInPolicy = &model.SignInPolicyType{AllowedFirstAuthFactors: []string{model.AuthFactorTypePassword}}
	}
	return out
}

// verificationMessages reconciles VerificationMessageTemplate with the legacy
// top-level members, which Cognito keeps in step: whichever is given fills
// the other, and the template wins when both are given.
func verificationMessages(u updatable) (tpl *model.VerificationMessageTemplateType, emailMsg, emailSubject, sms *string) {
	tpl = &model.VerificationMessageTemplateType{}
	if u.VerificationMessageTemplate != nil {
		*tpl = *u.VerificationMessageTemplate
	}
	if tpl.EmailMessage == nil {
		tpl.EmailMessage = u.EmailVerificationMessage
	}
	if tpl.EmailSubject == nil {
		tpl.EmailSubject = u.EmailVerificationSubject
	}
	if tpl.SmsMessage == nil {
		tpl.SmsMessage = u.SmsVerificationMessage
	}
	if tpl.DefaultEmailOption == nil {
		tpl.DefaultEmailOption = ptr(model.DefaultEmailOptionTypeConfirmWithCode)
	}
	return tpl, tpl.EmailMessage, tpl.EmailSubject, tpl.SmsMessage
}

// checkSettings enforces the rules that span several members.
func checkSettings(cfg *model.UserPoolType) error {
	if lc := cfg.LambdaConfig; lc != nil && (lc.CustomEmailSender != nil || lc.CustomSMSSender != nil) {
		// Cognate's own refusal (issue 6): these triggers receive codes
		// encrypted with the pool's KMS key, which Cognate cannot reach. A
		// pool that would silently send its messages another way is worse.
		return invalidParameter("Cognate does not support CustomEmailSender/CustomSMSSender triggers (they need KMS).")
	}
	if err := preTokenConfig(cfg); err != nil {
		return err
	}
	if len(cfg.AliasAttributes) > 0 && len(cfg.UsernameAttributes) > 0 {
		// Text inferred: not found in a recorded AWS response.
		return invalidParameter("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	for _, a := range cfg.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate {
		found := false
		for _, v := range cfg.AutoVerifiedAttributes {
			found = found || v == a
		}
		if !found {
			return invalidParameter("All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes")
		}
	}
	if r := cfg.AccountRecoverySetting; r != nil {
		seen := map[int32]bool{}
		for _, m := range r.RecoveryMechanisms {
			if seen[deref(m.Priority)] {
				// Text inferred.
				return invalidParameter("Priority of each RecoveryOption must be unique.")
			}
			seen[deref(m.Priority)] = true
			if deref(m.Name) == model.RecoveryOptionNameTypeAdminOnly && len(r.RecoveryMechanisms) > 1 {
				// Text inferred.
				return invalidParameter("admin_only can not be combined with other recovery options.")
			}
		}
	}
	return nil
}

// preTokenConfig keeps LambdaConfig's two ways of naming the pre token
// generation function in step. AWS documents that PreTokenGeneration (the
// legacy field) and PreTokenGenerationConfig.LambdaArn (the form AWS
// recommends for new pools) "have the same value" and that when both are
// set they must be identical (API_LambdaConfigType,
// API_PreTokenGenerationVersionConfigType): either alone fills the other,
// the legacy one with LambdaVersion V1_0, the event it has always sent.
func preTokenConfig(cfg *model.UserPoolType) error {
	if cfg.LambdaConfig == nil {
		return nil
	}
	lc := *cfg.LambdaConfig
	legacy := deref(lc.PreTokenGeneration)
	switch c := lc.PreTokenGenerationConfig; {
	case c != nil && legacy == "":
		lc.PreTokenGeneration = ptr(deref(c.LambdaArn))
	case c != nil && deref(c.LambdaArn) != legacy:
		// Text inferred: no recorded response; the rule is documented.
		return invalidParameter("PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same.")
	case c == nil && legacy != "":
		lc.PreTokenGenerationConfig = &model.PreTokenGenerationVersionConfigType{
			LambdaArn: ptr(legacy), LambdaVersion: ptr(model.PreTokenGenerationLambdaVersionTypeV10),
		}
	}
	cfg.LambdaConfig = &lc
	return nil
}

func orDefault[T any](p *T, def T) *T {
	if p != nil {
		return p
	}
	return &def
}
