"""Texts of the messages sent to staff (e-mail or SMS), Chinese first, then English."""
from __future__ import annotations


def invitation(shop: str, login: str, temporary: str | None) -> tuple[str, str]:
    subject = f"ShopDesk 邀请 / Invitation: {shop}"
    if temporary:
        body = (f"您已被邀请加入店铺「{shop}」的后台。登录账号：{login}，临时密码：{temporary}，首次登录时请设置新密码。\n"
                f"You have been invited to the back office of {shop}. Sign in as {login} with the temporary "
                f"password {temporary}; you will choose your own password at first sign-in.")
    else:
        body = (f"您已被加入店铺「{shop}」的后台，请使用现有账号 {login} 登录并在顶部切换店铺。\n"
                f"You now have access to {shop}. Sign in with your existing login {login} and switch shops at the top.")
    return subject, body


def password_reset(shop: str, login: str, temporary: str) -> tuple[str, str]:
    subject = f"ShopDesk 密码已重置 / Password reset: {shop}"
    body = (f"您在「{shop}」的登录密码已被管理员重置。账号：{login}，临时密码：{temporary}，登录后请设置新密码。\n"
            f"An administrator of {shop} reset your password. Sign in as {login} with the temporary password "
            f"{temporary} and choose a new one.")
    return subject, body
