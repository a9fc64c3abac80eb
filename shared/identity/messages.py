"""Texts of the messages sent to staff (e-mail or SMS), Chinese first, then English. None of them
is ever returned by the API: they reach only the person."""
from __future__ import annotations


def invitation(shop: str, login: str, temporary: str | None) -> tuple[str, str]:
    subject = f"ShopDesk 邀请 / Invitation: {shop}"
    if temporary:
        body = (f"您已被邀请加入店铺「{shop}」的后台。登录账号：{login}，初始密码：{temporary}，首次登录时请设置新密码，"
                f"然后在「我的邀请」中接受邀请。\n"
                f"You have been invited to the back office of {shop}. Sign in as {login} with the first-time "
                f"password {temporary}, choose your own password, then accept the invitation.")
    else:
        body = (f"您已被邀请加入店铺「{shop}」的后台。请使用现有账号 {login} 登录，在「我的邀请」中接受或拒绝。\n"
                f"You have been invited to the back office of {shop}. Sign in with your existing login {login} "
                f"and accept or decline the invitation.")
    return subject, body


def reset_code(code: str, minutes: int) -> tuple[str, str]:
    subject = "ShopDesk 重置密码验证码 / Password reset code"
    body = (f"您的 ShopDesk 重置密码验证码：{code}，{minutes} 分钟内有效。如非本人操作，请忽略。\n"
            f"Your ShopDesk password reset code: {code} (valid {minutes} minutes). If you did not ask for it, "
            f"ignore this message.")
    return subject, body
