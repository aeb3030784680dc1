from flask_babel import lazy_gettext as _l
from ret_app.forms import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from ret_app.auth.forms import REQUIRED, NewPasswordMixin
from ret_app.auth.passwords import MAX_LENGTH


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_LENGTH)])
