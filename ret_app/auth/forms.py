from flask_babel import lazy_gettext as _l
from ret_app.forms import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ret_app.auth.passwords import MAX_LENGTH, password_problem

from ret_app.forms import REQUIRED  # noqa: E402


class NewPasswordMixin:
    """A new password with confirmation, checked against the password rules."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(message=REQUIRED)])
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(message=REQUIRED),
                    EqualTo("new_password", message=_l("The two passwords are not the same."))],
    )

    password_email = ""  # set by the view so the rules can refuse the e-mail address

    def validate_new_password(self, field):
        problem = password_problem(field.data or "", email=self.password_email)
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(message=REQUIRED), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_LENGTH)])
    next = HiddenField()


class TotpForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), validators=[
        DataRequired(message=REQUIRED), Length(min=6, max=8, message=_l("Enter the 6 digits from the app."))])


class RecoveryCodeForm(FlaskForm):
    code = StringField(_l("Recovery code"), validators=[
        DataRequired(message=REQUIRED), Length(max=20, message=_l("This is not a recovery code."))])


class ActivationPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Your current password"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_LENGTH)])


class EnrolForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), validators=[
        DataRequired(message=REQUIRED), Length(min=6, max=8, message=_l("Enter the 6 digits from the app."))])
