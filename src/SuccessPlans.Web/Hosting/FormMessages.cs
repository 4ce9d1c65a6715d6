using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using SuccessPlans.Web.Features;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// ASP.NET's own texts in the reader's language: model binding's ("The value 'x' is not valid for Y."), the default
/// messages of validation attributes written without one ("The X field is required."), and Identity's errors. The
/// English texts are the framework's; the Spanish sits in Resources/Features/FormTexts.es.resx with the forms' others.
/// </summary>
public sealed class FormMessages(IStringLocalizer<FormTexts> L) : IConfigureOptions<MvcOptions>
{
    public void Configure(MvcOptions options)
    {
        var m = options.ModelBindingMessageProvider;
        m.SetMissingBindRequiredValueAccessor(name => L["A value for the '{0}' parameter or property was not provided.", name].Value);
        m.SetMissingKeyOrValueAccessor(() => L["A value is required."].Value);
        m.SetMissingRequestBodyRequiredValueAccessor(() => L["A non-empty request body is required."].Value);
        m.SetValueMustNotBeNullAccessor(value => L["The value '{0}' is invalid.", value].Value);
        m.SetAttemptedValueIsInvalidAccessor((value, field) => L["The value '{0}' is not valid for {1}.", value, field].Value);
        m.SetNonPropertyAttemptedValueIsInvalidAccessor(value => L["The value '{0}' is not valid.", value].Value);
        m.SetUnknownValueIsInvalidAccessor(field => L["The supplied value is invalid for {0}.", field].Value);
        m.SetNonPropertyUnknownValueIsInvalidAccessor(() => L["The supplied value is invalid."].Value);
        m.SetValueIsInvalidAccessor(value => L["The value '{0}' is invalid.", value].Value);
        m.SetValueMustBeANumberAccessor(field => L["The field {0} must be a number.", field].Value);
        m.SetNonPropertyValueMustBeANumberAccessor(() => L["The field must be a number."].Value);
        options.ModelMetadataDetailsProviders.Add(new AttributeDefaults());
    }

    /// <summary>
    /// Gives a validation attribute written without a message its framework default as an ErrorMessage, so that the
    /// data-annotations localizer (FormTexts) translates it like any other: the framework's own default never is.
    /// </summary>
    public sealed class AttributeDefaults : IValidationMetadataProvider
    {
        public void CreateValidationMetadata(ValidationMetadataProviderContext context)
        {
            foreach (var attribute in context.ValidationMetadata.ValidatorMetadata.OfType<ValidationAttribute>())
                if (string.IsNullOrEmpty(attribute.ErrorMessage) && attribute.ErrorMessageResourceName is null && Default(attribute) is { } text)
                    attribute.ErrorMessage = text;
        }

        /// <summary>The framework's English default of each attribute the forms use (the keys of FormTexts.es.resx).</summary>
        public static string? Default(ValidationAttribute attribute) => attribute switch
        {
            RequiredAttribute => "The {0} field is required.",
            StringLengthAttribute { MinimumLength: > 0 } => "The field {0} must be a string with a minimum length of {2} and a maximum length of {1}.",
            StringLengthAttribute => "The field {0} must be a string with a maximum length of {1}.",
            MaxLengthAttribute => "The field {0} must be a string or array type with a maximum length of '{1}'.",
            MinLengthAttribute => "The field {0} must be a string or array type with a minimum length of '{1}'.",
            RangeAttribute => "The field {0} must be between {1} and {2}.",
            EmailAddressAttribute => "The {0} field is not a valid e-mail address.",
            PhoneAttribute => "The {0} field is not a valid phone number.",
            UrlAttribute => "The {0} field is not a valid fully-qualified http, https, or ftp URL.",
            RegularExpressionAttribute => "The field {0} must match the regular expression '{1}'.",
            CompareAttribute => "'{0}' and '{1}' do not match.",
            _ => null,
        };
    }
}

/// <summary>Identity's errors (a password too short, an address taken) in the reader's language.</summary>
public sealed class IdentityTexts(IStringLocalizer<FormTexts> L) : IdentityErrorDescriber
{
    private IdentityError Error(string code, string text) => new() { Code = code, Description = text };

    public override IdentityError DefaultError() => Error(nameof(DefaultError), L["An unknown failure has occurred."].Value);
    public override IdentityError ConcurrencyFailure() => Error(nameof(ConcurrencyFailure), L["Optimistic concurrency failure, object has been modified."].Value);
    public override IdentityError PasswordMismatch() => Error(nameof(PasswordMismatch), L["Incorrect password."].Value);
    public override IdentityError InvalidToken() => Error(nameof(InvalidToken), L["Invalid token."].Value);
    public override IdentityError RecoveryCodeRedemptionFailed() => Error(nameof(RecoveryCodeRedemptionFailed), L["Recovery code redemption failed."].Value);
    public override IdentityError LoginAlreadyAssociated() => Error(nameof(LoginAlreadyAssociated), L["A user with this login already exists."].Value);
    public override IdentityError InvalidUserName(string? userName) => Error(nameof(InvalidUserName), L["Username '{0}' is invalid, can only contain letters or digits.", userName ?? ""].Value);
    public override IdentityError InvalidEmail(string? email) => Error(nameof(InvalidEmail), L["Email '{0}' is invalid.", email ?? ""].Value);
    public override IdentityError DuplicateUserName(string userName) => Error(nameof(DuplicateUserName), L["Username '{0}' is already taken.", userName].Value);
    public override IdentityError DuplicateEmail(string email) => Error(nameof(DuplicateEmail), L["Email '{0}' is already taken.", email].Value);
    public override IdentityError InvalidRoleName(string? role) => Error(nameof(InvalidRoleName), L["Role name '{0}' is invalid.", role ?? ""].Value);
    public override IdentityError DuplicateRoleName(string role) => Error(nameof(DuplicateRoleName), L["Role name '{0}' is already taken.", role].Value);
    public override IdentityError UserAlreadyHasPassword() => Error(nameof(UserAlreadyHasPassword), L["User already has a password set."].Value);
    public override IdentityError UserLockoutNotEnabled() => Error(nameof(UserLockoutNotEnabled), L["Lockout is not enabled for this user."].Value);
    public override IdentityError UserAlreadyInRole(string role) => Error(nameof(UserAlreadyInRole), L["User already in role '{0}'.", role].Value);
    public override IdentityError UserNotInRole(string role) => Error(nameof(UserNotInRole), L["User is not in role '{0}'.", role].Value);
    public override IdentityError PasswordTooShort(int length) => Error(nameof(PasswordTooShort), L["Passwords must be at least {0} characters.", length].Value);
    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) => Error(nameof(PasswordRequiresUniqueChars), L["Passwords must use at least {0} different characters.", uniqueChars].Value);
    public override IdentityError PasswordRequiresNonAlphanumeric() => Error(nameof(PasswordRequiresNonAlphanumeric), L["Passwords must have at least one non alphanumeric character."].Value);
    public override IdentityError PasswordRequiresDigit() => Error(nameof(PasswordRequiresDigit), L["Passwords must have at least one digit ('0'-'9')."].Value);
    public override IdentityError PasswordRequiresLower() => Error(nameof(PasswordRequiresLower), L["Passwords must have at least one lowercase ('a'-'z')."].Value);
    public override IdentityError PasswordRequiresUpper() => Error(nameof(PasswordRequiresUpper), L["Passwords must have at least one uppercase ('A'-'Z')."].Value);
}
