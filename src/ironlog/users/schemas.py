from pydantic import ConfigDict

from ironlog.core.schemas import InputModel, Name, Password, PlainText


class UserUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"example": {"name": "Ada Lovelace"}})

    name: Name


class PasswordChange(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"current_password": "correct horse", "new_password": "battery staple"}
        }
    )

    # Passwords are never trimmed.
    current_password: PlainText
    new_password: Password
