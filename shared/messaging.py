"""Messages to people outside the admin UI: e-mail through SES, SMS through SNS. These are the
channels only; who is told what, and when, is the notifications capability's business. Bodies
come in both languages (the recipient's choice is not known yet), Chinese first.
"""
from __future__ import annotations

import os

from shared.aws import client

SENDER_ENV = "NOTIFY_SENDER"


def send_email(to: str, subject: str, body: str) -> str:
    answer = client("ses").send_email(
        Source=os.environ.get(SENDER_ENV, "noreply@shopdesk.local"),
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}},
    )
    return str(answer["MessageId"])


def send_sms(phone: str, text: str) -> str:
    answer = client("sns").publish(PhoneNumber=phone, Message=text,
                                   MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String",
                                                                              "StringValue": "Transactional"}})
    return str(answer["MessageId"])


def send(login: str, subject: str, body: str) -> str:
    """To an e-mail address or a +86 mobile number (a staff login)."""
    return send_sms(login, f"【{subject}】{body}") if login.startswith("+") else send_email(login, subject, body)
