"""Password rules (口令策略): long enough, not the demo password, not a common one.

Strength is judged by zxcvbn (Dropbox's estimator, with its lists of the most common
passwords, names and keyboard patterns) rather than by composition rules: ``1234567890``
and ``P@ssw0rd123`` pass "digits and symbols" rules but are among the first guesses.
Words that are common here and absent from its English lists are added as inputs.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from api.errors import Unprocessable

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_SCORE = 3  # zxcvbn 0–4: 3 is "safely unguessable" against online and throttled guessing
LOCAL_WORDS = (
    "blockgrid",
    "shenzhen",
    "futian",
    "nanshan",
    "wangge",
    "woaini",
    "5201314",
    "1314520",
    "admin",
    "password",
)


def check_password(
    password: str, *, username: str, display_name: str = "", demo_password: str
) -> None:
    """Refuse a password that is short, the published demo password, or easy to guess.

    Raises
    ------
    Unprocessable
        With code ``weak_password`` and a message saying why (and a suggestion).
    """
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise _weak(
            "password holds characters that are not valid Unicode text", "密码含有无效字符"
        ) from None
    if len(password) < MIN_LENGTH:
        raise _weak(
            f"password too short: at least {MIN_LENGTH} characters",
            f"密码至少 {MIN_LENGTH} 个字符",
        )
    if len(password) > MAX_LENGTH:
        raise _weak(f"password too long: at most {MAX_LENGTH} characters", "密码过长")
    if password == demo_password:
        raise _weak("this is the published demo password; choose another", "不能使用公开的演示密码")
    # zxcvbn judges at most 72 characters; a longer passphrase is judged by its start.
    verdict = zxcvbn(password[:72], user_inputs=[username, display_name, *LOCAL_WORDS])
    if verdict["score"] < MIN_SCORE:
        feedback = verdict["feedback"]
        hint = feedback.get("warning") or " ".join(feedback.get("suggestions") or [])
        raise _weak(
            "password too easy to guess" + (f": {hint}" if hint else ""),
            "密码过于简单（常见密码、姓名或键盘序列），请换一个更长、更不常见的密码",
        )


def _weak(message: str, message_zh: str) -> Unprocessable:
    return Unprocessable(message, code="weak_password", message_zh=message_zh)
