"""Which new passwords are accepted, and why not (the forms show the reason).

Beyond the length rules (`passwords.check_strength`: 10 to 256 characters, not blank), a
password people choose must not be their email or contain its local part, must differ from
the current one, and must not be guessable from the lists of real leaked passwords, words
and names that zxcvbn ships (30,000 most common leaked passwords among them), scored with the
user's email as extra context. Nothing leaves the machine. zxcvbn (maintained on PyPI, no
dependencies) is used rather than a list of our own because it also catches the common
variations of listed passwords (l33t, keyboard walks, dates, repeats, appended digits),
which an exact-match list misses.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from support_analytics.auth import passwords

# zxcvbn refuses longer input; a prefix that is hard to guess makes the whole hard to guess.
_SCORED_PREFIX = 72
# zxcvbn's scale: 3 = "safely unguessable" (about 10^8 guesses or more), which is what an
# online attacker behind the sign-in throttle can never reach.
MIN_SCORE = 3


def refusal(password: str, *, email: str, current: str | None = None) -> str | None:
    """Why `password` may not be chosen by the user with `email`, or None."""
    reason = passwords.check_strength(password)
    if reason:
        return reason
    lowered = password.casefold()
    address = email.casefold()
    local = address.split("@", 1)[0]
    if address in lowered or (len(local) >= 3 and local in lowered):
        return "the password must not contain your email address or its name part"
    if current is not None and password == current:
        return "the new password must differ from the current one"
    result = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[address, local])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"]["warning"].rstrip(".")
        why = f" ({warning})" if warning else ""
        return f"the password is too easy to guess{why}; add a few uncommon words"
    return None
